"""Check digits of the codes that forms carry (GB 32100, GB 11714, GB 11643).

python-stdnum checks the alphabet and the last character of a credit code;
it does not check the embedded GB 11714 character or the authority/category
pair, which are added here.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from stdnum.cn import uscc as stdnum_uscc

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
RIC_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
RIC_CHECK = "10X98765432"

# Registration authority -> allowed categories (GB 32100-2015).
USCC_CATEGORIES: dict[str, frozenset[str]] = {
    "1": frozenset("1239"),
    "2": frozenset("19"),
    "3": frozenset("12349"),
    "4": frozenset("19"),
    "5": frozenset("1239"),
    "6": frozenset("19"),
    "7": frozenset("129"),
    "8": frozenset("19"),
    "9": frozenset("123"),
    "A": frozenset("19"),
    "N": frozenset("1239"),
    "Y": frozenset("1"),
}


def normalise(value: str) -> str:
    """NFKC (full-width digits), no spaces, upper case."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", value)).upper()


def orgcode_check_char(body: str) -> str:
    total = sum(int(ch, 36) * w for ch, w in zip(body, ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def orgcode_errors(value: str) -> list[str]:
    code = normalise(value).replace("-", "")
    if not re.fullmatch(r"[0-9A-Z]{8}[0-9X]", code):
        return ["组织机构代码应为8位本体代码加1位校验码"]
    if orgcode_check_char(code[:8]) != code[8]:
        return ["组织机构代码校验码错误"]
    return []


def uscc_errors(value: str) -> list[str]:
    code = normalise(value)
    if len(code) != 18 or any(ch not in USCC_ALPHABET for ch in code):
        return ["统一社会信用代码应为18位，只含数字和除I、O、Z、S、V以外的大写字母"]
    categories = USCC_CATEGORIES.get(code[0])
    if categories is None:
        return [f"登记管理部门代码“{code[0]}”无效"]
    if code[1] not in categories:
        return [f"机构类别代码“{code[1]}”与登记管理部门“{code[0]}”不匹配"]
    if not stdnum_uscc.is_valid(code):
        return ["统一社会信用代码校验码错误"]
    if orgcode_errors(code[8:17]):
        return ["统一社会信用代码中的组织机构代码校验码错误"]
    return []


def ric_errors(value: str, *, today: date | None = None) -> list[str]:
    number = normalise(value)
    if len(number) == 15 and number.isdigit():
        number = number[:6] + "19" + number[6:]
        number += RIC_CHECK[sum(int(d) * w for d, w in zip(number, RIC_WEIGHTS, strict=True)) % 11]
    if not re.fullmatch(r"\d{17}[\dX]", number):
        return ["居民身份证号码应为18位（最后一位可为X）或15位数字"]
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return ["身份证号码中的出生日期不存在"]
    if born > (today or date.today()) or born.year < 1900:
        return ["身份证号码中的出生日期不合理"]
    if RIC_CHECK[sum(int(d) * w for d, w in zip(number, RIC_WEIGHTS, strict=False)) % 11] != number[17]:
        return ["身份证号码校验码错误"]
    return []


_MOBILE = re.compile(r"1[3-9]\d{9}")
_LANDLINE = re.compile(r"0\d{2,3}-?\d{7,8}(-\d{1,6})?")


def phone_errors(value: str) -> list[str]:
    phone = normalise(value)
    if _MOBILE.fullmatch(phone) or _LANDLINE.fullmatch(phone):
        return []
    return ["电话号码应为11位手机号或带区号的固定电话"]

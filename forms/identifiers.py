"""Full checks of the codes on people and bodies, with normalisation and warnings.

``check_uscc``, ``check_ric`` and ``check_orgcode`` return a ``CodeCheck``:
hard errors make a value invalid; warnings (an unknown region code, an old
15-digit ID number converted) leave it valid but tell the user. Rules and
test vectors: shared/DOMAIN.md.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

from stdnum import numdb
from stdnum.cn import uscc as stdnum_uscc

from kernel import clock

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
RIC_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
RIC_CHECK = "10X98765432"
CENTRAL_REGION = "100000"

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


@dataclass
class CodeCheck:
    valid: bool = True
    normalized: str | None = None
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def fail(self, message: str) -> CodeCheck:
        self.valid, self.normalized = False, None
        self.errors.append(message)
        return self

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def normalise(value: str) -> str:
    """NFKC (full-width digits and letters), no white space, upper case."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", value)).upper()


@lru_cache(maxsize=4096)
def region_name(code: str) -> str | None:
    """The GB/T 2260 name of a six-digit region code, or None when unknown."""
    if code == CENTRAL_REGION:
        return "中央"
    info = numdb.get("cn/loc").info(code)
    name = info[-1][1].get("county") if len(info) > 1 else None
    return re.sub(r"^\[[^\]]*\]", "", name) if name else None


def orgcode_check_char(body: str) -> str:
    total = sum(int(ch, 36) * w for ch, w in zip(body, ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def check_orgcode(value: str) -> CodeCheck:
    result = CodeCheck()
    code = normalise(value).replace("-", "")
    if not re.fullmatch(r"[0-9A-Z]{8}[0-9X]", code):
        return result.fail("组织机构代码应为8位本体代码加1位校验码")
    if orgcode_check_char(code[:8]) != code[8]:
        return result.fail("组织机构代码校验码错误")
    result.normalized = code
    return result


def check_uscc(value: str) -> CodeCheck:
    result = CodeCheck()
    code = normalise(value)
    if len(code) != 18 or any(ch not in USCC_ALPHABET for ch in code):
        hint = "（不含字母I、O、Z、S、V）" if re.search("[IOZSV]", code) else ""
        return result.fail(f"统一社会信用代码应为18位数字或大写字母{hint}")
    categories = USCC_CATEGORIES.get(code[0])
    if categories is None:
        return result.fail(f"登记管理部门代码“{code[0]}”无效")
    if code[1] not in categories:
        return result.fail(f"机构类别代码“{code[1]}”与登记管理部门“{code[0]}”不匹配")
    if not stdnum_uscc.is_valid(code):
        return result.fail("统一社会信用代码校验码错误")
    if check_orgcode(code[8:17]).errors:
        return result.fail("统一社会信用代码中的组织机构代码校验码错误")
    if not code[2:8].isdigit() or region_name(code[2:8]) is None:
        result.warnings.append(f"登记管理机关行政区划码“{code[2:8]}”不在区划代码表中，请核实")
    result.normalized = code
    return result


def ric_check_char(first17: str) -> str:
    return RIC_CHECK[sum(int(d) * w for d, w in zip(first17, RIC_WEIGHTS, strict=True)) % 11]


def make_ric(region: str, born: date, seq: int, sex: str) -> str:
    """A valid 18-digit number; the sequence's last digit is odd for 男, even for 女."""
    seq = seq * 2 + (1 if sex == "男" else 0)
    body = f"{region}{born:%Y%m%d}{seq % 1000:03d}"
    return body + ric_check_char(body)


def check_ric(value: str, *, today: date | None = None) -> CodeCheck:
    result = CodeCheck()
    number = normalise(value)
    if "O" in number and re.fullmatch(r"[\dO]{15}|[\dO]{17}[\dXO]", number):
        return result.fail("身份证号码中含有字母O，疑似应为数字0，请核对")
    if len(number) == 15 and number.isdigit():
        number = number[:6] + "19" + number[6:]
        number += ric_check_char(number)
        result.warnings.append("已将15位旧号码转换为18位")
    if not re.fullmatch(r"\d{17}[\dX]", number):
        return result.fail("居民身份证号码应为18位（最后一位可为X）或15位数字")
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return result.fail("身份证号码中的出生日期不存在")
    if born > (today or clock.today()) or born.year < 1900:
        return result.fail("身份证号码中的出生日期不合理")
    if ric_check_char(number[:17]) != number[17]:
        return result.fail("身份证号码校验码错误")
    if region_name(number[:6]) is None:
        result.warnings.append(f"地址码“{number[:6]}”不在区划代码表中，请核实")
    result.normalized = number
    return result


def ric_birth_date(number: str) -> date:
    return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def ric_sex(number: str) -> str:
    """男 for an odd sequence digit, 女 for an even one."""
    return "男" if int(number[16]) % 2 else "女"

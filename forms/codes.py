"""Error lists for the form formats (``uscc``, ``ric``, ``orgcode``, ``phone``)."""

from __future__ import annotations

import re
from datetime import date

from forms.identifiers import check_orgcode, check_ric, check_uscc, normalise


def uscc_errors(value: str) -> list[str]:
    return check_uscc(value).errors


def orgcode_errors(value: str) -> list[str]:
    return check_orgcode(value).errors


def ric_errors(value: str, *, today: date | None = None) -> list[str]:
    return check_ric(value, today=today).errors


_MOBILE = re.compile(r"1[3-9]\d{9}")
_LANDLINE = re.compile(r"0\d{2,3}-?\d{7,8}(-\d{1,6})?")


def phone_errors(value: str) -> list[str]:
    phone = normalise(value)
    if _MOBILE.fullmatch(phone) or _LANDLINE.fullmatch(phone):
        return []
    return ["电话号码应为11位手机号或带区号的固定电话"]

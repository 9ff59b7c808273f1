"""Check-digit vectors from shared/DOMAIN.md, as the form formats see them."""

from __future__ import annotations

from datetime import date

import pytest

from forms import codes, identifiers
from processes import catalogue as matters


@pytest.mark.parametrize(
    "value", ["12100000400000624D", "91110108MA01G0FB09", "12141002MB1234562N", " 12141002mb1234562n "]
)
def test_valid_credit_codes(value: str) -> None:
    assert codes.uscc_errors(value) == []


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("12100000400000624E", "校验码"),
        ("000000000000000000", "登记管理部门"),
        ("17141002MB1234562N", "机构类别"),
        ("1214100IMB1234562N", "18位"),
        ("12141002MB1234572N", "校验码"),  # body changed: GB 11714 or final check fails
    ],
)
def test_invalid_credit_codes(value: str, fragment: str) -> None:
    errors = codes.uscc_errors(value)
    assert errors and fragment in errors[0]


def test_embedded_organization_code_is_checked() -> None:
    # A code whose last character is right but whose GB 11714 check is wrong.
    body = "12141002MB123456"  # GB 11714 check of MB123456 is 2
    assert identifiers.orgcode_check_char(body[8:]) == "2"
    org_check_wrong = body + "3"
    total = sum(identifiers.USCC_ALPHABET.index(ch) * pow(3, i, 31) for i, ch in enumerate(org_check_wrong))
    last = identifiers.USCC_ALPHABET[(31 - total % 31) % 31]
    assert "组织机构代码" in codes.uscc_errors(org_check_wrong + last)[0]


@pytest.mark.parametrize(
    "value", ["11010519491231002X", "11010519491231002x", "１１０１０５１９４９１２３１００２Ｘ", "110105491231002"]
)
def test_valid_resident_ids(value: str) -> None:
    assert codes.ric_errors(value) == []


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("110105194912310021", "校验码"),
        ("110105199002300001", "出生日期"),
        ("1101051949", "18位"),
        ("110105209912310015", "出生日期"),
    ],
)
def test_invalid_resident_ids(value: str, fragment: str) -> None:
    errors = codes.ric_errors(value, today=date(2026, 11, 23))
    assert errors and fragment in errors[0]


def test_phone_numbers() -> None:
    assert codes.phone_errors("13800138000") == [] and codes.phone_errors("0351-1234567") == []
    assert codes.phone_errors("12345") != []


def test_every_shipped_form_has_valid_examples() -> None:
    registry = matters.load().forms()
    assert registry.keys()
    assert registry.check_examples() == {}


def test_form_errors_are_chinese_with_field_paths() -> None:
    form = matters.load().forms().get("demo_application")
    assert form is not None
    errors = form.validate({"unit_name": "x", "credit_code": "12100000400000624E", "requested_places": "two"})
    by_path = {e.path: e for e in errors}
    assert by_path["/contact_person"].code == "required" and "联系人" in by_path["/contact_person"].message
    assert "统一社会信用代码" in by_path["/credit_code"].message and "校验码" in by_path["/credit_code"].message
    assert "整数" in by_path["/requested_places"].message
    assert "2" in by_path["/unit_name"].message

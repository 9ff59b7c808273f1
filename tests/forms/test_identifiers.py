"""Validator results (valid, normalized, errors, warnings) on messy real-world input."""

from __future__ import annotations

import pytest

from forms.identifiers import check_orgcode, check_ric, check_uscc, ric_birth_date, ric_sex


def test_ric_normalisation_and_conversion() -> None:
    assert check_ric(" １１０１０５１９４９１２３１００２ｘ ").as_dict() == {
        "valid": True,
        "normalized": "11010519491231002X",
        "errors": [],
        "warnings": [],
    }
    old = check_ric("110105491231002")
    assert old.valid and old.normalized == "11010519491231002X" and "15位" in old.warnings[0]
    assert (
        ric_birth_date("11010519491231002X").isoformat() == "1949-12-31" and ric_sex("11010519491231002X") == "女"
    )  # sequence 002: even


def test_ric_letter_o_is_an_error_with_a_hint() -> None:
    result = check_ric("11O10519491231002X")
    assert not result.valid and result.normalized is None and "数字0" in result.errors[0]


def test_ric_unknown_region_is_only_a_warning() -> None:
    number = "99010519491231002"
    from forms.identifiers import ric_check_char

    result = check_ric(number + ric_check_char(number))
    assert result.valid and result.warnings and "地址码" in result.warnings[0]


@pytest.mark.parametrize(
    ("value", "valid", "warned"),
    [
        ("12100000400000624D", True, False),
        ("91110108MA01G0FB09", True, False),
        ("12141002MB1234562N", True, False),
        ("12100000400000624E", False, False),
        ("000000000000000000", False, False),
    ],
)
def test_uscc_vectors(value: str, valid: bool, warned: bool) -> None:
    result = check_uscc(value)
    assert result.valid is valid and bool(result.warnings) is warned
    assert (result.normalized == value) if valid else (result.normalized is None and result.errors)


def test_uscc_with_forbidden_letters_says_which() -> None:
    assert "I、O、Z、S、V" in check_uscc("12100000400000624O").errors[0]


def test_orgcode() -> None:
    assert check_orgcode("MB123456-2").normalized == "MB1234562"
    assert not check_orgcode("MB1234563").valid

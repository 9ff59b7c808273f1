"""Rules of .政务 / .公益 domain names: who may register which, the name, clashes, validity."""

from __future__ import annotations

from datetime import date

import pytest

from registry.domain_names import (
    DomainRequest,
    check_request,
    eligibility,
    name_allowed,
    period_end,
    region_prefixes,
    renewed_until,
)
from registry.models import Unit

FULL = "示范市数据资源服务中心"


def unit(kind: str = "事业单位", *, credit_code: str | None = "12141002MB1234562N", short: str | None = None) -> Unit:
    return Unit(
        id=1,
        code="u-1",
        name=FULL,
        short_name=short,
        kind=kind,
        region_code="141002",
        credit_code=credit_code,
        funding_form="全额拨款",
        status="active",
    )


def free(name: str) -> int | None:
    return None


@pytest.mark.parametrize(
    ("kind", "suffix", "administrative", "allowed"),
    [
        ("机关", ".政务", False, True),
        ("机关", ".公益", False, False),
        ("机关", ".公益", True, False),
        ("事业单位", ".公益", False, True),
        ("事业单位", ".公益", True, True),
        ("事业单位", ".政务", False, False),
        ("事业单位", ".政务", True, True),
        ("群众团体", ".公益", False, True),
        ("群众团体", ".政务", False, True),  # 群团机关 are the 群 of 党政群机关
        ("机关", ".com", False, False),
        ("企业", ".公益", False, False),
    ],
)
def test_eligibility_by_unit_kind(kind: str, suffix: str, administrative: bool, allowed: bool) -> None:
    refusal = eligibility(kind, suffix, administrative)
    assert (refusal is None) is allowed, refusal


def test_eligibility_messages_point_to_the_right_suffix() -> None:
    assert "请注册“.政务”" in (eligibility("机关", ".公益") or "")
    assert "未承担行政职能" in (eligibility("事业单位", ".政务") or "")


def test_name_is_the_full_or_short_name() -> None:
    applicant = unit(short="示范数据中心")
    assert name_allowed(applicant, FULL)
    assert name_allowed(applicant, "示范数据中心")
    assert name_allowed(applicant, f" {FULL} ")  # white space is not part of a name
    assert name_allowed(applicant, f"临汾市{FULL}") and name_allowed(applicant, "山西省示范数据中心")
    assert not name_allowed(applicant, "数据中心")
    assert not name_allowed(applicant, "示范市行政审批服务管理局")
    assert not name_allowed(applicant, f"尧都区{FULL}")  # the unit's own region is not higher


def test_other_name_is_refused_with_the_names_allowed() -> None:
    problems = check_request(unit(short="示范数据中心"), DomainRequest("register", "数据中心", ".公益"), free)
    assert [p.path for p in problems] == ["/name"]
    assert f"全称“{FULL}”或规范简称“示范数据中心”" in problems[0].message


def test_higher_level_regions() -> None:
    assert region_prefixes("141002") == ["临汾市", "山西省"]
    assert region_prefixes("141000") == ["山西省"]
    assert region_prefixes("140000") == []
    assert region_prefixes("110101") == ["北京市"]  # no 市辖区
    assert region_prefixes("429004") == ["湖北省"]  # no 省直辖县级行政单位
    assert region_prefixes("") == []


def test_clash_suggests_the_higher_level_region() -> None:
    taken = {f"{FULL}.公益": 2}
    problems = check_request(unit(), DomainRequest("register", FULL, ".公益"), taken.get)
    assert len(problems) == 1 and problems[0].path == "/name"
    assert f"“{FULL}.公益”已被其他单位注册" in problems[0].message
    assert f"冠以上级行政区划名称，如“临汾市{FULL}.公益”" in problems[0].message


def test_clash_goes_up_another_level_and_then_gives_up() -> None:
    taken = {f"{FULL}.公益": 2, f"临汾市{FULL}.公益": 3}
    problems = check_request(unit(), DomainRequest("register", FULL, ".公益"), taken.get)
    assert f"如“山西省{FULL}.公益”" in problems[0].message
    problems = check_request(unit(), DomainRequest("register", f"临汾市{FULL}", ".公益"), taken.get)
    assert f"如“山西省{FULL}.公益”" in problems[0].message
    taken[f"山西省{FULL}.公益"] = 4
    problems = check_request(unit(), DomainRequest("register", FULL, ".公益"), taken.get)
    assert "也已被注册" in problems[0].message


def test_same_name_under_the_other_suffix_is_no_clash() -> None:
    taken = {f"{FULL}.公益": 2}
    request = DomainRequest("register", FULL, ".政务", administrative_functions=True)
    assert check_request(unit(), request, taken.get) == []


def test_own_name_again_is_a_renewal() -> None:
    problems = check_request(unit(), DomainRequest("register", FULL, ".公益"), {f"{FULL}.公益": 1}.get)
    assert "请选择“续费”" in problems[0].message


def test_credit_code_comes_first() -> None:
    problems = check_request(unit(credit_code=None), DomainRequest("register", FULL, ".公益"), free)
    assert [(p.path, p.field) for p in problems] == [("", "申请单位")]
    assert "请先办理赋码" in problems[0].message


def test_every_problem_is_reported() -> None:
    problems = check_request(unit("机关", credit_code=None), DomainRequest("register", "别的名称", ".公益"), free)
    assert [p.path for p in problems] == ["", "/suffix", "/name"]


def test_renewal_needs_the_units_own_domain_in_force() -> None:
    request = DomainRequest("renew", FULL, ".公益")
    assert check_request(unit(), request, {f"{FULL}.公益": 1}.get) == []
    assert "不属于本单位" in check_request(unit(), request, {f"{FULL}.公益": 2}.get)[0].message
    assert "没有有效的域名" in check_request(unit(), request, free)[0].message


def test_request_from_form_data_is_canonical() -> None:
    request = DomainRequest.from_data({"action": "register", "name": " 示范市ＡＢ中心 ", "suffix": ".政务"})
    assert request.full == "示范市AB中心.政务" and request.administrative_functions is False


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (date(2026, 3, 10), date(2027, 3, 9)),
        (date(2026, 1, 1), date(2026, 12, 31)),
        (date(2024, 2, 29), date(2025, 2, 28)),  # leap day: the year ends with February
        (date(2023, 3, 1), date(2024, 2, 29)),  # and a year from 1 March reaches the leap day
        (date(2024, 2, 28), date(2025, 2, 27)),
    ],
)
def test_registration_runs_one_year(start: date, end: date) -> None:
    assert period_end(start) == end


@pytest.mark.parametrize(
    ("expires", "renewed"),
    [
        (date(2027, 3, 9), date(2028, 3, 9)),
        (date(2025, 2, 28), date(2026, 2, 28)),
        (date(2024, 2, 28), date(2025, 2, 28)),  # the next year starts on the leap day
        (date(2027, 2, 28), date(2028, 2, 29)),  # and ends on one
        (date(2026, 12, 31), date(2027, 12, 31)),
    ],
)
def test_renewal_adds_a_year(expires: date, renewed: date) -> None:
    assert renewed_until(expires) == renewed

"""政务和公益机构域名 through its BPMN process: register, correct and resubmit, refuse, renew."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import insert, select

from engine import services, step_context
from kernel import clock
from kernel.errors import ValidationFailed
from onestop.bootstrap import Platform
from processes import catalogue as matters
from registry import domain_names
from registry.domain_names import DomainRequest, HolderOf, Problem, period_end, renewed_until
from registry.models import DomainName, Unit
from tests.conftest import actors_of
from tests.engine.helpers import add_clerk, decide, issue_documents

NAME = "示范市数据资源服务中心.公益"


def application(**changes: Any) -> dict[str, Any]:
    form = matters.load().forms().get("domain_name_application")
    assert form is not None
    return {**form.schema["examples"][0], **changes}


def start(platform: Platform, data: dict[str, Any], user: str = "applicant") -> str:
    actor = actors_of(platform)[user]
    return str(services.start(platform.ctx, actor, process_key="domain_name", data=data)["id"])


def matter(platform: Platform, iid: str) -> dict[str, Any]:
    return services.get(platform.ctx, actors_of(platform)["applicant"], iid)


def unit_id(platform: Platform, code: str) -> int:
    with platform.ctx.reading() as session:
        return session.scalars(select(Unit.id).where(Unit.code == code)).one()


def test_register(platform: Platform) -> None:
    ctx, actors = platform.ctx, actors_of(platform)
    iid = start(platform, application())
    assert decide(ctx, actors["bianban"], iid)["status"] == "running"  # until its documents are issued
    assert issue_documents(platform, iid) == "completed"
    result = matter(platform, iid)["data"]["results"]["domain"]
    today = clock.today()
    assert result["done"] and result["name"] == NAME and result["expires_on"] == period_end(today).isoformat()
    with ctx.reading() as session:
        domain = session.get(DomainName, NAME)
        assert domain is not None and domain.status == "active"
        assert (domain.registered_on, domain.expires_on) == (today, period_end(today))
        assert domain.unit_id == unit_id(platform, "demo-unit-001")
    with pytest.raises(ValidationFailed) as again:
        start(platform, application())
    assert "请选择“续费”" in again.value.details[0]["message"]


def test_returned_then_resubmitted(platform: Platform) -> None:
    ctx, actors = platform.ctx, actors_of(platform)
    iid = start(platform, application(purpose=""))
    decide(ctx, actors["bianban"], iid, "return", "请写明域名用途")
    with pytest.raises(ValidationFailed) as wrong:  # the check runs again on resubmission
        decide(ctx, actors["applicant"], iid, data=application(name="示范市数据中心"))
    assert wrong.value.details[0]["path"] == "/name"
    decide(ctx, actors["applicant"], iid, data=application(purpose="单位门户网站"))
    assert decide(ctx, actors["bianban"], iid)["status"] == "running"  # until its documents are issued
    assert issue_documents(platform, iid) == "completed"
    with ctx.reading() as session:
        assert session.get(DomainName, NAME) is not None


def test_refused_by_bianban(platform: Platform) -> None:
    ctx, actors = platform.ctx, actors_of(platform)
    iid = start(platform, application())
    assert decide(ctx, actors["bianban"], iid, "reject", "材料不全，不予办理")["status"] == "rejected"
    assert "domain" not in matter(platform, iid)["data"]["results"]
    with ctx.reading() as session:
        assert session.get(DomainName, NAME) is None


def test_renew_extends_by_a_year(platform: Platform) -> None:
    ctx, actors = platform.ctx, actors_of(platform)
    registered = clock.today() - timedelta(days=300)
    with ctx.transaction() as session:
        session.add(
            DomainName(
                name=NAME,
                unit_id=unit_id(platform, "demo-unit-001"),
                registered_on=registered,
                expires_on=period_end(registered),
            )
        )
    iid = start(platform, application(action="renew"))
    assert decide(ctx, actors["bianban"], iid)["status"] == "running"  # until its documents are issued
    assert issue_documents(platform, iid) == "completed"
    renewed = renewed_until(period_end(registered))
    assert matter(platform, iid)["data"]["results"]["domain"]["expires_on"] == renewed.isoformat()
    with ctx.reading() as session:
        domain = session.get(DomainName, NAME)
        assert domain is not None and (domain.registered_on, domain.expires_on) == (registered, renewed)


def test_name_taken_while_under_review(sqlite_platform: Platform) -> None:
    ctx, actors = sqlite_platform.ctx, actors_of(sqlite_platform)
    iid = start(sqlite_platform, application())
    today = clock.today()
    with ctx.transaction() as session:
        other = unit_id(sqlite_platform, "demo-unit-003")
        session.add(DomainName(name=NAME, unit_id=other, registered_on=today, expires_on=period_end(today)))
    assert decide(ctx, actors["bianban"], iid)["status"] == "rejected"
    result = matter(sqlite_platform, iid)["data"]["results"]["domain"]
    assert result["done"] is False and f"如“临汾市{NAME}”" in result["message"]
    # the suggested name can be applied for
    iid = start(sqlite_platform, application(name="临汾市示范市数据资源服务中心"))
    assert decide(ctx, actors["bianban"], iid)["status"] == "running"  # until its documents are issued
    assert issue_documents(sqlite_platform, iid) == "completed"


def test_name_registered_by_another_matter_at_the_same_moment(
    platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The other matter's row lands between this step's check and its insert: refused, not an incident."""
    ctx, actors = platform.ctx, actors_of(platform)
    iid = start(platform, application())
    other, today = unit_id(platform, "demo-unit-003"), clock.today()
    checked = domain_names.check_request

    def check_then_race(unit: Unit, request: DomainRequest, holder_of: HolderOf) -> list[Problem]:
        problems = checked(unit, request, holder_of)
        row = {"name": NAME, "unit_id": other, "status": "active", "registered_on": today, "expires_on": today}
        step_context.current().session.execute(insert(DomainName), [row])
        return problems

    monkeypatch.setattr(domain_names, "check_request", check_then_race)
    assert decide(ctx, actors["bianban"], iid)["status"] == "rejected"
    result = matter(platform, iid)["data"]["results"]["domain"]
    assert result["done"] is False and f"如“临汾市{NAME}”" in result["message"]
    with ctx.reading() as session:
        assert session.scalars(select(DomainName.unit_id)).all() == [other]


def test_lapsed_name_goes_to_the_new_applicant(sqlite_platform: Platform) -> None:
    ctx, actors = sqlite_platform.ctx, actors_of(sqlite_platform)
    lapsed = clock.today() - timedelta(days=1)
    with ctx.transaction() as session:
        other = unit_id(sqlite_platform, "demo-unit-003")
        session.add(DomainName(name=NAME, unit_id=other, registered_on=date(2020, 1, 1), expires_on=lapsed))
    iid = start(sqlite_platform, application())
    assert decide(ctx, actors["bianban"], iid)["status"] == "running"  # until its documents are issued
    assert issue_documents(sqlite_platform, iid) == "completed"
    with ctx.reading() as session:
        domain = session.get(DomainName, NAME)
        assert domain is not None and domain.unit_id == unit_id(sqlite_platform, "demo-unit-001")
        assert domain.expires_on == period_end(clock.today())


def test_refusals_at_submission(sqlite_platform: Platform) -> None:
    add_clerk(sqlite_platform, "bureau_clerk", "demo-unit-002")
    with pytest.raises(ValidationFailed) as bureau:
        start(sqlite_platform, application(name="示范市行政审批服务管理局"), "bureau_clerk")
    messages = {e["path"]: e["message"] for e in bureau.value.details}
    assert "请先办理赋码" in messages[""] and "机关请注册“.政务”" in messages["/suffix"]
    with pytest.raises(ValidationFailed) as gov:
        start(sqlite_platform, application(suffix=".政务"))
    assert gov.value.details[0]["path"] == "/suffix"
    with pytest.raises(ValidationFailed) as renew:
        start(sqlite_platform, application(action="renew"))
    assert "没有有效的域名" in renew.value.details[0]["message"]
    with pytest.raises(ValidationFailed) as no_doc:
        start(sqlite_platform, {k: v for k, v in application().items() if k != "approval_doc_no"})
    assert no_doc.value.details[0]["path"] == "/approval_doc_no"
    assert start(sqlite_platform, application(suffix=".政务", administrative_functions=True))

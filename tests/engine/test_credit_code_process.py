"""赋码 through its BPMN process: new code from the block, change, cancel (never reissued)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from engine import services
from forms.identifiers import check_uscc
from kernel.audit import AuditEvent
from kernel.errors import ValidationFailed
from onestop.bootstrap import Platform
from registry.models import IssuedCode, Person, Unit, UnitEvent
from tests.conftest import actors_of
from tests.engine.helpers import add_clerk, application, decide, issue_documents

BASE = {"approval_doc_no": "示编〔2026〕21号", "contact_person": "刘洋", "contact_phone": "13900139000"}


def test_new_code_then_cancel(platform: Platform) -> None:
    ctx = platform.ctx
    add_clerk(platform, "bureau_clerk", "demo-unit-002")
    actors = actors_of(platform)
    iid = services.start(ctx, actors["bureau_clerk"], process_key="credit_code", data={**BASE, "action": "new"})["id"]
    assert decide(ctx, actors["bianban"], iid)["status"] == "running"  # until its documents are issued
    assert issue_documents(platform, iid) == "completed"
    result = services.get(ctx, actors["bureau_clerk"], iid)["data"]["results"]["credit_code"]
    code = result["code"]
    assert check_uscc(code).valid and code.startswith("11141002MB2000")  # 机构编制 / 机关 / region / block
    with pytest.raises(ValidationFailed) as twice:
        services.start(ctx, actors["bureau_clerk"], process_key="credit_code", data={**BASE, "action": "new"})
    assert "已有统一社会信用代码" in twice.value.details[0]["message"]
    # Cancelling waits until nobody holds a place: the refusal names the figures.
    with pytest.raises(ValidationFailed) as staffed:
        services.start(ctx, actors["bureau_clerk"], process_key="credit_code", data={**BASE, "action": "cancel"})
    assert "尚有在编人员4名（行政编制4名），须先办理出编，不能注销" in staffed.value.details[0]["message"]
    with ctx.transaction() as session:  # everyone leaves (as 出编 matters would record)
        unit_id = session.scalars(select(Unit.id).where(Unit.code == "demo-unit-002")).one()
        for person in session.scalars(select(Person).where(Person.unit_id == unit_id, Person.status == "在编")):
            person.status = "出编"
    iid = services.start(ctx, actors["bureau_clerk"], process_key="credit_code", data={**BASE, "action": "cancel"})[
        "id"
    ]
    decide(ctx, actors["bianban"], iid)
    with ctx.reading() as session:
        assert session.get(IssuedCode, code).status == "cancelled"
        assert session.scalars(select(Unit.status).where(Unit.code == "demo-unit-002")).one() == "cancelled"
        events = session.execute(
            select(UnitEvent.event, UnitEvent.after).where(UnitEvent.unit_id == unit_id).order_by(UnitEvent.id)
        ).all()
        assert [tuple(e) for e in events] == [("赋码", code), ("注销", "cancelled")]
        audited = session.scalars(select(AuditEvent.details).where(AuditEvent.action == "unit_changed")).all()
        assert [d["event"] for d in audited] == ["赋码", "注销"]


def test_cancel_refused_at_the_step_when_a_person_entered_meanwhile(sqlite_platform: Platform) -> None:
    """The figures are checked again under the unit's lock when 编办 approves."""
    ctx = sqlite_platform.ctx
    add_clerk(sqlite_platform, "bureau_clerk", "demo-unit-002")
    actors = actors_of(sqlite_platform)
    with ctx.transaction() as session:
        unit = session.scalars(select(Unit).where(Unit.code == "demo-unit-002")).one()
        unit.credit_code = "11141002MB2000001X"
        for person in session.scalars(select(Person).where(Person.unit_id == unit.id)):
            person.status = "出编"
    iid = services.start(ctx, actors["bureau_clerk"], process_key="credit_code", data={**BASE, "action": "cancel"})[
        "id"
    ]
    with ctx.transaction() as session:  # someone is placed before 编办 decides
        person = session.scalars(select(Person).where(Person.name == "黄涛")).one()
        person.status = "在编"
    detail = decide(ctx, actors["bianban"], iid)
    assert detail["status"] == "rejected" and detail["outcome"] == "不符合办理条件，不予办理"
    with ctx.reading() as session:
        assert session.scalars(select(Unit.status).where(Unit.code == "demo-unit-002")).one() == "active"


def test_change_needs_the_new_name(sqlite_platform: Platform) -> None:
    ctx, actors = sqlite_platform.ctx, actors_of(sqlite_platform)
    with pytest.raises(ValidationFailed):
        services.start(ctx, actors["applicant"], process_key="credit_code", data={**BASE, "action": "change"})
    with pytest.raises(ValidationFailed) as taken:
        services.start(
            ctx, actors["applicant"], process_key="credit_code",
            data={**BASE, "action": "change", "new_name": "示范市档案馆"},
        )  # fmt: skip
    assert "已由其他单位使用" in taken.value.details[0]["message"]


RENAMED = "示范市数据资源管理服务中心"


def _change(platform: Platform, doc_no: str) -> str:
    actors = actors_of(platform)
    data = {**BASE, "approval_doc_no": doc_no, "action": "change", "new_name": RENAMED}
    return str(services.start(platform.ctx, actors["applicant"], process_key="credit_code", data=data)["id"])


def _name(platform: Platform) -> str:
    with platform.ctx.reading() as session:
        return str(session.scalars(select(Unit.name).where(Unit.code == "demo-unit-001")).one())


def test_a_name_changes_only_on_a_recorded_approval(sqlite_platform: Platform) -> None:
    ctx, actors = sqlite_platform.ctx, actors_of(sqlite_platform)
    # Any free text as the 文号, and no scan from 编办: refused, the name stays.
    iid = _change(sqlite_platform, "随便写的文号")
    assert decide(ctx, actors["bianban"], iid)["status"] == "rejected"
    refused = services.get(ctx, actors["applicant"], iid)["data"]["results"]["credit_code"]
    assert not refused["done"] and "不是本平台出具的机构编制批复" in refused["message"]
    assert _name(sqlite_platform) == "示范市数据资源服务中心"
    # Another authority's 批复, recorded by 编办 with its scanned file.
    iid = _change(sqlite_platform, "晋编〔2026〕3号")
    task = services.get(ctx, actors["admin"], iid)["tasks"][0]
    scan = {"name": "晋编〔2026〕3号.pdf", "sha256": "a" * 64, "size": 1024, "content_type": "application/pdf"}
    services.complete(ctx, actors["bianban"], task["id"], decision="approve", opinion="同意", data={}, uploads=[scan])
    assert _name(sqlite_platform) == RENAMED
    with ctx.reading() as session:
        event = session.scalars(select(UnitEvent).where(UnitEvent.event == "名称变更")).one()
        assert (event.before, event.after, event.basis_doc_no, event.basis_source, event.basis_sha256) == (
            "示范市数据资源服务中心", RENAMED, "晋编〔2026〕3号", "external", "a" * 64,
        )  # fmt: skip


def test_a_platform_approval_is_a_basis_of_its_own(sqlite_platform: Platform) -> None:
    from documents.models import ISSUED, Document

    ctx, actors = sqlite_platform.ctx, actors_of(sqlite_platform)
    earlier = services.start(ctx, actors["applicant"], process_key="demo_cross_department", data=application())["id"]
    with ctx.transaction() as session:  # a 批复 the platform issued earlier (as 新设机构 issues them)
        session.add(
            Document(
                id="d" * 36, instance_id=earlier, kind="institution_approval", title="机构编制批复",
                number="示编〔2026〕7号", department="bianban", issuer="示范市机构编制委员会办公室",
                issued_on=date(2026, 11, 2), facts={}, verify_code="v" * 20, status=ISSUED,
            )
        )  # fmt: skip
    iid = _change(sqlite_platform, "示编〔2026〕7号")
    decide(ctx, actors["bianban"], iid)
    assert _name(sqlite_platform) == RENAMED


def test_blocks_run_out_then_an_operator_loads_one_and_the_retry_resolves_the_incident(
    sqlite_platform: Platform,
) -> None:
    """The production story: no code left → an incident; a block loaded → the retry issues the code."""
    from registry.code_blocks import BlockRequest, add_block
    from registry.models import CodeBlock

    ctx = sqlite_platform.ctx
    add_clerk(sqlite_platform, "bureau_clerk", "demo-unit-002")
    actors = actors_of(sqlite_platform)
    with ctx.transaction() as session:
        for block in session.scalars(select(CodeBlock)):
            block.next_seq = block.last_seq + 1  # every block used up
    iid = services.start(ctx, actors["bureau_clerk"], process_key="credit_code", data={**BASE, "action": "new"})["id"]
    stuck = decide(ctx, actors["bianban"], iid)
    assert stuck["status"] == "incident"
    [incident] = services.list_incidents(ctx, actors["admin"])
    assert "号段已用完" in incident["message"]
    with ctx.transaction() as session:
        add_block(session, "admin", BlockRequest("1", "141002", "ME", 1, 100))
    services.retry(ctx, actors["admin"], incident["id"])
    assert services.list_incidents(ctx, actors["admin"]) == []  # the retry worked: resolved
    assert issue_documents(sqlite_platform, iid) == "completed"
    code = services.get(ctx, actors["bureau_clerk"], iid)["data"]["results"]["credit_code"]["code"]
    assert code.startswith("11141002ME000001") and check_uscc(code).valid

"""新设机构一件事 end to end: 编办, 编委 countersign, registration, code, domain,
the parallel stage with a one-time notice, and the documents due."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from documents.models import Document
from engine import services
from forms.identifiers import check_uscc
from kernel.calendar import add_years
from onestop.bootstrap import Platform
from registry.models import DomainName, LeadershipQuota, LegalPerson, Quota, Unit
from tests.conftest import actors_of
from tests.engine.helpers import decide, issue_documents, open_task
from tests.engine.test_staff_processes import example

KEY = "institution_setup"


def pdf_text(pdf: bytes) -> str:
    import io

    from pypdf import PdfReader

    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).replace("\n", "")


MEMBERS = ("bianwei1", "bianwei2", "bianwei3")


def _open(platform: Platform, iid: str) -> set[str]:
    return {t["department"] for t in services.get(platform.ctx, actors_of(platform)["admin"], iid)["tasks"]}


def _countersign(platform: Platform, iid: str, reject_by: str | None = None) -> dict[str, Any]:
    ctx, actors = platform.ctx, actors_of(platform)
    result: dict[str, Any] = {}
    for member in MEMBERS:
        [mine] = services.inbox(ctx, actors[member])  # each member's own task, assigned to them
        assert mine["assignee"] == member
        decision = "reject" if member == reject_by else "approve"
        result = services.complete(ctx, actors[member], mine["id"], decision=decision, opinion="会签意见")
    return result


def test_setup_with_a_one_time_notice_from_the_parallel_stage(platform: Platform) -> None:
    ctx, actors = platform.ctx, actors_of(platform)
    application = example("institution_setup_application")
    iid = services.start(ctx, actors["applicant"], process_key=KEY, data=application)["id"]
    decide(ctx, actors["bianban"], iid)
    assert _open(platform, iid) == {"bianwei"}
    _countersign(platform, iid)
    registry = open_task(ctx, actors["bianban"], iid)
    assert registry["step"] == "登记管理局设立登记审查"  # a 事业单位: the registry decides on its 设立登记
    decide(ctx, actors["bianban"], iid)
    decide(ctx, actors["bianban"], iid)  # domain review, after registration and the credit code
    assert _open(platform, iid) == {"zuzhi", "renshe", "caizheng"}
    decide(ctx, actors["zuzhi"], iid, "return", "领导职数超过同类机构标准", {"correction_items": ["副职职数说明"]})
    decide(ctx, actors["renshe"], iid, "return", "招聘计划需细化岗位", {"correction_items": ["岗位设置方案"]})
    returned = decide(ctx, actors["caizheng"], iid)
    assert returned["status"] == "returned"
    notice = services.get(ctx, actors["applicant"], iid)["data"]["results"]["correction_notice"]
    assert notice["returned"] == ["组织部", "人社局"] and [i["items"] for i in notice["items"]] == [
        ["副职职数说明"],
        ["岗位设置方案"],
    ]
    corrected = application | {"leadership": {"正职": 1, "副职": 1}}
    decide(ctx, actors["applicant"], iid, "submit", "", corrected)
    assert _open(platform, iid) == {"zuzhi", "renshe"}  # only the steps that returned run again
    decide(ctx, actors["zuzhi"], iid)
    done = decide(ctx, actors["renshe"], iid)
    assert done["status"] == "running"  # until its documents are issued
    assert issue_documents(platform, iid) == "completed"
    detail = services.get(ctx, actors["applicant"], iid)
    results = detail["data"]["results"]
    assert results["documents_due"] == [
        "institution_approval",
        "credit_code_notice",
        "domain_confirmation",
        "legal_person_certificate",
    ]
    assert check_uscc(results["credit_code"]["code"]).valid
    with ctx.reading() as session:
        unit = session.scalars(select(Unit).where(Unit.code == results["unit"]["code"])).one()
        assert (unit.name, unit.kind, unit.credit_code) == (
            application["name"],
            "事业单位",
            results["credit_code"]["code"],
        )
        quotas = dict(session.execute(select(Quota.est_type, Quota.approved).where(Quota.unit_id == unit.id)).all())
        assert quotas == {"事业编制（全额拨款）": 12, "事业工勤编制": 1}
        assert session.scalars(select(LeadershipQuota).where(LeadershipQuota.unit_id == unit.id)).all()
        assert session.get(DomainName, "示范市公共数据开放服务中心.公益") is not None
        registered = session.get(LegalPerson, unit.id)  # 设立登记: the items on the unit, as the certificate states
        assert registered is not None
        items = application["legal_person"]
        assert (registered.representative, registered.address, registered.purpose, float(registered.start_fund)) == (
            items["representative"],
            items["address"],
            items["purpose"],
            float(items["start_fund"]),
        )
        assert registered.sponsor == "示范市数据资源服务中心"
        assert registered.valid_until == add_years(registered.registered_on, 5)
        parent_code = session.scalars(select(Unit.credit_code).where(Unit.code == "demo-unit-001")).one()
        issued = dict(
            session.execute(select(Document.kind, Document.storage_key).where(Document.instance_id == iid))
            .tuples()
            .all()
        )
    # The new institution's own documents state its own name and code, never its sponsor's.
    new_code = results["credit_code"]["code"]
    for kind in ("domain_confirmation", "credit_code_notice", "legal_person_certificate"):
        text = pdf_text(platform.documents.path(str(issued[kind])).read_bytes())
        assert application["name"] in text and new_code in text, kind
        assert str(parent_code) not in text, kind
    approval = pdf_text(platform.documents.path(str(issued["institution_approval"])).read_bytes())
    assert str(results["unit"]["code"]) not in approval  # no internal register code in the body
    # 版记: copied to the departments that acted, in the order they first did.
    assert "抄送：示范市机构编制委员会，示范市组织部，示范市人力资源和社会保障局，示范市财政局。" in approval


def test_the_registry_may_refuse_the_legal_person_registration(sqlite_platform: Platform) -> None:
    """编委 approved the 机构 (it is in the register with its places); the registry refuses its 设立登记:
    no legal person, no code, no documents, and the matter ends there."""
    ctx, actors = sqlite_platform.ctx, actors_of(sqlite_platform)
    iid = services.start(ctx, actors["applicant"], process_key=KEY, data=example("institution_setup_application"))["id"]
    decide(ctx, actors["bianban"], iid)
    _countersign(sqlite_platform, iid)
    refused = decide(ctx, actors["bianban"], iid, "reject", "章程草案与宗旨和业务范围不一致")
    assert refused["status"] == "rejected"
    with ctx.reading() as session:
        unit = session.scalars(select(Unit).where(Unit.name == "示范市公共数据开放服务中心")).one()
        assert unit.credit_code is None and session.get(LegalPerson, unit.id) is None
        assert not session.scalars(select(Document.id).where(Document.instance_id == iid)).all()


def test_one_committee_member_against_means_no(platform: Platform) -> None:
    ctx, actors = platform.ctx, actors_of(platform)
    iid = services.start(ctx, actors["applicant"], process_key=KEY, data=example("institution_setup_application"))["id"]
    decide(ctx, actors["bianban"], iid)
    result = _countersign(platform, iid, reject_by="bianwei2")
    assert result["status"] == "rejected"
    assert services.get(ctx, actors["applicant"], iid)["outcome"] == "编委未通过"
    with ctx.reading() as session:
        assert session.scalars(select(Unit).where(Unit.name == "示范市公共数据开放服务中心")).first() is None


def test_bianban_return_comes_back_to_bianban(sqlite_platform: Platform) -> None:
    ctx, actors = sqlite_platform.ctx, actors_of(sqlite_platform)
    application = example("institution_setup_application")
    iid = services.start(ctx, actors["applicant"], process_key=KEY, data=application)["id"]
    decide(ctx, actors["bianban"], iid, "return", "请补充设立依据")
    task = open_task(ctx, actors["applicant"], iid)
    assert services.get_task(ctx, actors["applicant"], task["id"])["prefill"] == application
    decide(ctx, actors["applicant"], iid, "submit", "", application | {"basis": application["basis"] + "（补充）"})
    assert _open(sqlite_platform, iid) == {"bianban"}


def test_parallel_stage_tasks_name_their_department(sqlite_platform: Platform) -> None:
    ctx, actors = sqlite_platform.ctx, actors_of(sqlite_platform)
    iid = services.start(ctx, actors["applicant"], process_key=KEY, data=example("institution_setup_application"))["id"]
    decide(ctx, actors["bianban"], iid)
    _countersign(sqlite_platform, iid)
    decide(ctx, actors["bianban"], iid)  # 设立登记
    decide(ctx, actors["bianban"], iid)  # domain review
    titles = {t["department"]: t["step"] for t in services.get(ctx, actors["admin"], iid)["tasks"]}
    assert titles == {
        "zuzhi": "并联审核（组织部）",
        "renshe": "并联审核（人力资源和社会保障局）",
        "caizheng": "并联审核（财政局）",
    }


def test_the_progress_names_the_steps_taken_and_those_still_to_come(sqlite_platform: Platform) -> None:
    from engine.services import progress

    ctx, actors = sqlite_platform.ctx, actors_of(sqlite_platform)
    iid = services.start(ctx, actors["applicant"], process_key=KEY, data=example("institution_setup_application"))["id"]
    steps = [(s["title"], s["state"]) for s in progress.progress(ctx, actors["admin"], iid)["steps"]]
    assert steps[:2] == [("填报新设机构申请", "done"), ("编办审核", "current")]
    assert {"编委会签", "中文域名审核", "并联审核"} <= {title for title, state in steps[2:] if state == "planned"}
    decide(ctx, actors["bianban"], iid)
    _countersign(sqlite_platform, iid)
    after = {s["title"]: s["state"] for s in progress.progress(ctx, actors["admin"], iid)["steps"]}
    assert after["编办审核"] == "done" and after["编委会签"] == "done"
    assert [title for title, _ in steps].count("编办审核") == 1  # a step already on the path is not predicted again

"""The pages of 编制调整 and the region's account: the application through its page, the region's
总量 and 周转池 for administrators (recorded with a basis, never below what is used), a unit's
loans on its register page, and the dashboard's table."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from engine import services
from onestop.bootstrap import Platform
from processes import catalogue as matters
from registry import totals
from registry.models import RegionTotal
from tests.api.test_matters import drive
from tests.conftest import Api, actors_of
from tests.web.test_pages import HTML, browser, csrf_of, log_in

FULL = "事业编制（全额拨款）"


def _example(**changes: Any) -> dict[str, Any]:
    form = matters.load().forms().get("staff_adjustment_application")
    assert form is not None
    return {**form.schema["examples"][0], **changes}


def test_an_increase_is_applied_for_through_its_page(sqlite_platform: Platform) -> None:
    applicant = browser(sqlite_platform)
    log_in(applicant, "applicant")
    home = applicant.get("/", headers=HTML).text
    assert "编制调整" in home
    form = applicant.get("/matters/new/staff_adjustment?example=1", headers=HTML).text
    assert "调整类别" in form and "周转池借用编号" in form
    data = {"csrf": csrf_of(form), **{k: str(v) for k, v in _example().items()}, "_action": "submit"}
    done = applicant.post("/matters/new/staff_adjustment", data=data)
    assert done.status_code == 303, done.text[-600:]
    matter = applicant.get(done.headers["location"], headers=HTML).text
    assert "编制调整：核增事业编制（全额拨款）2名" in matter and "编办审核" in matter and "编委会签" in matter


def test_administrators_record_a_total_never_below_what_is_used(sqlite_platform: Platform) -> None:
    admin = browser(sqlite_platform)
    log_in(admin, "admin")
    page = admin.get("/admin/totals", headers=HTML)
    assert page.status_code == 200 and "编制总量与周转池" in page.text and "晋编〔2024〕12号" in page.text
    assert FULL in page.text and "已核定到单位" in page.text
    with sqlite_platform.ctx.reading() as session:
        used = next(f for f in totals.region_figures(session, "141002") if f.est_type == FULL)
    too_low = {"region_code": "141002", "est_type": FULL, "total": str(used.allocated), "pool": str(used.pool)}
    refused = admin.post("/admin/totals", data={"csrf": csrf_of(page.text), **too_low, "basis": "晋编〔2026〕3号"})
    assert refused.status_code == 422 and "超出编制总量" in refused.text
    no_basis = admin.post("/admin/totals", data={"csrf": csrf_of(page.text), **too_low, "total": "200"})
    assert no_basis.status_code == 422 and "请填写核定依据" in no_basis.text
    fine = {**too_low, "total": "200", "pool": "12", "basis": "晋编〔2026〕3号"}
    saved = admin.post("/admin/totals", data={"csrf": csrf_of(page.text), **fine})
    assert saved.status_code == 303
    with sqlite_platform.ctx.reading() as session:
        row = session.scalars(select(RegionTotal).where(RegionTotal.est_type == FULL)).one()
        assert (row.total, row.pool, row.basis) == (200, 12, "晋编〔2026〕3号")
    clerk = browser(sqlite_platform)
    log_in(clerk, "applicant")
    assert clerk.get("/admin/totals", headers=HTML).status_code == 403


def test_a_loan_shows_on_the_unit_the_region_and_the_dashboard(sqlite_api: Api) -> None:
    sqlite_platform = sqlite_api.platform
    ctx, actors = sqlite_platform.ctx, actors_of(sqlite_platform)
    data = _example(kind="周转池借用", places=3, months=12)
    iid = services.start(ctx, actors["applicant"], process_key="staff_adjustment", data=data)["id"]
    finished = drive(sqlite_api, iid)
    number = finished["data"]["results"]["adjustment"]["loan_number"]
    admin = browser(sqlite_platform)
    log_in(admin, "admin")
    unit = admin.get("/admin/units/demo-unit-001", headers=HTML).text
    assert "周转池借用" in unit and number in unit and "借用中" in unit
    region = admin.get("/admin/totals", headers=HTML).text
    assert number in region and "示范市数据资源服务中心" in region
    board = admin.get("/admin/dashboard", headers=HTML).text
    assert "编制总量使用情况" in board


def test_a_legal_person_change_through_its_page(sqlite_platform: Platform) -> None:
    """The repeated 变更事项 with an optional 身份证号 left empty posts as the form means it."""
    applicant = browser(sqlite_platform)
    log_in(applicant, "applicant")
    form = applicant.get("/matters/new/legal_person_change?example=1", headers=HTML).text
    assert "变更事项" in form and "证明材料或批准文号" in form
    data = {
        "csrf": csrf_of(form),
        "kind": "变更登记",
        "changes.0.item": "住所",
        "changes.0.after": "示范市尧都区解放路99号",
        "changes.0.id_number": "",
        "changes.0.evidence": "不动产权证书",
        "reason": "单位整体搬迁，申请变更住所。",
        "contact_person": "陈晓雯",
        "contact_phone": "13800138000",
        "_action": "submit",
    }
    done = applicant.post("/matters/new/legal_person_change", data=data)
    assert done.status_code == 303, done.text[-800:]
    matter = applicant.get(done.headers["location"], headers=HTML).text
    assert "法人变更登记：住所" in matter and "登记管理局审查决定" in matter


def test_bianban_proposes_an_adjustment_through_its_page(sqlite_platform: Platform) -> None:
    office = browser(sqlite_platform)
    log_in(office, "bianban2")
    home = office.get("/", headers=HTML).text
    assert "代单位提出" in home and "/proposals/new/staff_adjustment" in home
    form = office.get("/proposals/new/staff_adjustment?example=1", headers=HTML).text
    assert "编办代为提出" in form and "为哪个单位提出" in form and "示范市档案馆" in form
    fields = {k: str(v) for k, v in _example(kind="核增", places=1).items()}
    no_unit = office.post("/proposals/new/staff_adjustment", data={"csrf": csrf_of(form), **fields})
    assert no_unit.status_code == 422 and "请选择单位" in no_unit.text
    done = office.post(
        "/proposals/new/staff_adjustment", data={"csrf": csrf_of(form), **fields, "_unit": "demo-unit-003"}
    )
    assert done.status_code == 303, done.text[-600:]
    clerk = browser(sqlite_platform)
    log_in(clerk, "clerk003")
    clerk_home = clerk.get("/", headers=HTML).text
    assert "请本单位办理" in clerk_home and "编制调整：核增事业编制（全额拨款）1名" in clerk_home
    assert "被退回补正" not in clerk_home
    applicant = browser(sqlite_platform)
    log_in(applicant, "applicant")
    assert applicant.get("/proposals/new/staff_adjustment", headers=HTML).status_code == 403

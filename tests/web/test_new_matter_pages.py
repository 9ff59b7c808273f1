"""The pages of the matters added after the first five: a form whose own field is called ``action``
posts through the page, and a unit asked to consent finds the task on its home page."""

from __future__ import annotations

from engine import services
from onestop.bootstrap import Platform
from processes import catalogue as matters
from tests.conftest import actors_of
from tests.web.test_pages import HTML, browser, csrf_of, log_in


def _example(form_key: str) -> dict[str, str]:
    form = matters.load().forms().get(form_key)
    assert form is not None
    return {k: v for k, v in form.schema["examples"][0].items() if isinstance(v, str)}


def test_a_field_called_action_is_not_taken_for_the_pressed_button(sqlite_platform: Platform) -> None:
    """任免类别 (``action``) beside the page's own 提交申请 button: the field's value is submitted."""
    applicant = browser(sqlite_platform)
    log_in(applicant, "applicant")
    form = applicant.get("/matters/new/leader_appointment?example=1", headers=HTML).text
    assert '<option value="appoint" selected>任职</option>' in form
    assert form.count('name="action"') == 1  # the field alone: a button of that name would replace its value
    data = {"csrf": csrf_of(form), **_example("leader_appointment_application"), "_action": "submit"}
    done = applicant.post("/matters/new/leader_appointment", data=data)
    assert done.status_code == 303, done.text[-600:]
    matter = applicant.get(done.headers["location"], headers=HTML).text
    assert "任职：赵磊（副主任）" in matter and "编办领导职数事前沟通" in matter

    draft = {"csrf": csrf_of(form), **_example("leader_appointment_application"), "_action": "draft"}
    saved = applicant.post("/matters/new/leader_appointment", data={**draft, "position": "主任"})
    assert saved.status_code in (200, 303), saved.text[-600:]
    resumed = applicant.get("/matters/new/leader_appointment", headers=HTML).text
    assert 'value="主任"' in resumed and '<option value="appoint" selected>任职</option>' in resumed


def test_the_unit_left_finds_the_consent_on_its_home_page(sqlite_platform: Platform) -> None:
    ctx, actors = sqlite_platform.ctx, actors_of(sqlite_platform)
    example = matters.load().forms().get("staff_transfer_application")
    assert example is not None
    iid = services.start(ctx, actors["applicant"], process_key="staff_transfer", data=example.schema["examples"][0])[
        "id"
    ]
    unit_left = browser(sqlite_platform)
    log_in(unit_left, "clerk003")
    home = unit_left.get("/", headers=HTML).text
    assert "请本单位办理" in home and "人员调动：孙伟（示范市档案馆调入）" in home
    assert "被退回补正" not in home  # a consent asked is not a correction
    applicant = browser(sqlite_platform)
    log_in(applicant, "applicant")
    own = applicant.get("/", headers=HTML).text
    assert "请本单位办理" not in own  # the receiving unit waits; the consent is not its task
    matter = applicant.get(f"/matters/{iid}", headers=HTML).text
    assert "调出单位同意调出" in matter and "相关单位" in matter


def test_the_unit_page_shows_the_legal_person_items(sqlite_platform: Platform) -> None:
    from datetime import date
    from decimal import Decimal

    from sqlalchemy import select

    from registry.models import LegalPerson, Unit

    with sqlite_platform.ctx.transaction() as session:
        unit_id = session.scalars(select(Unit.id).where(Unit.code == "demo-unit-003")).one()
        session.add(
            LegalPerson(
                unit_id=unit_id,
                representative="吴强",
                representative_id="141002196608180217",
                address="示范市文博路8号",
                purpose="保管档案，提供利用服务。",
                start_fund=Decimal("120.50"),
                sponsor="示范市人民政府办公室",
                registered_on=date(2026, 1, 5),
                valid_until=date(2031, 1, 5),
            )
        )
    admin = browser(sqlite_platform)
    log_in(admin, "admin")
    page = admin.get("/admin/units/demo-unit-003", headers=HTML).text
    assert "事业单位法人登记事项" in page and "示范市文博路8号" in page and "120.5万元" in page
    assert "2031-01-05" in page
    assert "事业单位法人登记事项" not in admin.get("/admin/units/demo-unit-002", headers=HTML).text

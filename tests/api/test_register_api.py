"""The register over HTTP, and the frozen-unit refusal."""

from __future__ import annotations

from tests.api.helpers import application, assert_error
from tests.conftest import Api


def test_units_and_figures(shared_api: Api) -> None:
    units = shared_api.get("/api/v1/register/units", "bianban").json()
    assert {u["code"] for u in units} >= {"demo-unit-001", "demo-unit-002", "demo-unit-003", "demo-unit-004"}
    unit = shared_api.get("/api/v1/register/units/demo-unit-003", "bianban").json()
    over = next(f for f in unit["figures"] if f["est_type"] == "事业编制（全额拨款）")
    assert (over["approved"], over["actual"], over["state"]) == (3, 4, "超编")
    staff = shared_api.get("/api/v1/register/units/demo-unit-003/persons?limit=2", "bianban").json()
    assert staff["total"] == 4 and len(staff["items"]) == 2


def test_applicant_sees_only_its_unit(shared_api: Api) -> None:
    assert [u["code"] for u in shared_api.get("/api/v1/register/units", "applicant").json()] == ["demo-unit-001"]
    assert_error(shared_api.get("/api/v1/register/units/demo-unit-002", "applicant"), 404, "unit_not_found")
    assert_error(shared_api.get("/api/v1/register/units", "archivist"), 403, "register_forbidden")


def test_frozen_unit_gets_409(shared_api: Api) -> None:
    body = {"process_key": "demo_cross_department", "data": application()}
    response = shared_api.post("/api/v1/instances", "applicant_frozen", json=body)
    error = assert_error(response, 409, "unit_frozen")
    assert "冻结" in error["message"]


def test_other_departments_see_the_units_they_deal_with_and_masked_id_numbers(api: Api) -> None:
    from sqlalchemy import select

    from kernel.audit import AuditEvent
    from tests.api.helpers import start

    assert api.get("/api/v1/register/units", "caizheng").json() == []  # no matter yet: no unit
    assert_error(api.get("/api/v1/register/units/demo-unit-001/persons", "caizheng"), 404, "unit_not_found")
    start(api)  # the applicant's unit applies; the matter has a 财政局 step
    assert [u["code"] for u in api.get("/api/v1/register/units", "caizheng").json()] == ["demo-unit-001"]
    masked = api.get("/api/v1/register/units/demo-unit-001/persons", "caizheng").json()
    full = api.get("/api/v1/register/units/demo-unit-001/persons", "renshe").json()
    own = api.get("/api/v1/register/units/demo-unit-001/persons", "applicant").json()
    assert masked["total"] == full["total"] > 0
    assert masked["id_numbers_masked"] and not full["id_numbers_masked"] and not own["id_numbers_masked"]
    for hidden, shown in zip(masked["items"], full["items"], strict=True):
        assert len(shown["id_number"]) == 18 and "*" not in shown["id_number"]
        assert hidden["id_number"] == shown["id_number"][:6] + "********" + shown["id_number"][-4:]
    assert own["items"] == full["items"]
    with api.platform.ctx.reading() as session:
        reads = session.execute(
            select(AuditEvent.actor, AuditEvent.details).where(AuditEvent.action == "register_persons_read")
        ).all()
    assert {(actor, details["id_numbers"]) for actor, details in reads} == {
        ("caizheng", False),
        ("renshe", True),
        ("applicant", True),
    }

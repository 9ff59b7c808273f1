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

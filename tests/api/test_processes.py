"""The process list and the start form (JSON Schema with valid examples)."""

from __future__ import annotations

from pathlib import Path

import pytest

from processes import catalogue as matters
from tests.api.helpers import PROCESS_KEY, assert_error
from tests.conftest import Api
from tests.seasons import filled, in_season


def test_list_processes(api: Api) -> None:
    response = api.get("/api/v1/processes", "applicant")
    assert response.status_code == 200
    shipped = sorted(path.stem for path in (Path(__file__).parents[2] / "processes").rglob("*.bpmn"))
    assert [p["key"] for p in response.json()] == shipped
    listed = response.json()
    assert {"key": PROCESS_KEY, "version": 1, "name": "跨部门联办演示", "opened_by_department": False} in listed
    assert {"key": "staff_entry", "version": 1, "name": "入编", "opened_by_department": False} in listed
    assert [p["key"] for p in listed if p["opened_by_department"]] == ["payroll_rectification"]


def test_start_form_is_the_application_schema_and_its_examples_validate(api: Api) -> None:
    response = api.get(f"/api/v1/processes/{PROCESS_KEY}/form", "applicant")
    assert response.status_code == 200
    schema = response.json()
    registry = matters.load().forms()
    form = registry.get("demo_application")
    assert form is not None
    assert schema == form.schema
    assert schema["$id"] == "onestop:forms/demo_application"
    assert set(schema["required"]) == {
        "unit_name",
        "credit_code",
        "contact_person",
        "contact_phone",
        "summary",
        "requested_places",
    }
    assert schema["examples"], "the form must carry at least one example"
    for example in schema["examples"]:
        assert form.validate(example) == []


def test_every_shipped_form_has_valid_examples() -> None:
    registry = matters.load().forms()
    repo = Path(__file__).parents[2]
    folders = [repo / "forms" / "schemas", *(repo / "processes").glob("*/forms")]
    shipped = sorted(path.stem for folder in folders for path in folder.glob("*.json"))
    assert registry.keys() == shipped and "staff_entry_application" in shipped
    assert registry.check_examples() == {}


def test_every_example_can_actually_be_submitted(sqlite_api: Api) -> None:
    for process in sqlite_api.get("/api/v1/processes", "applicant").json():
        key = process["key"]
        schema = sqlite_api.get(f"/api/v1/processes/{key}/form", "applicant").json()
        if process["opened_by_department"]:  # 编办 opens it for a unit; nobody starts it
            refused = sqlite_api.post("/api/v1/instances", "applicant", json={"process_key": key, "data": {}})
            assert refused.status_code == 409 and refused.json()["code"] == "opened_by_department"
            continue
        with in_season(key):
            sqlite_api.forget_tokens()
            for example in schema["examples"]:
                body = {"process_key": key, "data": filled(sqlite_api.platform, key, example)}
                response = sqlite_api.post("/api/v1/instances", "applicant", json=body)
                assert response.status_code == 201, response.text
                assert response.json()["status"] == "running"
        sqlite_api.forget_tokens()


@pytest.mark.parametrize("user", ["bianban", "archivist", "admin"])
def test_every_logged_in_user_may_read_processes_and_forms(shared_api: Api, user: str) -> None:
    assert shared_api.get("/api/v1/processes", user).status_code == 200
    assert shared_api.get(f"/api/v1/processes/{PROCESS_KEY}/form", user).status_code == 200


def test_unknown_process_form(shared_api: Api) -> None:
    assert_error(shared_api.get("/api/v1/processes/no_such_process/form", "applicant"), 404, "process_not_found")


def test_invalid_process_key_in_path(shared_api: Api) -> None:
    body = assert_error(shared_api.get("/api/v1/processes/1-bad key/form", "applicant"), 422, "request_invalid")
    assert body["details"][0]["path"] == "/path/key"


def test_processes_need_a_login(shared_api: Api) -> None:
    assert_error(shared_api.client.get("/api/v1/processes"), 401, "not_authenticated")
    assert_error(shared_api.client.get(f"/api/v1/processes/{PROCESS_KEY}/form"), 401, "not_authenticated")

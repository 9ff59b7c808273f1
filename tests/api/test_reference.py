"""Reference tools over HTTP: validators, efficiency, working-day calendar."""

from __future__ import annotations

import pytest

from tests.api.helpers import assert_error, has_chinese
from tests.conftest import Api


@pytest.mark.parametrize(
    ("kind", "value", "valid", "normalized"),
    [
        ("uscc", "12100000400000624D", True, "12100000400000624D"),
        ("uscc", "12100000400000624E", False, None),
        ("ric", "110105491231002", True, "11010519491231002X"),
        ("ric", "110105199002300001", False, None),
        ("orgcode", "40000062-4", True, "400000624"),
    ],
)
def test_validate(shared_api: Api, kind: str, value: str, valid: bool, normalized: str | None) -> None:
    response = shared_api.post(f"/api/v1/validate/{kind}", "applicant", json={"value": value})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"valid", "normalized", "errors", "warnings"}
    assert (body["valid"], body["normalized"]) == (valid, normalized)
    assert all(has_chinese(m) for m in body["errors"] + body["warnings"])


def test_validate_unknown_kind_and_login_required(shared_api: Api) -> None:
    assert shared_api.post("/api/v1/validate/iban", "applicant", json={"value": "x"}).status_code == 422
    assert_error(shared_api.client.post("/api/v1/validate/uscc", json={"value": "x"}), 401, "not_authenticated")


def test_efficiency(shared_api: Api) -> None:
    body = {"gamma": "11", "establishment": 20, "requested": 2, "published": True}
    response = shared_api.post("/api/v1/efficiency", "bianban", json=body)
    assert response.json() == {"delta": "5.00", "epsilon_percent": "110.00", "max_requestable": 2}
    bad = shared_api.post("/api/v1/efficiency", "bianban", json={**body, "establishment": 0})
    assert_error(bad, 422, "request_invalid")


def test_calendar_read_count_and_admin_edit(sqlite_api: Api) -> None:
    year = sqlite_api.get("/api/v1/calendar/2026", "bianban").json()
    assert year["announced"] is True
    assert {"day": "2026-02-14", "is_workday": True, "note": "春节调休上班"} in year["exceptions"]
    count = sqlite_api.get("/api/v1/calendar/add-workdays?start=2026-02-13&days=2", "bianban").json()
    assert count["date"] == "2026-02-24"
    edit = {"is_workday": False, "note": "元旦"}
    assert_error(
        sqlite_api.client.put("/api/v1/calendar/days/2027-01-01", json=edit, headers=sqlite_api.headers("bianban")),
        403,
        "admin_only",
    )
    assert (
        sqlite_api.client.put(
            "/api/v1/calendar/days/2027-01-01", json=edit, headers=sqlite_api.headers("admin")
        ).status_code
        == 200
    )
    assert sqlite_api.client.put(
        "/api/v1/calendar/years/2027", json={"announced": True}, headers=sqlite_api.headers("admin")
    ).json() == {"year": 2027, "announced": True}
    after = sqlite_api.get("/api/v1/calendar/add-workdays?start=2026-12-31&days=1", "bianban").json()
    assert after == {"start": "2026-12-31", "days": 1, "date": "2027-01-04", "unannounced_years": []}
    history = sqlite_api.get("/api/v1/calendar/2027", "admin").json()
    assert history["exceptions"] == [{"day": "2027-01-01", "is_workday": False, "note": "元旦"}]

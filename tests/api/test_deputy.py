"""代理 through HTTP on SQLite and PostgreSQL: an approver away names a deputy; the seats and
transfers meant for them go to the deputy, shown as on their behalf, only within the days away."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from kernel import clock
from tests.api.helpers import add_user, assert_error, open_task, start
from tests.conftest import Api
from tests.engine.test_sign_rules import _deploy


def _away(api: Api, who: str, deputy: str, *, starts: int = 0, days: int = 3) -> Any:
    first = clock.today() + timedelta(days=starts)
    body = {"deputy": deputy, "from": first.isoformat(), "to": (first + timedelta(days=days)).isoformat()}
    return api.client.put("/api/v1/me/deputy", headers=api.headers(who), json=body)


def test_a_seat_meant_for_someone_away_goes_to_their_deputy(api: Api, tmp_path: Path) -> None:
    set_up = _away(api, "bianwei1", "bianwei2")
    assert set_up.status_code == 200, set_up.text
    assert set_up.json()["deputy_name"] == "吴秀兰" and set_up.json()["active"] is True
    assert api.get("/api/v1/me/deputy", "bianwei1").json()["deputy"] == "bianwei2"

    _deploy(api.platform, tmp_path, "deputy_vote", "all", completion=False)
    started = api.post("/api/v1/instances", "applicant", json={"process_key": "deputy_vote", "data": {}})
    seats = sorted((t["assignee"], t["on_behalf_of"] or "") for t in started.json()["tasks"])
    assert seats == [("bianwei2", ""), ("bianwei2", "bianwei1"), ("bianwei3", "")]
    inbox = api.get("/api/v1/tasks", "bianwei2").json()
    assert {t["on_behalf_of_name"] for t in inbox} == {None, "周志刚"}
    for task in inbox:
        done = api.post(f"/api/v1/tasks/{task['id']}/complete", "bianwei2", json={"decision": "approve"})
        assert done.status_code == 200, done.text

    assert api.client.delete("/api/v1/me/deputy", headers=api.headers("bianwei1")).status_code == 204
    assert api.get("/api/v1/me/deputy", "bianwei1").json() is None
    assert_error(api.client.delete("/api/v1/me/deputy", headers=api.headers("bianwei1")), 404, "deputy_not_set")
    again = api.post("/api/v1/instances", "applicant", json={"process_key": "deputy_vote", "data": {}})
    assert sorted(t["assignee"] for t in again.json()["tasks"]) == ["bianwei1", "bianwei2", "bianwei3"]


def test_nothing_is_routed_before_the_days_away(api: Api, tmp_path: Path) -> None:
    assert _away(api, "bianwei1", "bianwei2", starts=1).json()["active"] is False
    _deploy(api.platform, tmp_path, "deputy_later", "all", completion=False)
    started = api.post("/api/v1/instances", "applicant", json={"process_key": "deputy_later", "data": {}})
    assert sorted(t["assignee"] for t in started.json()["tasks"]) == ["bianwei1", "bianwei2", "bianwei3"]


def test_a_transfer_to_someone_away_reaches_their_deputy(api: Api) -> None:
    add_user(api.platform, "bianban3", roles=["approver"], departments=["bianban"])
    assert _away(api, "bianban2", "bianban3").status_code == 200
    matter = start(api)["id"]
    task = open_task(api, matter, "bianban")["id"]
    moved = api.post(f"/api/v1/tasks/{task}/transfer", "bianban", json={"to": "bianban2"})
    assert (moved.json()["assignee"], moved.json()["on_behalf_of"]) == ("bianban3", "bianban2")
    told = [n["message"] for n in api.get("/api/v1/notifications?kind=task", "bianban3").json()]
    assert any("转办给马晓东，由您代理" in m for m in told)


def test_deputy_refusals(api: Api) -> None:
    assert_error(_away(api, "bianwei1", "zuzhi"), 422, "deputy_outside_department")
    assert_error(_away(api, "bianwei1", "bianwei1"), 422, "deputy_self")
    assert_error(_away(api, "bianwei1", "nobody"), 422, "unknown_user")
    assert_error(_away(api, "bianwei1", "bianwei2", starts=-10, days=2), 422, "invalid_period")
    assert_error(_away(api, "bianwei1", "bianwei2", days=400), 422, "invalid_period")
    assert_error(_away(api, "applicant", "bianban"), 403, "approver_only")
    backwards = {"deputy": "bianwei2", "from": "2030-01-10", "to": "2030-01-01"}
    refused = api.client.put("/api/v1/me/deputy", headers=api.headers("bianwei1"), json=backwards)
    assert_error(refused, 422, "invalid_period")
    assert api.get("/api/v1/me/deputy", "bianwei1").json() is None

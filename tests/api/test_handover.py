"""转办, 委派, 抄送 and 催办 through HTTP, on SQLite and PostgreSQL: who holds the task after each,
who may read the matter, what is refused, what lands in the audit trail and the messages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import time_machine
from sqlalchemy import select

from kernel import clock
from kernel.records import AuditEvent
from tests.api.helpers import add_user, assert_error, decide, has_chinese, instance, open_task, start
from tests.conftest import Api
from tests.engine.test_sign_rules import _deploy


def _post(api: Api, path: str, as_user: str, body: dict[str, Any] | None = None) -> Any:
    return api.post(path, as_user, json=body if body is not None else {})


def _messages(api: Api, username: str, kind: str) -> list[str]:
    answer = api.get(f"/api/v1/notifications?kind={kind}", username)
    assert answer.status_code == 200, answer.text
    return [n["message"] for n in answer.json()]


def _audit(api: Api, instance_id: str, action: str) -> list[dict[str, Any]]:
    with api.platform.ctx.reading() as session:
        query = select(AuditEvent).where(AuditEvent.instance_id == instance_id, AuditEvent.action == action)
        return [{"actor": e.actor, "details": e.details} for e in session.scalars(query)]


def test_transfer_hands_the_task_to_a_colleague_who_then_decides(api: Api) -> None:
    matter = start(api)["id"]
    task = open_task(api, matter, "bianban")
    moved = _post(api, f"/api/v1/tasks/{task['id']}/transfer", "bianban", {"to": "bianban2", "opinion": "请你办理"})
    assert moved.status_code == 200, moved.text
    assert moved.json()["assignee"] == "bianban2"
    # The first approver no longer holds it; the colleague does and decides it.
    assert_error(decide(api, matter, "bianban"), 409, "task_claimed_by_other")
    assert [t["id"] for t in api.get("/api/v1/tasks", "bianban2").json()] == [task["id"]]
    assert decide(api, matter, "bianban", as_user="bianban2").status_code == 200
    assert any("转办给您" in m and "请你办理" in m for m in _messages(api, "bianban2", "task"))
    assert _audit(api, matter, "transfer") == [
        {"actor": "bianban", "details": {"to": "bianban2", "opinion": "请你办理"}}
    ]


def test_transfer_refusals(api: Api) -> None:
    matter = start(api)["id"]
    task = open_task(api, matter, "bianban")["id"]
    path = f"/api/v1/tasks/{task}/transfer"
    body = assert_error(_post(api, path, "bianban", {"to": "zuzhi"}), 422, "handover_outside_department")
    assert has_chinese(body["message"])
    assert_error(_post(api, path, "bianban", {"to": "bianban"}), 422, "handover_to_self")
    assert_error(_post(api, path, "bianban", {"to": "nobody"}), 422, "unknown_user")
    assert_error(_post(api, path, "zuzhi", {"to": "bianban"}), 403, "not_your_task")
    assert_error(_post(api, path, "bianban", {}), 422, "request_invalid")
    assert open_task(api, matter, "bianban")["assignee"] is None  # nothing changed


def test_delegate_comes_back_to_the_owner_who_decides(api: Api) -> None:
    matter = start(api)["id"]
    task = open_task(api, matter, "bianban")["id"]
    asked = _post(api, f"/api/v1/tasks/{task}/delegate", "bianban", {"to": "zuzhi", "opinion": "请核实人员情况"})
    assert asked.status_code == 200, asked.text
    assert (asked.json()["assignee"], asked.json()["delegated_by"]) == ("zuzhi", "bianban")
    # While it is delegated nobody decides it: not the delegate, not the owner.
    assert_error(decide(api, matter, "bianban"), 409, "task_delegated")
    seen = api.get(f"/api/v1/tasks/{task}", "zuzhi").json()
    assert (seen["can_complete"], seen["can_resolve"]) == (False, True)
    assert seen["delegation"]["opinion"] == "请核实人员情况" and seen["delegation"]["owner"] == "bianban"
    assert_error(_post(api, f"/api/v1/tasks/{task}/resolve", "bianban", {"opinion": "x"}), 403, "not_your_task")
    assert_error(_post(api, f"/api/v1/tasks/{task}/resolve", "zuzhi", {"opinion": ""}), 422, "request_invalid")
    back = _post(api, f"/api/v1/tasks/{task}/resolve", "zuzhi", {"opinion": "已核实，情况属实"})
    assert back.status_code == 200, back.text
    assert (back.json()["assignee"], back.json()["delegated_by"]) == ("bianban", None)
    assert any("已核实，情况属实" in m for m in _messages(api, "bianban", "task"))
    assert decide(api, matter, "bianban").status_code == 200
    assert [e["actor"] for e in _audit(api, matter, "delegate_resolved")] == ["zuzhi"]
    assert_error(
        _post(api, f"/api/v1/tasks/{task}/resolve", "zuzhi", {"opinion": "再说"}), 409, "task_already_completed"
    )


def test_delegate_refusals(api: Api) -> None:
    add_user(api.platform, "clerk2", roles=["applicant"], unit_code="demo-unit-001")
    matter = start(api)["id"]
    task = open_task(api, matter, "bianban")["id"]
    path = f"/api/v1/tasks/{task}/delegate"
    assert_error(_post(api, path, "bianban", {"to": "zuzhi"}), 422, "opinion_required")
    assert_error(_post(api, path, "bianban", {"to": "clerk2", "opinion": "帮看"}), 422, "delegate_not_approver")
    assert_error(_post(api, path, "bianban", {"to": "bianban", "opinion": "帮看"}), 422, "handover_to_self")
    assert _post(api, path, "bianban", {"to": "zuzhi", "opinion": "帮看"}).status_code == 200
    # The delegate cannot pass it on, nor can the owner delegate it twice.
    assert_error(_post(api, path, "bianban", {"to": "renshe", "opinion": "再看"}), 409, "task_delegated")
    transfer = _post(api, f"/api/v1/tasks/{task}/transfer", "zuzhi", {"to": "bianban"})
    assert transfer.status_code in (403, 409)


def test_copy_lets_people_and_departments_read_the_matter_without_a_task(api: Api) -> None:
    add_user(api.platform, "auditor", roles=["approver"], departments=["zuzhi"])
    matter = start(api)["id"]
    task = open_task(api, matter, "bianban")["id"]
    # Before the copy a person outside every department acting on it cannot read it.
    add_user(api.platform, "reader", roles=["approver"], departments=["bianwei"])
    assert api.get(f"/api/v1/instances/{matter}", "reader").status_code == 404
    copied = _post(api, f"/api/v1/tasks/{task}/copy", "bianban", {"users": ["reader"], "departments": ["caizheng"]})
    assert copied.status_code == 200, copied.text
    assert copied.json()["copied"] == ["reader", "财政局"]
    assert api.get(f"/api/v1/instances/{matter}", "reader").status_code == 200
    assert api.get("/api/v1/tasks", "reader").json() == []  # informed, no task
    assert any("请知悉" in m for m in _messages(api, "reader", "copy"))
    again = _post(api, f"/api/v1/tasks/{task}/copy", "bianban", {"users": ["reader"]})
    assert again.json() == {"task_id": task, "copied": [], "already": ["reader"]}
    assert len(_messages(api, "reader", "copy")) == 1  # told once
    assert_error(_post(api, f"/api/v1/tasks/{task}/copy", "bianban", {}), 422, "copy_empty")
    assert_error(
        _post(api, f"/api/v1/tasks/{task}/copy", "bianban", {"departments": ["nope"]}), 422, "unknown_department"
    )
    assert_error(_post(api, f"/api/v1/tasks/{task}/copy", "bianban", {"users": ["bianban"]}), 422, "copy_to_self")
    assert len(_audit(api, matter, "copy")) == 2


def test_urge_reminds_the_holders_once_per_four_hours(api: Api) -> None:
    matter = start(api)["id"]
    path = f"/api/v1/instances/{matter}/urge"
    with time_machine.travel(clock.now(), tick=True) as traveller:
        urged = _post(api, path, "applicant", {"opinion": "单位急需，请尽快办理"})
        assert urged.status_code == 200, urged.text
        assert len(urged.json()["urged"]) == 4  # the four parallel reviews
        assert any("单位急需" in m for m in _messages(api, "bianban", "urge"))
        refused = assert_error(_post(api, path, "applicant"), 429, "urge_too_often")
        assert "小时" in refused["message"] or "分钟" in refused["message"]
        traveller.shift(4 * 3600 + 1)
        api.forget_tokens()
        assert _post(api, path, "applicant").status_code == 200
    assert [e["actor"] for e in _audit(api, matter, "urge")] == ["applicant", "applicant"]
    # An approver does not urge the step they hold themselves; others' steps, yes.
    assert len(_post(api, path, "bianban").json()["urged"]) == 3
    assert_error(_post(api, path, "archivist"), 404, "instance_not_found")


def test_nothing_to_urge_on_a_finished_matter(api: Api) -> None:
    matter = start(api)["id"]
    assert api.post(f"/api/v1/instances/{matter}/withdraw", "applicant", json={}).status_code == 200
    assert instance(api, matter)["status"] == "withdrawn"
    assert_error(_post(api, f"/api/v1/instances/{matter}/urge", "applicant"), 409, "instance_finished")


def test_a_transfer_retried_with_its_key_gets_the_first_answer(api: Api) -> None:
    matter = start(api)["id"]
    task = open_task(api, matter, "bianban")["id"]
    headers = {**api.headers("bianban"), "Idempotency-Key": "transfer-once"}
    first = api.client.post(f"/api/v1/tasks/{task}/transfer", headers=headers, json={"to": "bianban2"})
    again = api.client.post(f"/api/v1/tasks/{task}/transfer", headers=headers, json={"to": "bianban2"})
    assert first.status_code == again.status_code == 200
    assert again.headers.get("Idempotent-Replayed") == "true" and again.json() == first.json()
    assert len(_audit(api, matter, "transfer")) == 1


def test_a_personal_vote_seat_is_not_passed_on_but_may_be_copied(api: Api, tmp_path: Path) -> None:
    _deploy(api.platform, tmp_path, "seat_vote", "all", completion=False)
    seats = api.post("/api/v1/instances", "applicant", json={"process_key": "seat_vote", "data": {}}).json()["tasks"]
    seat = next(t["id"] for t in seats if t["assignee"] == "bianwei1")
    path = f"/api/v1/tasks/{seat}"
    assert_error(_post(api, f"{path}/transfer", "bianwei1", {"to": "bianwei2"}), 409, "personal_seat")
    assert_error(
        _post(api, f"{path}/delegate", "bianwei1", {"to": "bianwei2", "opinion": "代投"}), 409, "personal_seat"
    )
    assert _post(api, f"{path}/copy", "bianwei1", {"departments": ["bianban"]}).status_code == 200
    assert api.get(path, "bianwei1").json()["personal_seat"] is True

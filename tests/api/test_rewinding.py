"""退回到任一环节 and 撤回 through HTTP, on SQLite and PostgreSQL: where a matter may go back to, who
holds what afterwards, what stays as history, and every refusal."""

from __future__ import annotations

import threading
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from engine import services
from engine.models import Task
from engine.services import rewinding
from kernel.errors import Conflict
from kernel.records import AuditEvent
from tests.api.helpers import (
    PROCESS_KEY,
    REVIEW_DEPARTMENTS,
    application,
    assert_error,
    decide,
    has_chinese,
    instance,
    open_task,
    start,
)
from tests.api.test_matters import drive
from tests.api.test_matters import start as start_matter
from tests.conftest import Api, actors_of, make_platform


def _post(api: Api, path: str, as_user: str, body: dict[str, Any] | None = None) -> Any:
    return api.post(path, as_user, json=body if body is not None else {})


def _steps(api: Api, task_id: str, as_user: str) -> list[dict[str, Any]]:
    answer = api.get(f"/api/v1/tasks/{task_id}/return-steps", as_user)
    assert answer.status_code == 200, answer.text
    return list(answer.json())


def _rows(api: Api, instance_id: str) -> list[tuple[str, str, str | None]]:
    """(department, state, decision) of every task row of the matter, oldest first."""
    with api.platform.ctx.reading() as session:
        rows = session.scalars(select(Task).where(Task.instance_id == instance_id).order_by(Task.created_at, Task.id))
        return [(t.department, t.state, t.decision) for t in rows]


def _audit(api: Api, instance_id: str, action: str) -> list[dict[str, Any]]:
    with api.platform.ctx.reading() as session:
        query = select(AuditEvent).where(AuditEvent.instance_id == instance_id, AuditEvent.action == action)
        return [
            {"actor": e.actor, "opinion": e.opinion, "status_after": e.status_after, "details": e.details}
            for e in session.scalars(query)
        ]


def _messages(api: Api, username: str) -> list[str]:
    return [n["message"] for n in api.get("/api/v1/notifications?kind=task", username).json()]


def test_a_parallel_review_returns_the_matter_to_the_applicant_and_every_branch_runs_again(api: Api) -> None:
    matter = start(api)["id"]
    assert decide(api, matter, "bianban").status_code == 200
    task = open_task(api, matter, "zuzhi")
    assert _steps(api, task["id"], "zuzhi") == [
        {"step": "submit", "title": "填报申请", "department": "applicant", "allowed": True, "reason": None}
    ]
    sent = _post(api, f"/api/v1/tasks/{task['id']}/return-to", "zuzhi", {"step": "submit", "opinion": "申请表填写不全"})
    assert sent.status_code == 200, sent.text
    assert sent.json()["status"] == "returned"
    assert [t["department"] for t in sent.json()["tasks"]] == ["applicant"]
    # The returning task is done with its reason; the branches still open were dropped, bianban's
    # approval stays as history.
    states = _rows(api, matter)
    assert ("zuzhi", "completed", "return_to") in states and ("bianban", "completed", "approve") in states
    assert sorted(d for d, s, _ in states if s == "cancelled") == ["caizheng", "renshe"]
    assert any("暂不需办理" in m and "退回到“填报申请”" in m for m in _messages(api, "renshe"))
    [event] = _audit(api, matter, "return_to")
    assert (event["actor"], event["opinion"], event["status_after"]) == ("zuzhi", "申请表填写不全", "returned")
    assert event["details"]["to"] == "填报申请"
    # The applicant resubmits and all four departments review again (from the stored workflow).
    api.platform.ctx.store.clear()
    form = api.get(f"/api/v1/tasks/{open_task(api, matter, 'applicant')['id']}", "applicant").json()
    assert decide(api, matter, "applicant", "submit", data=form["prefill"], as_user="applicant").status_code == 200
    assert sorted(t["department"] for t in instance(api, matter)["tasks"]) == sorted(REVIEW_DEPARTMENTS)


def test_return_to_refusals(api: Api) -> None:
    matter = start(api)["id"]
    task = open_task(api, matter, "zuzhi")["id"]
    path = f"/api/v1/tasks/{task}/return-to"
    elsewhere = {"step": "review_bianban", "opinion": "x"}  # a parallel branch, not on zuzhi's path
    body = assert_error(_post(api, path, "zuzhi", elsewhere), 422, "return_step_unknown")
    assert has_chinese(body["message"])
    assert_error(_post(api, path, "zuzhi", {"step": "submit", "opinion": " "}), 422, "opinion_required")
    assert_error(_post(api, path, "zuzhi", {"opinion": "x"}), 422, "request_invalid")
    assert_error(_post(api, path, "bianban", {"step": "submit", "opinion": "x"}), 403, "not_your_task")
    assert_error(api.get(f"/api/v1/tasks/{task}/return-steps", "bianban"), 403, "not_your_task")
    assert len(instance(api, matter)["tasks"]) == 4  # nothing changed


def test_recall_reopens_the_decision_for_its_author_on_its_old_time_limit(api: Api) -> None:
    matter = start(api)["id"]
    before = open_task(api, matter, "bianban")
    assert decide(api, matter, "bianban", "approve", "同意").status_code == 200
    back = _post(api, f"/api/v1/tasks/{before['id']}/recall", "bianban", {"opinion": "需再核实"})
    assert back.status_code == 200, back.text
    reopened = back.json()
    assert reopened["id"] != before["id"] and reopened["state"] == "open"
    assert (reopened["assignee"], reopened["due_at"]) == ("bianban", before["due_at"])
    assert ("bianban", "recalled", "approve") in _rows(api, matter)
    [event] = _audit(api, matter, "recall")
    assert (event["actor"], event["opinion"], event["details"]["reopened"]) == ("bianban", "需再核实", reopened["id"])
    # The other branches did not move; the reopened task is decided again (from the stored workflow).
    api.platform.ctx.store.clear()
    assert sorted(t["department"] for t in instance(api, matter)["tasks"]) == sorted(REVIEW_DEPARTMENTS)
    assert decide(api, matter, "bianban", "approve").status_code == 200
    for department in ("zuzhi", "renshe", "caizheng"):
        assert decide(api, matter, department).status_code == 200
    assert instance(api, matter)["status"] == "completed"


def test_recall_refusals(api: Api) -> None:
    matter = start(api)["id"]
    bianban = open_task(api, matter, "bianban")["id"]
    assert_error(_post(api, f"/api/v1/tasks/{bianban}/recall", "bianban"), 409, "task_not_decided")
    assert decide(api, matter, "bianban").status_code == 200
    assert_error(_post(api, f"/api/v1/tasks/{bianban}/recall", "zuzhi"), 403, "not_your_decision")
    # After the join: bianban's approval flowed into the join with the others; the last one's return
    # opened the applicant's task, which bianban's recall would not drop.
    for department in ("zuzhi", "renshe"):
        assert decide(api, matter, department).status_code == 200
    last = open_task(api, matter, "caizheng")["id"]
    assert decide(api, matter, "caizheng", "return", "请补充材料").status_code == 200
    assert_error(_post(api, f"/api/v1/tasks/{bianban}/recall", "bianban"), 409, "recall_not_possible")
    # The last one may still recall its return: the applicant has not resubmitted.
    again = _post(api, f"/api/v1/tasks/{last}/recall", "caizheng")
    assert again.status_code == 200, again.text
    assert_error(_post(api, f"/api/v1/tasks/{last}/recall", "caizheng"), 409, "task_already_recalled")
    assert instance(api, matter)["status"] == "running"
    assert decide(api, matter, "caizheng", "approve").status_code == 200
    assert instance(api, matter)["status"] == "completed"
    assert_error(_post(api, f"/api/v1/tasks/{last}/recall", "caizheng"), 409, "instance_finished")


def test_a_register_write_is_not_crossed_by_a_return_or_a_recall(sqlite_api: Api) -> None:
    api = sqlite_api
    matter = start_matter(api, "staff_entry")
    review = open_task(api, matter, "bianban")
    assert _steps(api, review["id"], "bianban")[0]["step"] == "submit"
    assert decide(api, matter, "bianban", "approve", "同意").status_code == 200
    # Approving reserved the places (核准使用编制通知单): that is not undone by going back.
    assert_error(_post(api, f"/api/v1/tasks/{review['id']}/recall", "bianban"), 409, "recall_crosses_register")
    hire = next(t for t in instance(api, matter)["tasks"])
    steps = _steps(api, hire["id"], hire["department"])
    assert [(s["step"], s["allowed"]) for s in steps] == [("review_bianban", False), ("submit", False)]
    assert "核发核准使用编制通知单" in steps[0]["reason"]
    refused = _post(
        api, f"/api/v1/tasks/{hire['id']}/return-to", hire["department"], {"step": "review_bianban", "opinion": "x"}
    )
    assert_error(refused, 409, "return_crosses_register")
    assert drive(api, matter)["status"] == "completed"


def test_recall_after_the_next_step_acted_is_refused(api: Api) -> None:
    matter = start(api)["id"]
    for department in ("bianban", "zuzhi", "renshe"):
        assert decide(api, matter, department).status_code == 200
    last = open_task(api, matter, "caizheng")["id"]
    assert decide(api, matter, "caizheng", "return", "请补充材料").status_code == 200
    form = api.get(f"/api/v1/tasks/{open_task(api, matter, 'applicant')['id']}", "applicant").json()
    assert decide(api, matter, "applicant", "submit", data=form["prefill"], as_user="applicant").status_code == 200
    body = assert_error(_post(api, f"/api/v1/tasks/{last}/recall", "caizheng"), 409, "recall_too_late")
    assert "填报申请" in body["message"]


def test_institution_setup_returns_from_the_committee_stage_and_a_seat_cannot(sqlite_api: Api) -> None:
    api = sqlite_api
    matter = start_matter(api, "institution_setup")
    assert decide(api, matter, "bianban").status_code == 200
    seat = instance(api, matter)["tasks"][0]
    assert seat["department"] == "bianwei"
    assert_error(api.get(f"/api/v1/tasks/{seat['id']}/return-steps", seat["assignee"]), 409, "personal_seat")
    # 编办 recalls its approval while no member has voted: the whole vote is dropped.
    review = next(e for e in instance(api, matter)["history"] if e["action"] == "complete")
    back = _post(api, f"/api/v1/tasks/{review['task_id']}/recall", "bianban")
    assert back.status_code == 200, back.text
    assert [t["department"] for t in instance(api, matter)["tasks"]] == ["bianban"]
    assert {s for d, s, _ in _rows(api, matter) if d == "bianwei"} == {"cancelled"}
    # From its review, 编办 may send the matter back to the applicant.
    steps = _steps(api, back.json()["id"], "bianban")
    assert [(s["step"], s["allowed"]) for s in steps] == [("submit", True)]
    again = back.json()["id"]
    sent = _post(api, f"/api/v1/tasks/{again}/return-to", "bianban", {"step": "submit", "opinion": "请补充"})
    assert sent.status_code == 200 and sent.json()["status"] == "returned"
    assert drive(api, matter)["status"] == "completed"


def _at_once(first: tuple[str, Any], second: tuple[str, Any]) -> dict[str, str]:
    """Two actions started together, one thread each: "done" or the refusal's code, by name."""
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def act(name: str, action: Any) -> None:
        barrier.wait()
        try:
            action()
            outcomes[name] = "done"
        except Conflict as lost:
            outcomes[name] = lost.code

    racers = [threading.Thread(target=act, args=pair) for pair in (first, second)]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join()
    return outcomes


@pytest.mark.postgres
def test_a_recall_and_the_next_step_at_once_exactly_one_wins(pg_platform_url: str, tmp_path: Path) -> None:
    platform = make_platform(pg_platform_url, tmp_path / "data")
    try:
        actors = actors_of(platform)
        for _ in range(4):
            matter = services.start(platform.ctx, actors["applicant"], process_key=PROCESS_KEY, data=application())
            tasks = {t["department"]: t["id"] for t in matter["tasks"]}
            for department in ("bianban", "zuzhi", "renshe"):
                services.complete(platform.ctx, actors[department], tasks[department], decision="approve")
            returned = services.complete(
                platform.ctx, actors["caizheng"], tasks["caizheng"], decision="return", opinion="请补充"
            )
            last, resubmit = tasks["caizheng"], returned["tasks"][0]["id"]
            outcomes = _at_once(
                ("recall", partial(rewinding.recall, platform.ctx, actors["caizheng"], last, opinion=None)),
                (
                    "resubmit",
                    partial(
                        services.complete,
                        platform.ctx,
                        actors["applicant"],
                        resubmit,
                        decision="submit",
                        data=application(),
                    ),
                ),
            )
            assert outcomes in (
                {"recall": "done", "resubmit": "task_already_completed"},
                {"recall": "recall_too_late", "resubmit": "done"},
            ), outcomes
    finally:
        platform.close()

"""Idempotency-Key: a retry after a lost reply gets the first answer; nothing runs twice."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from engine.models import Instance
from tests.api.helpers import PROCESS_KEY, application, assert_error, open_task
from tests.conftest import Api


def _start(api: Api, key: str | None, as_user: str = "applicant", data: dict[str, Any] | None = None) -> Any:
    headers = {**api.headers(as_user), **({"Idempotency-Key": key} if key else {})}
    body = {"process_key": PROCESS_KEY, "data": data or application()}
    return api.client.post("/api/v1/instances", json=body, headers=headers)


def _instances(api: Api) -> int:
    with api.platform.ctx.reading() as session:
        return int(session.scalar(select(func.count()).select_from(Instance)) or 0)


def test_a_start_retried_with_its_key_returns_the_first_answer_and_starts_nothing_more(api: Api) -> None:
    before = _instances(api)
    first = _start(api, "start-0001")
    again = _start(api, "start-0001")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert _instances(api) == before + 1
    other = _start(api, "start-0002")  # a new key is a new request
    assert other.status_code == 201 and other.json()["id"] != first.json()["id"]
    assert _instances(api) == before + 2


def test_a_completed_task_retried_with_its_key_is_not_a_conflict(api: Api) -> None:
    instance_id = _start(api, None).json()["id"]
    task = open_task(api, instance_id, "bianban")
    body = {"decision": "approve", "opinion": "同意", "data": {}}
    path = f"/api/v1/tasks/{task['id']}/complete"
    headers = {**api.headers("bianban"), "Idempotency-Key": "complete-7"}
    first = api.client.post(path, json=body, headers=headers)
    lost_reply_retry = api.client.post(path, json=body, headers=headers)
    assert first.status_code == lost_reply_retry.status_code == 200
    assert lost_reply_retry.json() == first.json()
    detail = api.get(f"/api/v1/instances/{instance_id}", "admin").json()
    assert [e["actor"] for e in detail["history"] if e["action"] == "complete"] == ["bianban"]  # decided once
    without_key = api.client.post(path, json=body, headers=api.headers("bianban"))
    assert_error(without_key, 409, without_key.json()["code"])  # a colleague's (or one's own) unkeyed repeat


def test_a_key_reused_for_another_request_is_refused(api: Api) -> None:
    assert _start(api, "same-key").status_code == 201
    changed = application()
    changed["summary"] = "另一件事项的说明，与第一次不同。"
    assert_error(_start(api, "same-key", data=changed), 422, "idempotency_key_reused")


def test_keys_belong_to_their_user_and_must_be_readable(api: Api) -> None:
    from tests.api.helpers import add_user

    add_user(api.platform, "applicant2", roles=["applicant"], unit_code="demo-unit-001")
    mine = _start(api, "shared-key")
    theirs = _start(api, "shared-key", as_user="applicant2")
    assert mine.status_code == theirs.status_code == 201 and mine.json()["id"] != theirs.json()["id"]
    assert_error(_start(api, "with space"), 400, "idempotency_key_invalid")
    assert_error(_start(api, "x" * 201), 400, "idempotency_key_invalid")


def test_a_start_whose_answer_was_never_stored_is_not_done_twice(api: Api, monkeypatch: Any) -> None:
    """The API process died after the commit, before it stored the answer: the retry is told
    the request was done, and no second matter is started."""
    import api.idempotency as idempotency

    monkeypatch.setattr(idempotency, "_finish", lambda *_args: None)  # the process dies here
    before = _instances(api)
    assert _start(api, "lost-answer").status_code == 201
    monkeypatch.undo()
    retried = _start(api, "lost-answer")
    assert_error(retried, 409, "idempotency_already_done")
    assert _instances(api) == before + 1


def test_a_request_refused_before_any_change_runs_again_after_its_first_attempt_died(
    api: Api, monkeypatch: Any
) -> None:
    """Nothing was committed: once the first attempt is given up (30 s), a retry runs it."""
    import time_machine

    import api.idempotency as idempotency

    monkeypatch.setattr(idempotency, "_finish", lambda *_args: None)
    bad = application()
    bad.pop("summary")
    refused = _start(api, "dead-before-commit", data=bad)
    assert refused.status_code == 422
    monkeypatch.undo()
    assert_error(_start(api, "dead-before-commit", data=bad), 409, "idempotency_request_in_progress")
    with time_machine.travel(idempotency.utcnow() + idempotency.ABANDONED_AFTER * 2):
        assert _start(api, "dead-before-commit", data=bad).status_code == 422  # ran again, refused again


def test_the_api_documents_the_header_where_it_applies(api: Api) -> None:
    schema = api.client.get("/openapi.json").json()
    keyed = {
        (path, method)
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if any(p.get("name") == "Idempotency-Key" for p in operation.get("parameters", []))
    }
    assert ("/api/v1/instances", "post") in keyed and ("/api/v1/tasks/{task_id}/complete", "post") in keyed
    assert len(keyed) == 16 and all(method == "post" for _, method in keyed)

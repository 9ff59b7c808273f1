"""Inbox, task detail, claim and unclaim, completing with approve."""

from __future__ import annotations

from onestop.bootstrap import Platform
from tests.api.helpers import PROCESS_KEY, assert_error, decide, open_task, start
from tests.conftest import Api


def test_inbox_detail_claim_unclaim_complete(api: Api) -> None:
    instance_id = start(api)["id"]
    task = open_task(api, instance_id, "bianban")

    inbox = api.get("/api/v1/tasks", "bianban")
    assert inbox.status_code == 200
    assert [(t["id"], t["department"], t["state"], t["assignee"]) for t in inbox.json()] == [
        (task["id"], "bianban", "open", None)
    ]
    assert inbox.json()[0]["due_at"] is not None

    detail = api.get(f"/api/v1/tasks/{task['id']}", "bianban")
    assert detail.status_code == 200
    body = detail.json()
    assert body["instance"]["id"] == instance_id
    assert body["data"]["application"]["unit_name"] == "示范市数据资源服务中心"
    assert body["form_schema"]["$id"] == "onestop:forms/demo_review"
    assert [o["decision"] for o in body["opinions"]] == ["submit"]
    assert body["prefill"] == {}
    assert body["can_complete"] is True

    claimed = api.post(f"/api/v1/tasks/{task['id']}/claim", "bianban")
    assert claimed.status_code == 200, claimed.text
    assert claimed.json()["assignee"] == "bianban"
    # Claiming again is idempotent for the same person.
    assert api.post(f"/api/v1/tasks/{task['id']}/claim", "bianban").json()["assignee"] == "bianban"
    assert api.get("/api/v1/tasks", "bianban").json()[0]["assignee"] == "bianban"

    unclaimed = api.post(f"/api/v1/tasks/{task['id']}/unclaim", "bianban")
    assert unclaimed.status_code == 200, unclaimed.text
    assert unclaimed.json()["assignee"] is None
    assert_error(api.post(f"/api/v1/tasks/{task['id']}/unclaim", "bianban"), 409, "task_not_claimed")

    completed = api.post(
        f"/api/v1/tasks/{task['id']}/complete",
        "bianban",
        json={"decision": "approve", "opinion": "同意", "data": {"reference_number": "示编〔2026〕1号"}},
    )
    assert completed.status_code == 200, completed.text
    assert completed.json()["status"] == "running"
    assert "bianban" not in {t["department"] for t in completed.json()["tasks"]}

    assert api.get("/api/v1/tasks", "bianban").json() == []
    done = api.get("/api/v1/tasks", "bianban", params={"state": "completed"}).json()
    assert [(t["id"], t["state"], t["assignee"]) for t in done] == [(task["id"], "completed", "bianban")]
    assert done[0]["completed_at"] is not None
    after = api.get(f"/api/v1/tasks/{task['id']}", "bianban").json()
    assert after["can_complete"] is False
    assert [(o["department"], o["decision"], o["opinion"]) for o in after["opinions"]][-1] == (
        "bianban",
        "approve",
        "同意",
    )


def test_inbox_filters(sqlite_api: Api) -> None:
    first, second = start(sqlite_api)["id"], start(sqlite_api)["id"]
    assert decide(sqlite_api, first, "zuzhi").status_code == 200

    def ids(**params: object) -> list[str]:
        response = sqlite_api.get("/api/v1/tasks", "zuzhi", params=params)
        assert response.status_code == 200, response.text
        return [t["instance_id"] for t in response.json()]

    assert ids() == [second]
    assert ids(state="open") == [second]
    assert ids(state="completed") == [first]
    assert ids(state="cancelled") == []
    assert ids(process_key=PROCESS_KEY) == [second]
    assert ids(process_key="other_process") == []
    assert ids(state="completed", process_key="other_process") == []
    assert len(sqlite_api.get("/api/v1/tasks", "bianban", params={"limit": 1}).json()) == 1
    assert len(sqlite_api.get("/api/v1/tasks", "bianban", params={"limit": 1, "offset": 1}).json()) == 1
    assert sqlite_api.get("/api/v1/tasks", "bianban", params={"offset": 2}).json() == []
    body = assert_error(sqlite_api.get("/api/v1/tasks", "zuzhi", params={"state": "done"}), 422, "request_invalid")
    assert body["details"][0]["path"] == "/query/state"
    assert_error(sqlite_api.get("/api/v1/tasks", "zuzhi", params={"limit": 0}), 422, "request_invalid")
    assert_error(sqlite_api.get("/api/v1/tasks", "zuzhi", params={"limit": 201}), 422, "request_invalid")


def test_instance_list_filters_and_paging(sqlite_api: Api) -> None:
    first, second = start(sqlite_api)["id"], start(sqlite_api)["id"]
    assert sqlite_api.post(f"/api/v1/instances/{first}/withdraw", "applicant").status_code == 200

    def listed(user: str = "applicant", **params: object) -> tuple[int, list[str]]:
        response = sqlite_api.get("/api/v1/instances", user, params=params)
        assert response.status_code == 200, response.text
        body = response.json()
        return body["total"], [i["id"] for i in body["items"]]

    assert listed() == (2, [second, first])
    assert listed(status="withdrawn") == (1, [first])
    assert listed(status="running") == (1, [second])
    assert listed(process_key="other_process") == (0, [])
    assert listed(limit=1) == (2, [second])
    assert listed(limit=1, offset=1) == (2, [first])
    assert listed("bianban") == (2, [second, first])
    assert listed("admin") == (2, [second, first])
    assert listed("archivist") == (0, [])
    item = sqlite_api.get("/api/v1/instances", "applicant").json()["items"][0]
    assert {"id", "status", "process_key", "version", "title", "unit_code", "created_at"} <= set(item)
    assert "data" not in item  # the list is a summary, not the dossier


def test_applicant_inbox_is_empty_while_departments_review(shared_api: Api) -> None:
    instance_id = start(shared_api)["id"]
    assert instance_id not in {t["instance_id"] for t in shared_api.get("/api/v1/tasks", "applicant").json()}


def test_claimed_task_is_blocked_for_a_colleague(sqlite_api: Api, sqlite_platform: Platform) -> None:
    instance_id = start(sqlite_api)["id"]
    task = open_task(sqlite_api, instance_id, "bianban")
    assert sqlite_api.post(f"/api/v1/tasks/{task['id']}/claim", "bianban").status_code == 200

    assert_error(sqlite_api.post(f"/api/v1/tasks/{task['id']}/claim", "bianban2"), 409, "task_claimed_by_other")
    assert_error(
        sqlite_api.post(f"/api/v1/tasks/{task['id']}/complete", "bianban2", json={"decision": "approve"}),
        409,
        "task_claimed_by_other",
    )
    assert_error(sqlite_api.post(f"/api/v1/tasks/{task['id']}/unclaim", "bianban2"), 403, "not_your_task")
    assert sqlite_api.get(f"/api/v1/tasks/{task['id']}", "bianban2").json()["can_complete"] is False
    # An administrator may release the claim; then the colleague can take it.
    assert sqlite_api.post(f"/api/v1/tasks/{task['id']}/unclaim", "admin").json()["assignee"] is None
    assert sqlite_api.post(f"/api/v1/tasks/{task['id']}/claim", "bianban2").json()["assignee"] == "bianban2"
    assert (
        sqlite_api.post(f"/api/v1/tasks/{task['id']}/complete", "bianban2", json={"decision": "approve"}).status_code
        == 200
    )


def test_completing_twice(shared_api: Api) -> None:
    instance_id = start(shared_api)["id"]
    task = open_task(shared_api, instance_id, "caizheng")
    url = f"/api/v1/tasks/{task['id']}"
    assert shared_api.post(f"{url}/complete", "caizheng", json={"decision": "approve"}).status_code == 200
    assert_error(
        shared_api.post(f"{url}/complete", "caizheng", json={"decision": "approve"}), 409, "task_already_completed"
    )
    assert_error(shared_api.post(f"{url}/claim", "caizheng"), 409, "task_already_completed")
    assert_error(shared_api.post(f"{url}/unclaim", "caizheng"), 409, "task_already_completed")


def test_complete_as_multipart_without_files(shared_api: Api) -> None:
    instance_id = start(shared_api)["id"]
    task = open_task(shared_api, instance_id, "renshe")
    # (None, value) parts are plain form fields: a multipart body with no file in it.
    fields = {"decision": "return", "opinion": "请补充招聘计划", "data": '{"correction_items": ["招聘计划"]}'}
    response = shared_api.post(
        f"/api/v1/tasks/{task['id']}/complete",
        "renshe",
        files=[(name, (None, value)) for name, value in fields.items()],
    )
    assert response.status_code == 200, response.text
    review = shared_api.get(f"/api/v1/instances/{instance_id}", "renshe").json()["data"]["reviews"]["review_renshe"]
    assert (review["decision"], review["opinion"], review["data"]) == (
        "return",
        "请补充招聘计划",
        {"correction_items": ["招聘计划"]},
    )

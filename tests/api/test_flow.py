"""The demo process driven end to end over HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import select

from engine.notifications import HANDLERS
from kernel.outbox import drain
from kernel.records import Incident
from onestop.bootstrap import Platform
from tests.api.helpers import (
    PROCESS_KEY,
    REVIEW_DEPARTMENTS,
    application,
    assert_error,
    decide,
    decide_all,
    instance,
    open_task,
    start,
)
from tests.conftest import Api


def _inbox_ids(api: Api, user: str, **params: str) -> set[str]:
    response = api.get("/api/v1/tasks", user, params=params)
    assert response.status_code == 200, response.text
    return {t["id"] for t in response.json()}


def test_start_then_all_four_approve_completes(api: Api) -> None:
    started = start(api)
    assert started["status"] == "running"
    assert started["process_key"] == PROCESS_KEY
    assert started["version"] == 1
    assert started["title"] == "跨部门联办演示（示范市数据资源服务中心）"
    assert started["data"]["application"] == application()
    assert sorted(t["department"] for t in started["tasks"]) == sorted(REVIEW_DEPARTMENTS)
    assert [o["decision"] for o in started["opinions"]] == ["submit"]
    instance_id = started["id"]

    # Each department sees exactly its own task in its inbox.
    for department in REVIEW_DEPARTMENTS:
        task = open_task(api, instance_id, department)
        assert _inbox_ids(api, department) == {task["id"]}

    for i, department in enumerate(REVIEW_DEPARTMENTS):
        response = decide(api, instance_id, department, "approve", data={"reference_number": f"示编〔2026〕{i}号"})
        assert response.status_code == 200, response.text
        body = response.json()
        expected = "completed" if department == REVIEW_DEPARTMENTS[-1] else "running"
        assert body["status"] == expected
        assert len(body["tasks"]) == len(REVIEW_DEPARTMENTS) - i - 1

    done = instance(api, instance_id, as_user="applicant")
    assert done["status"] == "completed"
    assert done["finished_at"] is not None
    assert done["tasks"] == []
    assert sorted(o["decision"] for o in done["opinions"]) == ["approve"] * 4 + ["submit"]
    assert done["data"]["reviews"]["review_caizheng"]["data"] == {"reference_number": "示编〔2026〕3号"}
    assert [h["action"] for h in done["history"]][:2] == ["start", "submit"]

    # Completed tasks move to the "completed" inbox; the open inbox is empty.
    for department in REVIEW_DEPARTMENTS:
        assert _inbox_ids(api, department) == set()
        assert len(_inbox_ids(api, department, state="completed")) == 1

    listed = api.get("/api/v1/instances", "applicant", params={"status": "completed"}).json()
    assert listed["total"] == 1
    assert listed["items"][0]["id"] == instance_id


def test_return_then_resubmit_then_complete(api: Api) -> None:
    instance_id = start(api)["id"]
    first_round = {t["id"] for t in instance(api, instance_id)["tasks"]}

    assert (
        decide(
            api,
            instance_id,
            "zuzhi",
            "return",
            "请补充单位主要职责说明",
            data={"correction_items": ["单位主要职责说明"]},
        ).status_code
        == 200
    )
    # Nothing is decided until all four departments have.
    for department in ("bianban", "renshe"):
        assert decide(api, instance_id, department).status_code == 200
        assert instance(api, instance_id)["status"] == "running"
    last = decide(api, instance_id, "caizheng")
    assert last.status_code == 200, last.text
    assert last.json()["status"] == "returned"

    # The applicant gets the submit task back, prefilled with the earlier application.
    inbox = api.get("/api/v1/tasks", "applicant").json()
    assert [t["department"] for t in inbox] == ["applicant"]
    task = api.get(f"/api/v1/tasks/{inbox[0]['id']}", "applicant").json()
    assert task["name"] == "submit"
    assert task["prefill"] == application()
    assert task["can_complete"] is True
    assert task["form_schema"]["$id"] == "onestop:forms/demo_application"
    returned = [o for o in task["opinions"] if o["decision"] == "return"]
    assert returned == [{**returned[0], "department": "zuzhi", "opinion": "请补充单位主要职责说明", "by": "zuzhi"}]

    # Withdrawing is no longer possible once a department has decided.
    assert_error(api.post(f"/api/v1/instances/{instance_id}/withdraw", "applicant"), 409, "already_decided")

    corrected = {**application(), "summary": "已补充单位主要职责说明，申请核增事业编制两名。"}
    response = api.post(
        f"/api/v1/tasks/{inbox[0]['id']}/complete", "applicant", json={"decision": "submit", "data": corrected}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "running"
    assert instance(api, instance_id)["data"]["application"] == corrected
    second_round = {t["id"] for t in body["tasks"]}
    assert len(second_round) == 4
    assert not second_round & first_round

    assert decide_all(api, instance_id)["status"] == "completed"
    done = instance(api, instance_id)
    assert [o["decision"] for o in done["opinions"]].count("submit") == 2
    assert [o["decision"] for o in done["opinions"]].count("approve") == 7


def test_reject_ends_rejected(api: Api) -> None:
    instance_id = start(api)["id"]
    assert decide(api, instance_id, "renshe", "reject", "不符合核增条件").status_code == 200
    assert instance(api, instance_id)["status"] == "running"
    for department in ("bianban", "zuzhi", "caizheng"):
        response = decide(api, instance_id, department)
        assert response.status_code == 200, response.text
    done = instance(api, instance_id, as_user="applicant")
    assert done["status"] == "rejected"
    assert done["finished_at"] is not None
    assert done["tasks"] == []
    assert api.get("/api/v1/tasks", "applicant").json() == []


def test_withdraw_before_any_decision(api: Api) -> None:
    instance_id = start(api)["id"]
    tasks = instance(api, instance_id)["tasks"]
    response = api.post(f"/api/v1/instances/{instance_id}/withdraw", "applicant", json={"reason": "材料需要重新准备"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "withdrawn"
    assert body["tasks"] == []
    assert body["history"][-1]["action"] == "withdraw"
    assert body["history"][-1]["opinion"] == "材料需要重新准备"
    for department in REVIEW_DEPARTMENTS:
        assert _inbox_ids(api, department) == set()
    assert {t["id"] for t in api.get("/api/v1/tasks", "bianban", params={"state": "cancelled"}).json()} == {
        t["id"] for t in tasks if t["department"] == "bianban"
    }
    # The withdrawn matter's old tasks cannot be completed any more.
    bianban_task = next(t for t in tasks if t["department"] == "bianban")
    assert_error(
        api.post(f"/api/v1/tasks/{bianban_task['id']}/complete", "bianban", json={"decision": "approve"}),
        409,
        "task_already_completed",
    )
    assert_error(api.post(f"/api/v1/instances/{instance_id}/withdraw", "applicant"), 409, "instance_finished")


def test_withdraw_after_a_decision_is_refused(api: Api) -> None:
    instance_id = start(api)["id"]
    assert decide(api, instance_id, "bianban").status_code == 200
    assert_error(api.post(f"/api/v1/instances/{instance_id}/withdraw", "applicant"), 409, "already_decided")
    assert instance(api, instance_id)["status"] == "running"


def test_admin_cancels_with_reason(api: Api) -> None:
    instance_id = start(api)["id"]
    assert_error(api.post(f"/api/v1/instances/{instance_id}/cancel", "admin"), 422, "reason_required")
    assert_error(
        api.post(f"/api/v1/instances/{instance_id}/cancel", "admin", json={"reason": "   "}), 422, "reason_required"
    )
    response = api.post(f"/api/v1/instances/{instance_id}/cancel", "admin", json={"reason": "重复申报，予以终止"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "cancelled"
    assert body["tasks"] == []
    assert body["history"][-1]["action"] == "cancel"
    assert body["history"][-1]["actor"] == "admin"
    assert body["history"][-1]["opinion"] == "重复申报，予以终止"
    assert instance(api, instance_id, as_user="applicant")["status"] == "cancelled"
    assert_error(
        api.post(f"/api/v1/instances/{instance_id}/cancel", "admin", json={"reason": "再次终止"}),
        409,
        "instance_finished",
    )


def test_notifications_after_the_outbox_is_drained(api: Api, platform: Platform) -> None:
    assert api.get("/api/v1/notifications", "bianban").json() == []
    instance_id = start(api)["id"]
    drain(platform.ctx.session_factory, HANDLERS)
    for department in REVIEW_DEPARTMENTS:
        notes = api.get("/api/v1/notifications", department).json()
        assert len(notes) == 1, notes
        assert notes[0]["kind"] == "task"
        assert notes[0]["instance_id"] == instance_id
        assert "新的待办" in notes[0]["message"]
    assert api.get("/api/v1/notifications", "applicant").json() == []

    decide_all(api, instance_id)
    drain(platform.ctx.session_factory, HANDLERS)
    notes = api.get("/api/v1/notifications", "applicant").json()
    assert [(n["kind"], n["instance_id"]) for n in notes] == [("finished", instance_id)]
    assert "已办结" in notes[0]["message"]
    # Another department's reminders are not shown to bianban.
    assert len(api.get("/api/v1/notifications", "bianban").json()) == 1


def test_incidents_listed_for_admin(api: Api, platform: Platform) -> None:
    assert api.get("/api/v1/incidents", "admin").json() == []
    instance_id = start(api)["id"]
    with platform.ctx.transaction() as session:
        session.add(
            Incident(
                instance_id=instance_id,
                source="outbox",
                error_type="ConnectionError",
                message="副作用“instance.finished”多次执行失败",
            )
        )
    listed = api.get("/api/v1/incidents", "admin").json()
    assert [(i["instance_id"], i["source"], i["resolved_at"]) for i in listed] == [(instance_id, "outbox", None)]
    with platform.ctx.transaction() as session:
        incident_id = session.scalars(select(Incident.id)).one()
    # The instance is running, not in incident: retrying is a conflict, not a crash.
    assert_error(api.post(f"/api/v1/incidents/{incident_id}/retry", "admin"), 409, "incident_not_retryable")
    assert_error(api.post("/api/v1/incidents/999999/retry", "admin"), 404, "incident_not_found")
    assert_error(api.get("/api/v1/incidents", "bianban"), 403, "admin_only")

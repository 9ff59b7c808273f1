"""The approver's inbox in the browser: filters, claim and unclaim, and batch
approval of routine steps (each task its own transaction, refusals reported)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from engine import services
from kernel.accounts import create_user
from onestop.bootstrap import Platform
from onestop.demo import DEMO_PASSWORD
from tests.api.helpers import application
from tests.conftest import actors_of
from tests.engine.helpers import decide
from tests.web.test_pages import HTML, STAFF_EXIT, browser, csrf_of, log_in


def _two_tasks_for_finance(platform: Platform) -> tuple[str, str]:
    """A staff exit waiting for 财政停发工资 (approve only: routine) and a
    cross-department demo matter waiting for 财政局审核 (a real review)."""
    ctx, actors = platform.ctx, actors_of(platform)
    exit_matter = services.start(ctx, actors["applicant"], process_key="staff_exit", data=dict(STAFF_EXIT))["id"]
    decide(ctx, actors["bianban"], exit_matter)
    demo_matter = services.start(ctx, actors["applicant"], process_key="demo_cross_department", data=application())[
        "id"
    ]
    return exit_matter, demo_matter


def _task_ids(html: str) -> list[str]:
    return list(dict.fromkeys(re.findall(r'href="/tasks/([^"]+)"', html)))


def test_filters_and_batch_approval_of_routine_steps(sqlite_platform: Platform) -> None:
    exit_matter, demo_matter = _two_tasks_for_finance(sqlite_platform)
    finance = browser(sqlite_platform)
    log_in(finance, "caizheng")
    inbox = finance.get("/inbox", headers=HTML)
    assert inbox.status_code == 200 and len(_task_ids(inbox.text)) == 2
    assert inbox.text.count('name="task_ids"') == 1 and "常规" in inbox.text  # only the routine step can be ticked
    routine_id = re.search(r'name="task_ids" value="([^"]+)"', inbox.text).group(1)  # type: ignore[union-attr]
    review_id = next(t for t in _task_ids(inbox.text) if t != routine_id)

    only_exit = finance.get("/inbox?matter=staff_exit", headers=HTML).text
    assert _task_ids(only_exit) == [routine_id] and "selected>" in only_exit
    assert _task_ids(finance.get("/inbox?due_before=2000-01-01", headers=HTML).text) == []
    assert _task_ids(finance.get("/inbox?overdue=1", headers=HTML).text) == []
    bad_date = finance.get("/inbox?due_before=2026-13-40", headers=HTML)
    assert (
        bad_date.status_code == 422
        and "日期应为 YYYY-MM-DD" in bad_date.text
        and 'aria-invalid="true"' in bad_date.text
    )

    assert finance.post("/inbox/batch-approve", data={"task_ids": [routine_id]}).status_code == 403  # no CSRF token
    result = finance.post(
        "/inbox/batch-approve",
        data={"csrf": csrf_of(inbox.text), "task_ids": [routine_id, review_id], "opinion": ""},
    )
    assert result.status_code == 200
    assert "已批量同意 1 件" in result.text and "1 件未能办理" in result.text and "须逐件审核办理" in result.text
    assert _task_ids(result.text) == [review_id]  # the inbox shown again, without the approved task

    ctx, actors = sqlite_platform.ctx, actors_of(sqlite_platform)
    exited = services.get(ctx, actors["admin"], exit_matter)
    payroll = next(o for o in exited["opinions"] if o["task_id"] == routine_id)
    assert payroll["decision"] == "approve" and payroll["opinion"] == "同意" and payroll["by"] == "caizheng"
    demo = services.get(ctx, actors["admin"], demo_matter)
    assert any(t["id"] == review_id and t["state"] == "open" for t in demo["tasks"])  # the review still waits

    empty = finance.post("/inbox/batch-approve", data={"csrf": csrf_of(inbox.text)})
    assert empty.status_code == 200 and "请选择要批量办理的任务" in empty.text


def test_batch_approval_over_the_api_reports_each_task(sqlite_platform: Platform) -> None:
    _, _ = _two_tasks_for_finance(sqlite_platform)
    with TestClient(browser(sqlite_platform).app) as client:
        token = client.post("/api/v1/auth/token", data={"username": "caizheng", "password": DEMO_PASSWORD}).json()
        headers = {"Authorization": f"Bearer {token['access_token']}"}
        tasks = client.get("/api/v1/tasks", headers=headers).json()
        routine = [t["id"] for t in tasks if t["routine"]]
        assert len(tasks) == 2 and len(routine) == 1
        answer = client.post(
            "/api/v1/tasks/batch-approve",
            headers=headers,
            json={"task_ids": [*routine, "no-such-task"], "opinion": "已核，同意停发"},
        )
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert [a["task_id"] for a in body["approved"]] == routine
        assert body["refused"] == [
            {"task_id": "no-such-task", "code": "task_not_found", "message": "任务不存在或无权查看"}
        ]
        again = client.post("/api/v1/tasks/batch-approve", headers=headers, json={"task_ids": routine}).json()
        assert again["approved"] == [] and again["refused"][0]["code"] in ("task_not_found", "task_already_completed")
        assert client.post("/api/v1/tasks/batch-approve", headers=headers, json={"task_ids": []}).status_code == 422


def test_claim_keeps_a_task_to_one_approver_until_unclaimed(sqlite_platform: Platform) -> None:
    _two_tasks_for_finance(sqlite_platform)
    with sqlite_platform.ctx.transaction() as session:
        create_user(
            session,
            username="caizheng2",
            password=DEMO_PASSWORD,
            display_name="财政局审批人员二",
            roles=["approver"],
            departments=["caizheng"],
        )
    first, second = browser(sqlite_platform), browser(sqlite_platform)
    log_in(first, "caizheng")
    log_in(second, "caizheng2")
    inbox = first.get("/inbox", headers=HTML).text
    task_id = _task_ids(inbox)[0]
    claimed = first.post(f"/tasks/{task_id}/claim", data={"csrf": csrf_of(inbox)})
    assert claimed.status_code == 303 and claimed.headers["location"] == f"/tasks/{task_id}"
    task_page = first.get(f"/tasks/{task_id}", headers=HTML).text
    assert "签收人：赵丽华" in task_page and "退回签收" in task_page
    assert _task_ids(first.get("/inbox?claimed=mine", headers=HTML).text) == [task_id]
    assert task_id not in _task_ids(first.get("/inbox?claimed=unclaimed", headers=HTML).text)

    theirs = second.get("/inbox", headers=HTML).text
    assert task_id not in _task_ids(theirs)  # a colleague's claimed task leaves the others' inboxes
    taken = second.post(f"/tasks/{task_id}/claim", data={"csrf": csrf_of(theirs)})
    assert taken.status_code == 409 and "该任务已由他人签收" in taken.text
    not_mine = second.post(f"/tasks/{task_id}/unclaim", data={"csrf": csrf_of(theirs)})
    assert not_mine.status_code in (403, 404)

    released = first.post(f"/tasks/{task_id}/unclaim", data={"csrf": csrf_of(inbox), "back": "inbox"})
    assert released.status_code == 303 and released.headers["location"] == "/inbox"
    assert task_id in _task_ids(second.get("/inbox", headers=HTML).text)
    admin = actors_of(sqlite_platform)["admin"]
    matter = services.get_task(sqlite_platform.ctx, admin, task_id)["instance_id"]
    trail = services.get(sqlite_platform.ctx, admin, matter)["history"]
    assert [h["action"] for h in trail if h["action"] in ("claim", "unclaim")] == ["claim", "unclaim"]

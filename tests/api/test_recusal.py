"""Separation of duties (回避): nobody decides a step of a matter they started or
that their own unit applied for, and no account both applies and approves."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from kernel.accounts import User, create_user
from kernel.errors import ValidationFailed
from tests.api.helpers import add_user, assert_error, decide, open_task, start
from tests.conftest import Api
from tests.web.test_pages import HTML, browser, csrf_of, log_in


def _inbox_ids(api: Api, username: str) -> set[str]:
    response = api.get("/api/v1/tasks", username)
    assert response.status_code == 200, response.text
    return {t["instance_id"] for t in response.json()}


def test_an_approver_of_the_applying_unit_may_not_decide_its_matter(api: Api) -> None:
    # A 编办 approver who is on the staff of the unit that applies.
    add_user(api.platform, "bianban_insider", roles=["approver"], departments=["bianban"], unit_code="demo-unit-001")
    matter = start(api)
    assert matter["id"] not in _inbox_ids(api, "bianban_insider")  # the task stays with the colleagues
    assert matter["id"] in _inbox_ids(api, "bianban")
    task = open_task(api, matter["id"], "bianban")
    shown = api.get(f"/api/v1/tasks/{task['id']}", "bianban_insider").json()
    assert shown["can_complete"] is False and "所在单位申请" in shown["recusal"]
    refused = decide(api, matter["id"], "bianban", as_user="bianban_insider")
    assert_error(refused, 403, "recusal_required")
    assert_error(api.post(f"/api/v1/tasks/{task['id']}/claim", "bianban_insider"), 403, "recusal_required")
    batch = api.post("/api/v1/tasks/batch-approve", "bianban_insider", json={"task_ids": [task["id"]]}).json()
    assert batch["approved"] == [] and batch["refused"][0]["code"] == "recusal_required"
    assert decide(api, matter["id"], "bianban").status_code == 200  # a colleague decides


def test_a_matter_started_by_an_account_is_never_decided_by_it(api: Api) -> None:
    # An account made before the rule held both roles; it keeps them, but may not decide its own matter.
    add_user(api.platform, "legacy_both", roles=["applicant"], unit_code="demo-unit-001")
    with api.platform.ctx.transaction() as session:
        user = session.scalars(select(User).where(User.username == "legacy_both")).one()
        user.roles, user.departments = ["applicant", "approver"], ["bianban"]
    matter = start(api, as_user="legacy_both")
    assert matter["id"] not in _inbox_ids(api, "legacy_both")
    assert_error(decide(api, matter["id"], "bianban", as_user="legacy_both"), 403, "recusal_required")


def test_the_task_page_says_why_and_offers_no_decision(api: Api) -> None:
    add_user(api.platform, "bianban_insider", roles=["approver"], departments=["bianban"], unit_code="demo-unit-001")
    matter = start(api)
    task = open_task(api, matter["id"], "bianban")
    client = browser(api.platform)
    log_in(client, "bianban_insider")
    page = client.get(f"/tasks/{task['id']}", headers=HTML)
    assert page.status_code == 200 and "依回避规定不能审批本事项" in page.text
    assert 'name="decision"' not in page.text
    posted = client.post(f"/tasks/{task['id']}", data={"csrf": csrf_of(page.text), "decision": "approve"})
    assert posted.status_code == 403 and "依回避规定不能审批本事项" in posted.text
    assert open_task(api, matter["id"], "bianban")["state"] == "open"


def test_no_account_is_both_applicant_and_approver(api: Api) -> None:
    admin = browser(api.platform)
    log_in(admin, "admin")
    csrf = csrf_of(admin.get("/admin/users", headers=HTML).text)
    refused = admin.post(
        "/admin/users",
        data={
            "csrf": csrf,
            "username": "both",
            "password": "s3cret-pass",
            "display_name": "两者兼任",
            "roles": ["applicant", "approver"],
            "departments": ["bianban"],
            "unit_code": "demo-unit-001",
        },
    )
    assert refused.status_code == 422 and "职责分离" in refused.text
    with api.platform.ctx.reading() as session:
        assert session.scalars(select(User).where(User.username == "both")).first() is None
    with api.platform.ctx.transaction() as session, pytest.raises(ValidationFailed) as cli_path:
        create_user(session, username="both", password="x", display_name="两者", roles=["applicant", "approver"])
    assert cli_path.value.code == "conflicting_roles"  # `onestop user add` and the demo take this path

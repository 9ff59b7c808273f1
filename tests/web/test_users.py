"""The administrators' users-and-roles pages: create, change, deactivate,
reset a password; refusals inline with the input kept; every change audited."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select

from kernel.audit import AuditEvent
from onestop.bootstrap import Platform
from tests.web.test_pages import HTML, browser, csrf_of, log_in

NEW_APPROVER = {
    "username": "caizheng.li",
    "password": "s3cret-pass",
    "display_name": "李会计",
    "roles": ["approver"],
    "departments": ["caizheng"],
}


def _log_in_as(platform: Platform, username: str, password: str) -> TestClient:
    client = browser(platform)
    form = client.get("/login", headers=HTML)
    answer = client.post(
        "/login", data={"username": username, "password": password, "csrf": csrf_of(form.text), "next": "/"}
    )
    assert answer.status_code == 303, answer.text
    return client


def _admin(platform: Platform) -> tuple[TestClient, str]:
    client = browser(platform)
    log_in(client, "admin")
    listing = client.get("/admin/users", headers=HTML)
    assert listing.status_code == 200
    return client, csrf_of(listing.text)


def test_admin_creates_an_account_that_can_sign_in(sqlite_platform: Platform) -> None:
    admin, csrf = _admin(sqlite_platform)
    created = admin.post("/admin/users", data={"csrf": csrf, **NEW_APPROVER})
    assert created.status_code == 303, created.text
    account = admin.get(created.headers["location"], headers=HTML).text
    assert "已保存" in account and 'value="李会计"' in account
    assert re.search(r'value="caizheng" checked', account) and re.search(r'value="approver" checked', account)
    assert "caizheng.li" in admin.get("/admin/users", headers=HTML).text

    newcomer = _log_in_as(sqlite_platform, "caizheng.li", "s3cret-pass")
    assert "财政局" in newcomer.get("/inbox", headers=HTML).text  # the header names the department
    with sqlite_platform.ctx.reading() as session:
        actor, details = session.execute(
            select(AuditEvent.actor, AuditEvent.details).where(AuditEvent.action == "user_added")
        ).one()
    assert actor == "admin" and details["username"] == "caizheng.li"
    assert "password" not in str(details)


def test_refusals_are_shown_next_to_the_field_with_the_input_kept(sqlite_platform: Platform) -> None:
    admin, csrf = _admin(sqlite_platform)
    bad = admin.post("/admin/users", data={"csrf": csrf, **NEW_APPROVER, "username": "Li Kuaiji"})
    assert bad.status_code == 422 and 'id="e-username"' in bad.text and "小写字母开头" in bad.text
    assert 'value="Li Kuaiji"' in bad.text and 'value="李会计"' in bad.text
    short = admin.post("/admin/users", data={"csrf": csrf, **NEW_APPROVER, "password": "short"})
    assert short.status_code == 422 and "密码至少 8 位" in short.text
    clerk = {**NEW_APPROVER, "roles": ["applicant"], "departments": []}
    no_unit = admin.post("/admin/users", data={"csrf": csrf, **clerk})
    assert no_unit.status_code == 422 and 'id="e-unit_code"' in no_unit.text
    no_department = admin.post("/admin/users", data={"csrf": csrf, **NEW_APPROVER, "departments": []})
    assert no_department.status_code == 422 and "审批人员必须选择所在部门" in no_department.text
    taken = admin.post("/admin/users", data={"csrf": csrf, **NEW_APPROVER, "username": "bianban"})
    assert taken.status_code == 409 and "该用户名已被使用" in taken.text
    assert admin.post("/admin/users", data=NEW_APPROVER).status_code == 403  # no CSRF token


def test_deactivating_or_resetting_ends_the_users_sessions(sqlite_platform: Platform) -> None:
    admin, csrf = _admin(sqlite_platform)
    user_url = admin.post("/admin/users", data={"csrf": csrf, **NEW_APPROVER}).headers["location"].split("?")[0]
    first = _log_in_as(sqlite_platform, "caizheng.li", "s3cret-pass")
    reset = admin.post(f"{user_url}/password", data={"csrf": csrf, "password": "another-pass"})
    assert reset.status_code == 303 and "密码已重置" in admin.get(reset.headers["location"], headers=HTML).text
    assert first.get("/inbox", headers=HTML).status_code == 303  # back to the login page
    second = _log_in_as(sqlite_platform, "caizheng.li", "another-pass")

    grant = {k: v for k, v in NEW_APPROVER.items() if k not in ("username", "password")}
    moved = admin.post(user_url, data={"csrf": csrf, **grant, "departments": ["renshe"], "active": "1"})
    assert moved.status_code == 303
    assert "人社局" in second.get("/inbox", headers=HTML).text  # the new department applies at once
    stopped = admin.post(user_url, data={"csrf": csrf, **grant})  # "active" unticked
    assert stopped.status_code == 303 and "停用" in admin.get("/admin/users", headers=HTML).text
    assert second.get("/inbox", headers=HTML).status_code == 303
    login = browser(sqlite_platform)
    form = login.get("/login", headers=HTML)
    refused = login.post(
        "/login", data={"username": "caizheng.li", "password": "another-pass", "csrf": csrf_of(form.text)}
    )
    assert refused.status_code == 401

    with sqlite_platform.ctx.reading() as session:
        changes = list(session.scalars(select(AuditEvent.details).where(AuditEvent.action == "user_changed")))
    assert changes[0]["departments"] == {"from": ["caizheng"], "to": ["renshe"]}
    assert changes[1]["active"] == {"from": True, "to": False}


def test_an_admin_cannot_lock_themselves_out_and_others_may_not_enter(sqlite_platform: Platform) -> None:
    admin, csrf = _admin(sqlite_platform)
    own = re.search(r'href="(/admin/users/\d+)">admin<', admin.get("/admin/users", headers=HTML).text)
    assert own
    refused = admin.post(own.group(1), data={"csrf": csrf, "display_name": "管理员", "roles": ["admin"]})
    assert refused.status_code == 409 and "不能停用自己的账号" in refused.text
    demoted = admin.post(
        own.group(1), data={"csrf": csrf, "display_name": "管理员", "roles": ["archivist"], "active": "1"}
    )
    assert demoted.status_code == 409
    assert admin.get("/admin/users/99999", headers=HTML).status_code == 404

    approver = browser(sqlite_platform)
    log_in(approver, "bianban")
    assert approver.get("/admin/users", headers=HTML).status_code == 403
    page = approver.get("/inbox", headers=HTML).text
    assert approver.post("/admin/users", data={"csrf": csrf_of(page), **NEW_APPROVER}).status_code == 403

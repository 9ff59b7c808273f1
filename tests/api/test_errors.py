"""Error responses: status, stable code, Chinese message, and no leak across units."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from onestop.bootstrap import Platform
from tests.api.helpers import (
    PROCESS_KEY,
    UNKNOWN_ID,
    add_user,
    application,
    assert_error,
    decide,
    has_chinese,
    open_task,
    post_raw,
    start,
)
from tests.conftest import Api

# --- 403 -------------------------------------------------------------------------------------


def test_other_department_cannot_complete_a_visible_task(shared_api: Api) -> None:
    instance_id = start(shared_api)["id"]
    task = open_task(shared_api, instance_id, "bianban")
    # zuzhi sees the matter (it has a task on it) and the bianban task in it ...
    assert shared_api.get(f"/api/v1/tasks/{task['id']}", "zuzhi").json()["can_complete"] is False
    # ... but may not act on it.
    for action in ("claim", "complete"):
        response = shared_api.post(f"/api/v1/tasks/{task['id']}/{action}", "zuzhi", json={"decision": "approve"})
        assert_error(response, 403, "not_your_task")
    assert shared_api.get(f"/api/v1/instances/{instance_id}", "admin").json()["tasks"][0]["assignee"] is None


def test_approver_cannot_start(shared_api: Api) -> None:
    response = shared_api.post("/api/v1/instances", "renshe", json={"process_key": PROCESS_KEY, "data": application()})
    assert_error(response, 403, "applicant_only")


@pytest.mark.parametrize("user", ["applicant", "bianban", "archivist"])
def test_non_admin_cannot_cancel(shared_api: Api, user: str) -> None:
    instance_id = start(shared_api)["id"]
    response = shared_api.post(f"/api/v1/instances/{instance_id}/cancel", user, json={"reason": "不想办了"})
    assert_error(response, 403, "admin_only")
    assert shared_api.get(f"/api/v1/instances/{instance_id}", "admin").json()["status"] == "running"


def test_only_the_applicant_withdraws(shared_api: Api) -> None:
    instance_id = start(shared_api)["id"]
    for user in ("bianban", "admin"):
        assert_error(shared_api.post(f"/api/v1/instances/{instance_id}/withdraw", user), 403, "applicant_only")


def test_applicant_cannot_decide_for_a_department(shared_api: Api) -> None:
    instance_id = start(shared_api)["id"]
    assert_error(decide(shared_api, instance_id, "bianban", as_user="applicant"), 403, "not_your_task")
    assert_error(decide(shared_api, instance_id, "bianban", as_user="admin"), 403, "not_your_task")


# --- 404 -------------------------------------------------------------------------------------

UNKNOWN_REQUESTS = [
    ("GET", f"/api/v1/instances/{UNKNOWN_ID}", "instance_not_found"),
    ("POST", f"/api/v1/instances/{UNKNOWN_ID}/withdraw", "instance_not_found"),
    ("GET", f"/api/v1/instances/{UNKNOWN_ID}/attachments/{'a' * 64}", "instance_not_found"),
    ("GET", f"/api/v1/tasks/{UNKNOWN_ID}", "task_not_found"),
    ("POST", f"/api/v1/tasks/{UNKNOWN_ID}/claim", "task_not_found"),
    ("POST", f"/api/v1/tasks/{UNKNOWN_ID}/unclaim", "task_not_found"),
    ("POST", f"/api/v1/tasks/{UNKNOWN_ID}/complete", "task_not_found"),
    ("GET", "/api/v1/instances/not-a-uuid-at-all", "instance_not_found"),
]


@pytest.mark.parametrize(("method", "path", "code"), UNKNOWN_REQUESTS)
def test_unknown_ids(shared_api: Api, method: str, path: str, code: str) -> None:
    kwargs: dict[str, Any] = {"json": {"decision": "approve"}} if path.endswith("/complete") else {}
    call = shared_api.get if method == "GET" else shared_api.post
    assert_error(call(path, "applicant", **kwargs), 404, code)


def test_admin_cancel_of_unknown_instance(shared_api: Api) -> None:
    response = shared_api.post(f"/api/v1/instances/{UNKNOWN_ID}/cancel", "admin", json={"reason": "录入错误"})
    assert_error(response, 404, "instance_not_found")


def test_too_long_id_is_a_request_error(shared_api: Api) -> None:
    assert_error(shared_api.get(f"/api/v1/instances/{'x' * 37}", "applicant"), 422, "request_invalid")


def test_another_units_matter_looks_exactly_like_a_missing_one(sqlite_api: Api, sqlite_platform: Platform) -> None:
    add_user(sqlite_platform, "applicant2", roles=["applicant"], unit_code="demo-unit-002")
    matter = start(sqlite_api)
    instance_id = matter["id"]
    task_id = open_task(sqlite_api, instance_id, "bianban")["id"]
    applicant_task = matter["opinions"][0]["task_id"]  # the unit's own (completed) submit task

    pairs = [
        ("GET", f"/api/v1/instances/{instance_id}", f"/api/v1/instances/{UNKNOWN_ID}"),
        ("POST", f"/api/v1/instances/{instance_id}/withdraw", f"/api/v1/instances/{UNKNOWN_ID}/withdraw"),
        (
            "GET",
            f"/api/v1/instances/{instance_id}/attachments/{'a' * 64}",
            f"/api/v1/instances/{UNKNOWN_ID}/attachments/{'a' * 64}",
        ),
        ("GET", f"/api/v1/tasks/{task_id}", f"/api/v1/tasks/{UNKNOWN_ID}"),
        ("GET", f"/api/v1/tasks/{applicant_task}", f"/api/v1/tasks/{UNKNOWN_ID}"),
        ("POST", f"/api/v1/tasks/{task_id}/claim", f"/api/v1/tasks/{UNKNOWN_ID}/claim"),
        ("POST", f"/api/v1/tasks/{task_id}/complete", f"/api/v1/tasks/{UNKNOWN_ID}/complete"),
    ]
    for method, real, missing in pairs:
        call = sqlite_api.get if method == "GET" else sqlite_api.post
        kwargs: dict[str, Any] = {"json": {"decision": "approve"}} if real.endswith("/complete") else {}
        seen, absent = call(real, "applicant2", **kwargs), call(missing, "applicant2", **kwargs)
        assert seen.status_code == absent.status_code == 404, (real, seen.text)
        assert seen.json() == absent.json(), real
        assert has_chinese(seen.json()["message"])
    assert sqlite_api.get("/api/v1/instances", "applicant2").json() == {"total": 0, "items": []}
    assert sqlite_api.get("/api/v1/tasks", "applicant2").json() == []
    # The owner still sees it, and nothing changed.
    assert sqlite_api.get(f"/api/v1/instances/{instance_id}", "applicant").json()["status"] == "running"


def test_archivist_sees_no_matter(shared_api: Api) -> None:
    instance_id = start(shared_api)["id"]
    missing = shared_api.get(f"/api/v1/instances/{UNKNOWN_ID}", "archivist").json()
    assert shared_api.get(f"/api/v1/instances/{instance_id}", "archivist").json() == missing
    assert instance_id not in {i["id"] for i in shared_api.get("/api/v1/instances", "archivist").json()["items"]}


# --- 409 -------------------------------------------------------------------------------------


def test_decision_on_a_finished_matter(shared_api: Api) -> None:
    instance_id = start(shared_api)["id"]
    task = open_task(shared_api, instance_id, "zuzhi")
    assert (
        shared_api.post(f"/api/v1/instances/{instance_id}/cancel", "admin", json={"reason": "录入错误"}).status_code
        == 200
    )
    assert_error(
        shared_api.post(f"/api/v1/tasks/{task['id']}/complete", "zuzhi", json={"decision": "approve"}),
        409,
        "task_already_completed",
    )
    assert_error(shared_api.post(f"/api/v1/instances/{instance_id}/withdraw", "applicant"), 409, "instance_finished")


# --- 422 -------------------------------------------------------------------------------------


def _start_with(api: Api, data: Any, process_key: str = PROCESS_KEY) -> Any:
    return api.post("/api/v1/instances", "applicant", json={"process_key": process_key, "data": data})


def test_missing_required_fields(shared_api: Api) -> None:
    body = assert_error(_start_with(shared_api, {"unit_name": "示范单位", "requested_places": 1}), 422, "form_invalid")
    details = {d["path"]: d for d in body["details"]}
    assert set(details) == {"/credit_code", "/contact_person", "/contact_phone", "/summary"}
    assert details["/contact_person"]["message"] == "请填写“联系人”"
    assert all(d["code"] == "required" and has_chinese(d["message"]) for d in details.values())


def test_empty_application_lists_every_required_field(shared_api: Api) -> None:
    body = assert_error(_start_with(shared_api, {}), 422, "form_invalid")
    assert sorted(d["path"] for d in body["details"]) == sorted(
        ["/unit_name", "/credit_code", "/contact_person", "/contact_phone", "/summary", "/requested_places"]
    )


@pytest.mark.parametrize("credit_code", ["12141002MB12345620", "123", "12141002MB1234562I"])
def test_invalid_credit_code(shared_api: Api, credit_code: str) -> None:
    body = assert_error(_start_with(shared_api, {**application(), "credit_code": credit_code}), 422, "form_invalid")
    [detail] = body["details"]
    assert detail["path"] == "/credit_code"
    assert detail["code"] == "format"
    assert "统一社会信用代码" in detail["message"]


@pytest.mark.parametrize(
    ("change", "path", "fragment"),
    [
        ({"requested_places": "2"}, "/requested_places", "应为整数"),
        ({"requested_places": 0}, "/requested_places", "不能小于1"),
        ({"establishment_type": "临时编制"}, "/establishment_type", "应为以下之一"),
        ({"contact_phone": "12345"}, "/contact_phone", "联系电话"),
        ({"summary": "太短"}, "/summary", "至少需要5个字符"),
        ({"unexpected": 1}, "", "包含未定义的字段"),
    ],
)
def test_field_errors_are_explained_in_chinese(
    shared_api: Api, change: dict[str, Any], path: str, fragment: str
) -> None:
    body = assert_error(_start_with(shared_api, {**application(), **change}), 422, "form_invalid")
    matching = [d for d in body["details"] if d["path"] == path]
    assert matching, body["details"]
    assert fragment in matching[0]["message"], matching


@pytest.mark.parametrize("attachments", [[{"name": "a.pdf"}], [{"sha256": "0" * 64}], "a.pdf"])
def test_attachments_can_only_be_uploaded_not_written_in(shared_api: Api, attachments: Any) -> None:
    response = _start_with(shared_api, {**application(), "attachments": attachments})
    body = assert_error(response, 422, "form_invalid" if isinstance(attachments, str) else "unknown_attachment")
    assert "附件" in body["message"] or body["details"][0]["path"] == "/attachments"


@pytest.mark.parametrize("decision", ["return", "reject"])
@pytest.mark.parametrize("opinion", [None, "", "   "])
def test_return_or_reject_needs_an_opinion(shared_api: Api, decision: str, opinion: str | None) -> None:
    instance_id = start(shared_api)["id"]
    assert_error(decide(shared_api, instance_id, "bianban", decision, opinion), 422, "opinion_required")
    assert open_task(shared_api, instance_id, "bianban")["state"] == "open"


def test_invalid_decisions(shared_api: Api) -> None:
    instance_id = start(shared_api)["id"]
    assert_error(decide(shared_api, instance_id, "renshe", "submit"), 422, "invalid_decision")
    body = assert_error(decide(shared_api, instance_id, "renshe", "maybe"), 422, "request_invalid")
    assert body["details"][0]["path"] == "/decision"
    task = open_task(shared_api, instance_id, "renshe")
    assert_error(shared_api.post(f"/api/v1/tasks/{task['id']}/complete", "renshe", json={}), 422, "request_invalid")
    long_opinion = {"decision": "approve", "opinion": "长" * 2001}
    assert_error(
        shared_api.post(f"/api/v1/tasks/{task['id']}/complete", "renshe", json=long_opinion), 422, "request_invalid"
    )


def test_review_form_is_validated(shared_api: Api) -> None:
    instance_id = start(shared_api)["id"]
    body = assert_error(
        decide(shared_api, instance_id, "zuzhi", "return", "请补正", data={"correction_items": ["x"]}),
        422,
        "form_invalid",
    )
    assert body["details"][0]["path"] == "/correction_items/0"


def test_applicant_task_only_accepts_submit(shared_api: Api) -> None:
    instance_id = start(shared_api)["id"]
    decide(shared_api, instance_id, "bianban", "return", "请补充材料")
    for department in ("zuzhi", "renshe", "caizheng"):
        decide(shared_api, instance_id, department)
    task = open_task(shared_api, instance_id, "applicant")
    url = f"/api/v1/tasks/{task['id']}/complete"
    assert_error(
        shared_api.post(url, "applicant", json={"decision": "reject", "opinion": "不办了", "data": application()}),
        422,
        "invalid_decision",
    )
    assert_error(shared_api.post(url, "applicant", json={"decision": "submit", "data": {}}), 422, "form_invalid")
    # "approve" from the applicant counts as submitting.
    assert shared_api.post(url, "applicant", json={"decision": "approve", "data": application()}).status_code == 200


# --- 400: malformed bodies -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"{not json", "invalid_json"),
        (b"[1, 2]", "invalid_json"),
        (b"\xff\xfe", "invalid_json"),
        (b'{"process_key": "demo_cross_department", "data": [1]}', "invalid_data"),
    ],
)
def test_malformed_json_body(shared_api: Api, content: bytes, code: str) -> None:
    assert_error(post_raw(shared_api, "/api/v1/instances", "applicant", content, "application/json"), 400, code)


def test_start_without_process_key_or_unknown_process(shared_api: Api) -> None:
    body = assert_error(
        shared_api.post("/api/v1/instances", "applicant", json={"data": application()}), 422, "request_invalid"
    )
    assert body["details"][0]["path"] == "/process_key"
    assert_error(
        shared_api.post("/api/v1/instances", "applicant", json={"process_key": "nope", "data": application()}),
        404,
        "process_not_found",
    )


# --- NUL characters: refused cleanly on every backend ----------------------------------------


def _nul_opinion(api: Api) -> Any:
    task = open_task(api, start(api)["id"], "bianban")
    return api.post(
        f"/api/v1/tasks/{task['id']}/complete", "bianban", json={"decision": "return", "opinion": "补正\x00"}
    )


def _nul_reason(api: Api) -> Any:
    return api.post(f"/api/v1/instances/{start(api)['id']}/withdraw", "applicant", json={"reason": "撤回\x00"})


# Every case: a NUL character is refused at the door, the same on every backend.
NUL_REQUESTS: dict[str, Callable[[Api], Any]] = {
    "instance-id": lambda api: api.get("/api/v1/instances/a%00b", "applicant"),
    "task-id": lambda api: api.get("/api/v1/tasks/a%00b", "applicant"),
    "status-filter": lambda api: api.get("/api/v1/instances?status=a%00b", "applicant"),
    "process-filter": lambda api: api.get("/api/v1/tasks?process_key=a%00b", "applicant"),
    "process-key": lambda api: _start_with(api, {}, process_key="demo\x00"),
    "unit-name": lambda api: _start_with(api, {**application(), "unit_name": "示范\x00单位"}),
    "opinion": _nul_opinion,
    "withdraw-reason": _nul_reason,
    "login": lambda api: api.client.post("/api/v1/auth/token", data={"username": "admin\x00", "password": "x"}),
}


@pytest.mark.parametrize("case", list(NUL_REQUESTS))
def test_nul_characters_are_refused_not_server_errors(api: Api, case: str) -> None:
    assert_error(NUL_REQUESTS[case](api), 400, "invalid_characters")


# --- 500 -------------------------------------------------------------------------------------


def test_an_unexpected_error_answers_500_and_keeps_the_connection(sqlite_platform: Platform, tmp_path: Any) -> None:
    """One failing request must not cost the client its keep-alive connection (a real server)."""
    import http.client
    import json
    import threading
    import time

    import uvicorn

    from api.app import create_app
    from storage import LocalAttachmentStore
    from tests.demo_server import free_port

    app = create_app(sqlite_platform.ctx, LocalAttachmentStore(tmp_path / "files"))

    @app.get("/api/v1/__boom")
    def boom() -> None:
        raise RuntimeError("an unforeseen bug")

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="critical"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        while not server.started:
            time.sleep(0.02)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", "/api/v1/__boom")
        failed = connection.getresponse()
        body = json.loads(failed.read())
        assert failed.status == 500 and body["code"] == "internal_error" and has_chinese(body["message"])
        assert (failed.getheader("connection") or "").lower() != "close"
        sock = connection.sock
        connection.request("GET", "/healthz")
        after = connection.getresponse()
        assert after.status == 200 and connection.sock is sock  # the same connection served it
        after.read()
        connection.close()
    finally:
        server.should_exit = True
        thread.join(10)

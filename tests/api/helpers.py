"""Repeated steps of the API tests: start a matter, find a department's task, decide."""

from __future__ import annotations

import copy
import io
import json
import re
from typing import Any

from kernel.accounts import create_user
from onestop.bootstrap import Platform
from onestop.demo import DEMO_PASSWORD
from processes import catalogue as matters

PROCESS_KEY = "demo_cross_department"
REVIEW_DEPARTMENTS = ("bianban", "zuzhi", "renshe", "caizheng")
DEMO_USERS = ("applicant", "bianban", "zuzhi", "renshe", "caizheng", "archivist", "admin")
UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"


def pdf_file(objects: list[bytes], trailer: bytes = b"/Root 1 0 R") -> bytes:
    """A PDF with a classic cross-reference table over ``objects`` (numbered from 1)."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d %s >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, trailer, xref)
    return bytes(out)


# A small but real PDF (header, one empty page, cross-reference table, trailer).
PDF_BYTES = pdf_file(
    [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>",
    ]
)


def png_file(width: int = 2, height: int = 2) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


PNG_BYTES = png_file()

_CJK = re.compile(r"[\u4e00-\u9fff]")


def application() -> dict[str, Any]:
    """A fresh copy of the application form's first example (valid by construction)."""
    form = matters.load().forms().get("demo_application")
    assert form is not None
    return copy.deepcopy(form.schema["examples"][0])


def has_chinese(text: Any) -> bool:
    return isinstance(text, str) and _CJK.search(text) is not None


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    """The response is the uniform error body with ``code`` and a Chinese message."""
    assert response.status_code == status, (response.status_code, response.text)
    body = response.json()
    assert set(body) == {"code", "message", "details"}, body
    assert body["code"] == code, body
    assert has_chinese(body["message"]), body
    return body


def start(api: Any, data: dict[str, Any] | None = None, *, as_user: str = "applicant") -> dict[str, Any]:
    response = api.post(
        "/api/v1/instances", as_user, json={"process_key": PROCESS_KEY, "data": application() if data is None else data}
    )
    assert response.status_code == 201, response.text
    return response.json()


def start_multipart(
    api: Any, files: list[tuple[str, bytes, str]], data: dict[str, Any] | None = None, *, as_user: str = "applicant"
) -> Any:
    return api.post(
        "/api/v1/instances",
        as_user,
        data={"process_key": PROCESS_KEY, "data": json.dumps(application() if data is None else data)},
        files=[("files", f) for f in files],
    )


def instance(api: Any, instance_id: str, *, as_user: str = "admin") -> dict[str, Any]:
    response = api.get(f"/api/v1/instances/{instance_id}", as_user)
    assert response.status_code == 200, response.text
    return response.json()


def open_task(api: Any, instance_id: str, department: str) -> dict[str, Any]:
    """The one open task of ``department`` on the instance (read as admin, who sees everything)."""
    found = [t for t in instance(api, instance_id)["tasks"] if t["department"] == department]
    assert len(found) == 1, found
    return found[0]


def decide(
    api: Any,
    instance_id: str,
    department: str,
    decision: str = "approve",
    opinion: str | None = None,
    data: dict[str, Any] | None = None,
    *,
    as_user: str | None = None,
) -> Any:
    """Complete the department's open task; returns the raw response."""
    task = open_task(api, instance_id, department)
    body: dict[str, Any] = {"decision": decision, "data": data or {}}
    if opinion is not None:
        body["opinion"] = opinion
    return api.post(f"/api/v1/tasks/{task['id']}/complete", as_user or department, json=body)


def decide_all(api: Any, instance_id: str, decisions: dict[str, str] | None = None) -> dict[str, Any]:
    """Every reviewing department decides (approve unless told otherwise); the last response body."""
    decisions = decisions or {}
    body: dict[str, Any] = {}
    for department in REVIEW_DEPARTMENTS:
        decision = decisions.get(department, "approve")
        opinion = None if decision == "approve" else f"{department} 的意见：请补充材料"
        response = decide(api, instance_id, department, decision, opinion)
        assert response.status_code == 200, response.text
        body = response.json()
    return body


def add_user(
    platform: Platform,
    username: str,
    *,
    roles: list[str],
    departments: list[str] | None = None,
    unit_code: str | None = None,
) -> None:
    """Another account, created directly in the database with the demo password."""
    with platform.ctx.transaction() as session:
        create_user(
            session,
            username=username,
            password=DEMO_PASSWORD,
            display_name=username,
            roles=roles,
            departments=departments,
            unit_code=unit_code,
        )


def post_raw(api: Any, path: str, as_user: str, content: Any, content_type: str) -> Any:
    """POST a body exactly as given, with an explicit Content-Type."""
    headers = {**api.headers(as_user), "Content-Type": content_type}
    return api.client.post(path, content=content, headers=headers)

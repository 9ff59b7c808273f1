"""Multipart submissions with attachments: storing, downloading, and the 413/415 refusals."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.deps import ApiConfig
from onestop.bootstrap import Platform
from tests.api.helpers import (
    PDF_BYTES,
    PNG_BYTES,
    PROCESS_KEY,
    add_user,
    application,
    assert_error,
    open_task,
    pdf_file,
    post_raw,
    start,
    start_multipart,
)
from tests.conftest import Api


def stored_files(platform: Platform) -> list[Path]:
    root = platform.attachments.root
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_upload_then_download_identical_bytes(api: Api, platform: Platform) -> None:
    response = start_multipart(api, [("申请书.pdf", PDF_BYTES, "application/pdf")])
    assert response.status_code == 201, response.text
    body = response.json()
    sha = hashlib.sha256(PDF_BYTES).hexdigest()
    assert body["data"]["application"]["attachments"] == [
        {"name": "申请书.pdf", "sha256": sha, "size": len(PDF_BYTES), "content_type": "application/pdf"}
    ]
    assert [p.name for p in stored_files(platform)] == [sha]
    url = f"/api/v1/instances/{body['id']}/attachments/{sha}"

    # An approver of a department with a task on the matter may download it.
    download = api.get(url, "caizheng")
    assert download.status_code == 200, download.text
    assert download.content == PDF_BYTES
    assert download.headers["content-type"] == "application/pdf"
    assert "%E7%94%B3%E8%AF%B7%E4%B9%A6.pdf" in download.headers["content-disposition"]
    assert api.get(url, "applicant").content == PDF_BYTES
    history = api.get(f"/api/v1/instances/{body['id']}", "admin").json()["history"]
    assert [h["actor"] for h in history if h["action"] == "download_attachment"] == ["caizheng", "applicant"]

    # Nobody else, and nothing that is not an attachment of this matter.
    assert_error(api.get(url, "archivist"), 404, "instance_not_found")
    other = start(api)["id"]
    assert_error(api.get(f"/api/v1/instances/{other}/attachments/{sha}", "bianban"), 404, "attachment_not_found")
    assert_error(
        api.get(f"/api/v1/instances/{body['id']}/attachments/{'0' * 64}", "bianban"), 404, "attachment_not_found"
    )
    assert_error(api.get(f"/api/v1/instances/{body['id']}/attachments/ABC", "bianban"), 422, "request_invalid")


def test_several_files_are_appended_to_existing_references(shared_api: Api) -> None:
    data = {**application(), "attachments": []}
    response = start_multipart(
        shared_api, [("a.pdf", PDF_BYTES, "application/pdf"), ("b.png", PNG_BYTES, "image/png")], data
    )
    assert response.status_code == 201, response.text
    refs = response.json()["data"]["application"]["attachments"]
    assert [(r["name"], r["content_type"], r["size"]) for r in refs] == [
        ("a.pdf", "application/pdf", len(PDF_BYTES)),
        ("b.png", "image/png", len(PNG_BYTES)),
    ]
    download = shared_api.get(f"/api/v1/instances/{response.json()['id']}/attachments/{refs[1]['sha256']}", "zuzhi")
    assert (download.status_code, download.content) == (200, PNG_BYTES)


def test_approver_upload_is_refused_before_anything_is_stored(sqlite_api: Api, sqlite_platform: Platform) -> None:
    response = start_multipart(sqlite_api, [("a.pdf", PDF_BYTES, "application/pdf")], as_user="bianban")
    assert_error(response, 403, "applicant_only")
    assert stored_files(sqlite_platform) == []


def test_content_type_must_be_json_or_multipart(shared_api: Api) -> None:
    response = post_raw(shared_api, "/api/v1/instances", "applicant", b"process_key=demo", "text/plain")
    assert_error(response, 415, "unsupported_media_type")
    form_encoded = shared_api.post("/api/v1/instances", "applicant", data={"process_key": PROCESS_KEY})
    assert_error(form_encoded, 415, "unsupported_media_type")


def test_withdraw_body_must_be_json(shared_api: Api) -> None:
    instance_id = start(shared_api)["id"]
    response = post_raw(shared_api, f"/api/v1/instances/{instance_id}/withdraw", "applicant", b"reason", "text/plain")
    assert_error(response, 415, "unsupported_media_type")


def test_disallowed_attachment_type(sqlite_api: Api, sqlite_platform: Platform) -> None:
    response = start_multipart(sqlite_api, [("page.html", b"<html><script>alert(1)</script></html>", "text/html")])
    body = assert_error(response, 415, "attachment_type_not_allowed")
    assert body["details"] == {"file": "page.html", "content_type": "text/html"}
    assert "page.html" in body["message"]
    assert stored_files(sqlite_platform) == []


def test_declared_pdf_that_is_not_a_pdf(sqlite_api: Api, sqlite_platform: Platform) -> None:
    response = start_multipart(sqlite_api, [("fake.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")])
    body = assert_error(response, 415, "attachment_content_mismatch")
    assert body["details"] == {"file": "fake.pdf"}
    assert stored_files(sqlite_platform) == []


def test_invalid_data_field_in_multipart(shared_api: Api) -> None:
    response = shared_api.post(
        "/api/v1/instances", "applicant", files=[("process_key", (None, PROCESS_KEY)), ("data", (None, "{not json"))]
    )
    assert_error(response, 400, "invalid_data")
    response = shared_api.post(
        "/api/v1/instances", "applicant", files=[("process_key", (None, PROCESS_KEY)), ("data", (None, "[1, 2]"))]
    )
    assert_error(response, 400, "invalid_data")


def test_multipart_without_process_key(shared_api: Api) -> None:
    response = shared_api.post("/api/v1/instances", "applicant", files=[("data", (None, json.dumps(application())))])
    body = assert_error(response, 422, "request_invalid")
    assert body["details"][0]["path"] == "/process_key"


# --- size limits: an app built with small limits -------------------------------------------

SMALL = ApiConfig(max_upload_bytes=1024, max_request_bytes=10_000)


@pytest.fixture
def small_api(sqlite_platform: Platform) -> Iterator[Api]:
    app = create_app(sqlite_platform.ctx, sqlite_platform.attachments, SMALL)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield Api(client, sqlite_platform)


def test_upload_over_the_file_limit(small_api: Api, sqlite_platform: Platform) -> None:
    big_pdf = PDF_BYTES + b"%" + b"0" * 2000
    response = start_multipart(small_api, [("big.pdf", big_pdf, "application/pdf")])
    body = assert_error(response, 413, "attachment_too_large")
    assert body["details"] == {"file": "big.pdf", "limit_bytes": 1024}
    assert stored_files(sqlite_platform) == []
    assert small_api.get("/api/v1/instances", "applicant").json()["total"] == 0
    # Exactly at the limit is fine.
    exact = PDF_BYTES + b"%" * (1024 - len(PDF_BYTES))
    assert start_multipart(small_api, [("exact.pdf", exact, "application/pdf")]).status_code == 201


def test_request_over_the_declared_length_limit(small_api: Api) -> None:
    payload = json.dumps({"process_key": PROCESS_KEY, "data": application(), "padding": "x" * 12_000}).encode()
    response = post_raw(small_api, "/api/v1/instances", "applicant", payload, "application/json")
    assert_error(response, 413, "payload_too_large")
    assert small_api.get("/api/v1/instances", "applicant").json()["total"] == 0


def test_chunked_request_over_the_limit_is_refused(small_api: Api) -> None:
    payload = json.dumps({"process_key": PROCESS_KEY, "data": application(), "padding": "x" * 12_000}).encode()

    def chunks() -> Iterator[bytes]:  # a generator body is sent without Content-Length
        yield payload

    response = post_raw(small_api, "/api/v1/instances", "applicant", chunks(), "application/json")
    assert response.status_code == 413, response.text


def test_limit_in_the_message_is_not_zero(small_api: Api) -> None:
    big_pdf = PDF_BYTES + b"0" * 2000
    upload = start_multipart(small_api, [("big.pdf", big_pdf, "application/pdf")]).json()
    payload = b"{" + b" " * 12_000 + b"}"
    request = post_raw(small_api, "/api/v1/instances", "applicant", payload, "application/json").json()
    assert " 0 MB" not in upload["message"], upload
    assert " 0 MB" not in request["message"], request


# --- references the client writes itself -----------------------------------------------------


def test_a_pdf_header_in_front_of_html_is_not_a_pdf(sqlite_api: Api, sqlite_platform: Platform) -> None:
    polyglot = b"%PDF-1.4\n<html><script>alert(document.cookie)</script></html>\n%%EOF\n"
    refused = start_multipart(sqlite_api, [("a.pdf", polyglot, "application/pdf")])
    assert "PDF" in assert_error(refused, 415, "attachment_content_mismatch")["message"]
    assert stored_files(sqlite_platform) == []


def test_download_type_is_the_checked_one_not_a_client_claim(sqlite_api: Api) -> None:
    uploaded = start_multipart(sqlite_api, [("a.pdf", PDF_BYTES, "application/pdf")])
    assert uploaded.status_code == 201, uploaded.text
    ref = uploaded.json()["data"]["application"]["attachments"][0]
    forged = {**application(), "attachments": [{**ref, "name": "a.html", "content_type": "text/html"}]}
    response = sqlite_api.post("/api/v1/instances", "applicant", json={"process_key": PROCESS_KEY, "data": forged})
    if response.status_code == 201:
        download = sqlite_api.get(f"/api/v1/instances/{response.json()['id']}/attachments/{ref['sha256']}", "bianban")
        assert download.headers["content-type"] == "application/pdf", download.headers
    else:
        assert_error(response, 422, response.json()["code"])


def test_other_units_attachment_cannot_be_claimed_by_hash(sqlite_api: Api, sqlite_platform: Platform) -> None:
    uploaded = start_multipart(sqlite_api, [("内部材料.pdf", PDF_BYTES, "application/pdf")])
    ref = uploaded.json()["data"]["application"]["attachments"][0]
    add_user(sqlite_platform, "other_applicant", roles=["applicant"], unit_code="demo-unit-002")
    data = {**application(), "attachments": [ref]}
    response = sqlite_api.post("/api/v1/instances", "other_applicant", json={"process_key": PROCESS_KEY, "data": data})
    if response.status_code == 201:
        download = sqlite_api.get(
            f"/api/v1/instances/{response.json()['id']}/attachments/{ref['sha256']}", "other_applicant"
        )
        assert download.status_code == 404, "another unit's file was served"
    else:
        assert 400 <= response.status_code < 500


def test_refused_submission_leaves_no_file(sqlite_api: Api, sqlite_platform: Platform) -> None:
    response = start_multipart(sqlite_api, [("a.pdf", PDF_BYTES, "application/pdf")], data={"unit_name": "x"})
    assert_error(response, 422, "form_invalid")
    instance_id = start(sqlite_api)["id"]
    task = open_task(sqlite_api, instance_id, "bianban")
    review = sqlite_api.post(
        f"/api/v1/tasks/{task['id']}/complete",
        "bianban",
        files=[("decision", (None, "approve")), ("files", ("r.pdf", PDF_BYTES + b"%review", "application/pdf"))],
    )
    assert_error(review, 422, "attachments_not_accepted")  # the review form has no attachments field
    assert stored_files(sqlite_platform) == []


# --- content, not labels ----------------------------------------------------------------------------------------

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _zip(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def _docx() -> bytes:
    types = (
        '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Override PartName="/word/document.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
    )
    return _zip({"[Content_Types].xml": types.encode(), "word/document.xml": b"<w:document/>"})


def _xlsx() -> bytes:
    from openpyxl import Workbook

    out = io.BytesIO()
    Workbook().save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("label", "name", "content", "declared", "code"),
    [
        ("a plain ZIP as DOCX", "a.docx", _zip({"notes.txt": b"hi"}), DOCX, "attachment_content_mismatch"),
        ("a DOCX as XLSX", "a.xlsx", _docx(), XLSX, "attachment_content_mismatch"),
        ("a ZIP without OFD.xml as OFD", "a.ofd", _zip({"Doc_0/Document.xml": b"<x/>"}), "application/ofd", None),
        (
            "a ZIP bomb as XLSX",
            "b.xlsx",
            _zip({"[Content_Types].xml": b"x", "xl/a.xml": bytes(50_000_000)}),
            XLSX,
            None,
        ),
        ("PNG bytes that do not decode", "a.png", b"\x89PNG\r\n\x1a\n" + bytes(40), "image/png", None),
        ("a PNG as JPEG", "a.jpg", PNG_BYTES, "image/jpeg", "attachment_content_mismatch"),
        (
            "a PDF without pages",
            "a.pdf",
            pdf_file([b"<</Type/Catalog/Pages 2 0 R>>", b"<</Type/Pages/Kids[]/Count 0>>"]),
            "application/pdf",
            None,
        ),
    ],
)
def test_files_are_judged_by_their_content(
    sqlite_api: Api, sqlite_platform: Platform, label: str, name: str, content: bytes, declared: str, code: str | None
) -> None:
    refused = start_multipart(sqlite_api, [(name, content, declared)])
    body = assert_error(refused, 415, code or refused.json()["code"])
    assert body["code"].startswith("attachment_") and name in body["message"], (label, body)
    assert stored_files(sqlite_platform) == [], label


def test_real_files_of_each_kind_are_accepted(sqlite_api: Api) -> None:
    files = [
        ("申请书.pdf", PDF_BYTES, "application/pdf"),
        ("照片.png", PNG_BYTES, "image/png"),
        ("说明.docx", _docx(), DOCX),
        ("名册.xlsx", _xlsx(), XLSX),
        ("批复.ofd", _zip({"OFD.xml": b"<ofd:OFD/>", "Doc_0/Document.xml": b"<x/>"}), "application/ofd"),
    ]
    response = start_multipart(sqlite_api, files)
    assert response.status_code == 201, response.text
    assert len(response.json()["data"]["application"]["attachments"]) == len(files)


def test_the_sweep_removes_unreferenced_files_after_a_day_and_keeps_the_rest(
    sqlite_api: Api, sqlite_platform: Platform
) -> None:
    from datetime import timedelta

    import time_machine

    from engine.services.attachments import sweep_orphans
    from kernel import clock

    kept = start_multipart(sqlite_api, [("申请书.pdf", PDF_BYTES, "application/pdf")])
    assert kept.status_code == 201
    store = sqlite_platform.attachments
    orphan_ref, _ = store.put(io.BytesIO(PNG_BYTES), name="o.png", content_type="image/png", max_bytes=10**6)
    partial = store.root / ".upload-killed"
    partial.write_bytes(b"half")
    assert len(stored_files(sqlite_platform)) == 3
    assert sweep_orphans(sqlite_platform.ctx, store) == 0  # too young: a submission may still be on its way
    with time_machine.travel(clock.now() + timedelta(hours=25), tick=False):
        assert sweep_orphans(sqlite_platform.ctx, store) == 1
    left = stored_files(sqlite_platform)
    assert [p.name for p in left] == [kept.json()["data"]["application"]["attachments"][0]["sha256"]]
    assert not store.exists(orphan_ref.sha256) and not partial.exists()

"""The public verification pages: upload a PDF, or open the QR code's link."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from api.web import session
from api.web.pages import (
    api_config,
    engine_context,
    page,
)
from signatures import records
from signatures.verification import verify_pdf

router = APIRouter(include_in_schema=False)


# -- public verification ----------------------------------------------------------------------------------------


@router.get("/verify", response_class=HTMLResponse, response_model=None)
def verify_form(request: Request) -> HTMLResponse:
    return page(request, "verify.html", session.current_actor(engine_context(request), request))


@router.post("/verify", response_class=HTMLResponse, response_model=None)
async def verify_upload(request: Request) -> HTMLResponse:
    config = api_config(request)
    actor = session.current_actor(engine_context(request), request)
    form = await request.form(max_files=1, max_fields=5)
    upload = form.get("file")
    content = await upload.read(config.max_upload_bytes + 1) if isinstance(upload, UploadFile) else b""
    if not content.startswith(b"%PDF-") or len(content) > config.max_upload_bytes:
        message = "文件过大，无法验证" if len(content) > config.max_upload_bytes else "请选择要验证的 PDF 文件"
        return page(request, "verify.html", actor, status_code=415 if content else 400, form_error=message)
    report = await run_in_threadpool(verify_pdf, content, request.app.state.trust_roots)
    record = await run_in_threadpool(
        lambda: records.public_record(engine_context(request), sha256=hashlib.sha256(content).hexdigest())
    )
    return page(
        request,
        "verify_result.html",
        actor,
        report=report.as_dict(),
        record=record,
        report_json=json.dumps(report.as_dict(), ensure_ascii=False, indent=1),
    )


def verification_page(request: Request, record: dict[str, Any] | None) -> HTMLResponse:
    """The page a QR code opens (``/verify/{code}`` asked for by a browser)."""
    actor = session.current_actor(engine_context(request), request)
    return page(request, "verify_record.html", actor, status_code=200 if record else 404, record=record)

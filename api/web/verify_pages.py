"""The public verification pages: upload a PDF, or open the QR code's link."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from api import rate_limits
from api.errors import status_of
from api.web import session
from api.web.pages import (
    engine_context,
    page,
)
from documents import records
from kernel.errors import DomainError
from signatures.isolated import verify_untrusted
from signatures.pdf_shape import MAX_BYTES

router = APIRouter(include_in_schema=False)


# -- public verification ----------------------------------------------------------------------------------------


@router.get("/verify", response_class=HTMLResponse, response_model=None)
def verify_form(request: Request) -> HTMLResponse:
    return page(request, "verify.html", session.current_actor(engine_context(request), request))


@router.post("/verify", response_class=HTMLResponse, response_model=None)
async def verify_upload(request: Request) -> HTMLResponse:
    actor = session.current_actor(engine_context(request), request)
    form = await request.form(max_files=1, max_fields=5)
    upload = form.get("file")
    content = await upload.read(MAX_BYTES + 1) if isinstance(upload, UploadFile) else b""
    if len(content) > MAX_BYTES:
        return page(
            request, "verify.html", actor, status_code=413, form_error=f"文件超过 {MAX_BYTES >> 20} MB，无法验证"
        )
    if not content.startswith(b"%PDF-"):
        return page(
            request, "verify.html", actor, status_code=415 if content else 400, form_error="请选择要验证的 PDF 文件"
        )
    try:
        await run_in_threadpool(rate_limits.spend, request, "verify_file")
        report = await run_in_threadpool(verify_untrusted, content, request.app.state.trust_roots)
    except DomainError as refused:
        return page(request, "verify.html", actor, status_code=status_of(refused), form_error=refused.message)
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

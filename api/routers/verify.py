"""Public verification of signed documents (no login: a recipient or a court checks a PDF)."""

from __future__ import annotations

import hashlib
from typing import Any

from fastapi import APIRouter, File, Request, UploadFile
from starlette.concurrency import run_in_threadpool

from api.deps import Config, Ctx
from api.schemas import ERRORS, Open
from engine.errors import PayloadTooLarge, UnsupportedMediaType
from signatures import records
from signatures.verification import verify_pdf

router = APIRouter(prefix="/api/v1", tags=["文书验证"], responses=ERRORS)


@router.post("/verify", response_model=Open, summary="验证已签名的 PDF 文书（无需登录）")
async def verify(request: Request, ctx: Ctx, config: Config, file: UploadFile = File(...)) -> dict[str, Any]:  # noqa: B008
    content = await file.read(config.max_upload_bytes + 1)
    if len(content) > config.max_upload_bytes:
        raise PayloadTooLarge("file_too_large", "文件过大，无法验证")
    if not content.startswith(b"%PDF-"):
        raise UnsupportedMediaType("not_a_pdf", "只能验证 PDF 文件")
    roots = request.app.state.trust_roots
    report = await run_in_threadpool(verify_pdf, content, roots)
    # Also say whether the platform issued exactly these bytes (the recorded hash).
    record = await run_in_threadpool(records.public_record, ctx, sha256=hashlib.sha256(content).hexdigest())
    return {**report.as_dict(), "record": record}

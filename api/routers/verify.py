"""Public verification of signed documents (no login: a recipient or a court checks a PDF)."""

from __future__ import annotations

import hashlib
from typing import Any

from fastapi import APIRouter, Depends, File, Request, UploadFile
from starlette.concurrency import run_in_threadpool

from api import rate_limits
from api.deps import Ctx
from api.schemas import ERRORS, Open
from documents import records
from kernel.errors import UnsupportedMediaType
from signatures.isolated import verify_untrusted
from signatures.pdf_shape import MAX_BYTES, check_size

router = APIRouter(prefix="/api/v1", tags=["文书验证"], responses=ERRORS)


@router.post(
    "/verify",
    response_model=Open,
    summary="验证已签名的 PDF 文书（无需登录）",
    dependencies=[Depends(rate_limits.verify_file)],
)
async def verify(request: Request, ctx: Ctx, file: UploadFile = File(...)) -> dict[str, Any]:  # noqa: B008
    content = await file.read(MAX_BYTES + 1)
    check_size(len(content))
    if not content.startswith(b"%PDF-"):
        raise UnsupportedMediaType("not_a_pdf", "只能验证 PDF 文件")
    roots = request.app.state.trust_roots
    report = await run_in_threadpool(verify_untrusted, content, roots)
    # Also say whether the platform issued exactly these bytes (the recorded hash).
    record = await run_in_threadpool(records.public_record, ctx, sha256=hashlib.sha256(content).hexdigest())
    return {**report.as_dict(), "record": record}

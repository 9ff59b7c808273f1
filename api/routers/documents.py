"""Issued documents: a matter's list, the download, and the public lookup behind the QR code."""

from __future__ import annotations

import functools
from typing import Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import FileResponse
from starlette.concurrency import run_in_threadpool

from api import rate_limits
from api.deps import Ctx, CurrentActor, Documents
from api.schemas import ERRORS, ErrorOut, Open
from api.web.pages import wants_html
from api.web.verify_pages import verification_page
from documents import records
from kernel.errors import NotFound

router = APIRouter(tags=["文书"], responses=ERRORS)
DocumentId = functools.partial(
    Path, min_length=1, max_length=36
)  # called per parameter: a fresh Path each (see api.deps.row_id)


@router.get("/api/v1/instances/{instance_id}/documents", response_model=list[Open], summary="事项出具的文书")
def list_documents(ctx: Ctx, actor: CurrentActor, instance_id: str = Path(min_length=1, max_length=36)) -> Any:
    return records.list_for_instance(ctx, actor, instance_id)


@router.get(
    "/api/v1/documents/{document_id}/download", summary="下载已盖章签名的文书（PDF）", response_class=FileResponse
)
async def download(ctx: Ctx, store: Documents, actor: CurrentActor, document_id: str = DocumentId()) -> FileResponse:
    document = await run_in_threadpool(records.for_download, ctx, actor, document_id, store)
    return FileResponse(
        store.path(document["sha256"]),
        media_type="application/pdf",
        filename=f"{document['title']}（{document['number']}）.pdf",
        headers={"X-Content-Type-Options": "nosniff"},
    )


@router.get(
    "/verify/{code}",
    response_model=Open,
    summary="按文书二维码查询登记信息（无需登录）",
    description="浏览器（Accept 含 text/html，如扫码打开）得到核验页面，其他客户端得到 JSON。",
    dependencies=[Depends(rate_limits.verify_code)],
    responses={
        200: {"content": {"text/html": {"schema": {"type": "string"}}}},
        404: {"model": ErrorOut, "content": {"text/html": {"schema": {"type": "string"}}}},
    },
)
def lookup(
    request: Request, ctx: Ctx, code: str = Path(min_length=8, max_length=40, pattern=r"^[A-Za-z0-9_-]+$")
) -> Any:
    found = records.public_record(ctx, code=code)
    if wants_html(request):  # a phone that scanned the QR code gets a page
        return verification_page(request, found)
    if found is None:
        raise NotFound("document_not_found", "没有找到该文书，请核对二维码或链接")
    return {**found, "message": "本平台出具过该文书；请上传文件核验签名，或核对文件的 SHA-256 摘要与此一致"}

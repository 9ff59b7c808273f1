"""The archive: search, a record with its check report, download, verify now."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from api.deps import Ctx, CurrentActor, Day, get_archive
from api.downloads import archive_download
from api.schemas import ERRORS, Open
from archive import service
from archive.search import MAX_PAGE_SIZE, ArchiveQuery

router = APIRouter(prefix="/api/v1/archive", tags=["档案"], responses=ERRORS)
RecordId = Path(ge=1, le=2**62)
Reason = Annotated[str | None, Query(max_length=500, description="查阅理由（可选，记入审计）")]


@router.get("/records", response_model=Open, summary="检索档案（全文与字段）")
def find(
    ctx: Ctx,
    actor: CurrentActor,
    q: Annotated[str | None, Query(max_length=200, description="全文：两个及以上汉字可检索长文中的词")] = None,
    unit: Annotated[str | None, Query(max_length=200, description="单位编码或名称")] = None,
    credit_code: Annotated[str | None, Query(max_length=18)] = None,
    person: Annotated[str | None, Query(max_length=60, description="人员姓名或身份证号")] = None,
    matter: Annotated[str | None, Query(max_length=100, description="事项（流程标识）")] = None,
    number: Annotated[str | None, Query(max_length=60, description="文号")] = None,
    department: Annotated[str | None, Query(max_length=40)] = None,
    date_from: Day | None = None,
    date_to: Day | None = None,
    retention: Annotated[str | None, Query(max_length=8, description="永久、30年、10年")] = None,
    flagged: Annotated[bool | None, Query(description="只看检测未通过的档案")] = None,
    kind: Annotated[str | None, Query(pattern="^(document|dossier)$")] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 20,
    sort: Annotated[
        str, Query(pattern="^(newest|oldest)$", description="按日期排序：newest 新在前，oldest 旧在前")
    ] = "newest",
    reason: Reason = None,
) -> dict[str, Any]:
    query = ArchiveQuery(
        q,
        unit,
        credit_code,
        person,
        matter,
        number,
        department,
        date_from,
        date_to,
        retention,
        flagged,
        kind,
        page,
        size,
        sort,
    )
    return service.find(ctx, actor, query, reason)


@router.get("/records/{record_id}", response_model=Open, summary="档案详情与四性检测报告")
def read(ctx: Ctx, actor: CurrentActor, reason: Reason = None, record_id: int = RecordId) -> dict[str, Any]:
    return service.read(ctx, actor, record_id, reason)


@router.get("/records/{record_id}/download", summary="下载档案（本地流式或跳转到限时地址）", response_class=Response)
async def download(
    request: Request, ctx: Ctx, actor: CurrentActor, reason: Reason = None, record_id: int = RecordId
) -> Response:
    found = await run_in_threadpool(service.download, get_archive(request), ctx, actor, record_id, reason)
    return archive_download(found)


@router.post("/records/{record_id}/verify", response_model=Open, summary="立即重新检测档案")
async def verify(
    request: Request, ctx: Ctx, actor: CurrentActor, reason: Reason = None, record_id: int = RecordId
) -> dict[str, Any]:
    return await run_in_threadpool(service.verify_now, get_archive(request), ctx, actor, record_id, reason)

from __future__ import annotations

import functools
from typing import Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import FileResponse
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from api.bodies import media_type, openapi_submission, pydantic_errors, read_json_object, submit
from api.deps import Attachments, Config, Ctx, CurrentActor
from api.schemas import (
    ERRORS,
    InstanceOut,
    InstancePage,
    Open,
    ProposalJson,
    ReasonJson,
    StartJson,
    UrgeJson,
    UrgeOut,
)
from engine import services
from engine.services import handover, replays
from engine.services.attachments import attachment_for_download
from engine.services.instances import check_may_start
from kernel.errors import NotFound, UnsupportedMediaType

router = APIRouter(prefix="/api/v1/instances", tags=["事项"], responses=ERRORS)

InstanceId = functools.partial(
    Path, min_length=1, max_length=36
)  # called per parameter: a fresh Path each (see api.deps.row_id)

START_BODY = openapi_submission(StartJson, {"process_key": {"type": "string"}}, ["process_key"])


@router.post(
    "",
    status_code=201,
    response_model=InstanceOut,
    summary="发起事项（一次填报）",
    openapi_extra={"requestBody": START_BODY},
)
async def start(request: Request, ctx: Ctx, config: Config, store: Attachments, actor: CurrentActor) -> dict[str, Any]:
    check_may_start(actor)  # before any upload is stored
    return await submit(
        request,
        ctx,
        config,
        store,
        StartJson,
        ("process_key",),
        lambda body, uploads: services.start(ctx, actor, process_key=body.process_key, data=body.data, uploads=uploads),
    )


@router.get("", response_model=InstancePage, summary="我能看到的事项")
def list_instances(
    ctx: Ctx,
    actor: CurrentActor,
    status: str | None = Query(default=None, max_length=20),
    process_key: str | None = Query(default=None, max_length=100),
    q: str | None = Query(default=None, max_length=100, description="受理编号或事项名称中的文字"),
    limit: int = Query(default=50, ge=1, le=200),
    offset: int = Query(default=0, ge=0, le=1_000_000),
) -> dict[str, Any]:
    return services.list_instances(
        ctx, actor, status=status, process_key=process_key, search=q, limit=limit, offset=offset
    )


@router.get("/{instance_id}", response_model=InstanceOut, summary="事项详情：状态、数据、待办、历史")
def get_instance(ctx: Ctx, actor: CurrentActor, instance_id: str = InstanceId()) -> dict[str, Any]:
    return services.get(ctx, actor, instance_id)


async def _reason(request: Request) -> str | None:
    if not (await request.body()).strip():
        return None
    if media_type(request) != "application/json":
        raise UnsupportedMediaType("unsupported_media_type", "请求内容类型应为 application/json")
    try:
        return ReasonJson.model_validate(await read_json_object(request)).reason
    except ValidationError as exc:
        raise pydantic_errors(exc) from None


@router.post(
    "/proposals",
    response_model=InstanceOut,
    status_code=201,
    summary="部门代单位提出事项（编办提出编制调整）：单位核对、补正后提交，其余环节照常",
)
def propose(ctx: Ctx, actor: CurrentActor, body: ProposalJson) -> dict[str, Any]:
    return services.propose(ctx, actor, process_key=body.process_key, unit_code=body.unit_code, data=body.data)


REASON_BODY = {"required": False, "content": {"application/json": {"schema": ReasonJson.model_json_schema()}}}


@router.post(
    "/{instance_id}/withdraw",
    response_model=InstanceOut,
    summary="申请单位撤回（任何部门决定之前）",
    openapi_extra={"requestBody": REASON_BODY},
)
async def withdraw(request: Request, ctx: Ctx, actor: CurrentActor, instance_id: str = InstanceId()) -> dict[str, Any]:
    reason = await _reason(request)
    return await run_in_threadpool(services.withdraw, ctx, actor, instance_id, reason=reason)


@router.post(
    "/{instance_id}/urge", response_model=UrgeOut, summary="催办：提醒当前办理环节尽快办理（每人每件每4小时一次）"
)
def urge(
    ctx: Ctx, actor: CurrentActor, body: UrgeJson | None = None, instance_id: str = InstanceId()
) -> dict[str, Any]:
    return handover.urge(ctx, actor, instance_id, opinion=body.opinion if body else None)


@router.post(
    "/{instance_id}/cancel",
    response_model=InstanceOut,
    summary="管理员终止事项（须填写原因）",
    openapi_extra={"requestBody": REASON_BODY},
)
async def cancel(request: Request, ctx: Ctx, actor: CurrentActor, instance_id: str = InstanceId()) -> dict[str, Any]:
    reason = await _reason(request)
    return await run_in_threadpool(services.cancel, ctx, actor, instance_id, reason=reason or "")


@router.get("/{instance_id}/attachments/{sha256}", summary="下载事项附件", response_class=FileResponse)
def download_attachment(
    ctx: Ctx,
    store: Attachments,
    actor: CurrentActor,
    instance_id: str = InstanceId(),
    sha256: str = Path(pattern=r"^[0-9a-f]{64}$"),
) -> FileResponse:
    ref = attachment_for_download(ctx, actor, instance_id, sha256)
    if not store.exists(sha256):
        raise NotFound("attachment_not_found", "附件不存在")
    return FileResponse(
        store.path(sha256),
        media_type=str(ref["content_type"]),
        filename=str(ref["name"]),
        headers={"X-Content-Type-Options": "nosniff"},
    )


@router.get(
    "/{instance_id}/replay", response_model=Open, summary="案卷回放：按审计链逐条重现办理过程（管理员、档案管理人员）"
)
def replay(ctx: Ctx, actor: CurrentActor, instance_id: str = InstanceId()) -> dict[str, Any]:
    return replays.replay_of(ctx, actor, instance_id)

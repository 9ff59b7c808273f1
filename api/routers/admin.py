from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Path, Query

from api.deps import Ctx, CurrentActor
from api.schemas import ERRORS, InstanceOut, Open
from engine import services

router = APIRouter(prefix="/api/v1", tags=["运维"], responses=ERRORS)


@router.get("/incidents", response_model=list[Open], summary="未处理的流程异常（管理员）")
def incidents(ctx: Ctx, actor: CurrentActor) -> list[dict[str, Any]]:
    return services.list_incidents(ctx, actor)


@router.post("/incidents/{incident_id}/retry", response_model=InstanceOut, summary="重试异常环节（管理员）")
def retry(ctx: Ctx, actor: CurrentActor, incident_id: int = Path(ge=1, le=2**31 - 1)) -> dict[str, Any]:
    return services.retry(ctx, actor, incident_id)


@router.get("/notifications", response_model=list[Open], summary="我的消息提醒（新的在前）")
def notifications(
    ctx: Ctx,
    actor: CurrentActor,
    unread: bool = False,
    kind: str | None = Query(default=None, max_length=40, description="task / returned / finished / urge / copy"),
    limit: int = Query(default=50, ge=1, le=200),
    offset: int = Query(default=0, ge=0, le=1_000_000),
) -> list[dict[str, Any]]:
    return services.list_notifications(ctx, actor, unread=unread, kind=kind, limit=limit, offset=offset)


@router.get("/notifications/counts", response_model=Open, summary="未读消息数：全部、退回补正、办结")
def notification_counts(ctx: Ctx, actor: CurrentActor) -> dict[str, Any]:
    return services.notification_counts(ctx, actor)


@router.post("/notifications/read", response_model=Open, summary="全部标为已读")
def read_all(ctx: Ctx, actor: CurrentActor) -> dict[str, Any]:
    return services.mark_read(ctx, actor)


@router.post("/notifications/{notification_id}/read", response_model=Open, summary="标为已读")
def read_one(ctx: Ctx, actor: CurrentActor, notification_id: int = Path(ge=1, le=2**31 - 1)) -> dict[str, Any]:
    return services.mark_read(ctx, actor, notification_id)

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Path

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


@router.get("/notifications", response_model=list[Open], summary="我的消息提醒")
def notifications(ctx: Ctx, actor: CurrentActor) -> list[dict[str, Any]]:
    return services.list_notifications(ctx, actor)

"""The signed-in person's own settings: 代理 (who takes their tasks while they are away)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from api.deps import Ctx, CurrentActor
from api.schemas import ERRORS, DeputyJson, DeputyOut
from engine.services import deputies

router = APIRouter(prefix="/api/v1/me", tags=["个人设置"], responses=ERRORS)


@router.get("/deputy", response_model=DeputyOut | None, summary="我的代理设置（未设置时为 null）")
def get_deputy(ctx: Ctx, actor: CurrentActor) -> dict[str, Any] | None:
    return deputies.get_deputy(ctx, actor)


@router.put("/deputy", response_model=DeputyOut, summary="设置代理：不在岗期间（含首尾两日）分配给我的任务由代理人办理")
def set_deputy(ctx: Ctx, actor: CurrentActor, body: DeputyJson) -> dict[str, Any]:
    return deputies.set_deputy(ctx, actor, deputy=body.deputy, starts_on=body.from_, ends_on=body.to)


@router.delete("/deputy", status_code=204, response_class=Response, summary="取消代理")
def clear_deputy(ctx: Ctx, actor: CurrentActor) -> Response:
    deputies.clear_deputy(ctx, actor)
    return Response(status_code=204)

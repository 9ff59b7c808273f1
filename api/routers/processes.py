from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Path

from api.deps import Ctx, CurrentActor
from api.schemas import ERRORS, Open, ProcessOut
from engine import services

router = APIRouter(prefix="/api/v1/processes", tags=["流程"], responses=ERRORS)

ProcessKey = Path(min_length=1, max_length=100, pattern=r"^[A-Za-z_][A-Za-z0-9_.-]*$")


@router.get("", response_model=list[ProcessOut], summary="可发起的流程（各流程的最新版本）")
def list_processes(ctx: Ctx, _actor: CurrentActor) -> list[dict[str, Any]]:
    return services.list_processes(ctx)


@router.get("/{key}/form", response_model=Open, summary="流程申请表单的 JSON Schema")
def start_form(ctx: Ctx, _actor: CurrentActor, key: str = ProcessKey) -> dict[str, Any]:
    return services.start_form(ctx, key)

"""The establishment register, read side: units, derived figures, staff."""

from __future__ import annotations

import functools
from typing import Any

from fastapi import APIRouter, Path, Query

from api.deps import Ctx, CurrentActor
from api.schemas import ERRORS, Open
from registry.services import register

router = APIRouter(prefix="/api/v1/register", tags=["机构编制台账"], responses=ERRORS)

UnitCode = functools.partial(
    Path, min_length=1, max_length=64
)  # called per parameter: a fresh Path each (see api.deps.row_id)


@router.get("/units", response_model=list[Open], summary="单位及其核定、实有、预留、空缺编制数")
def units(ctx: Ctx, actor: CurrentActor) -> list[dict[str, Any]]:
    return register.list_units(ctx, actor)


@router.get("/units/{code}", response_model=Open, summary="单位详情：分类型编制数与领导职数")
def unit(ctx: Ctx, actor: CurrentActor, code: str = UnitCode()) -> dict[str, Any]:
    return register.get_unit(ctx, actor, code)


@router.get("/units/{code}/persons", response_model=Open, summary="单位在编人员（实名制）")
def persons(
    ctx: Ctx,
    actor: CurrentActor,
    code: str = UnitCode(),
    limit: int = Query(default=100, ge=1, le=500),
    offset: int = Query(default=0, ge=0, le=1_000_000),
) -> dict[str, Any]:
    return register.list_persons(ctx, actor, code, limit=limit, offset=offset)

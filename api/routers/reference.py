"""Reference tools: code validators, the working-day calendar, the efficiency rate."""

from __future__ import annotations

import functools
from decimal import Decimal
from typing import Any, Literal

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from api.deps import Ctx, CurrentActor, Day
from api.schemas import ERRORS, Open
from engine.services import calendar
from forms.identifiers import check_orgcode, check_ric, check_uscc
from kernel.errors import ValidationFailed
from registry.efficiency import EfficiencyInputError, compute

router = APIRouter(prefix="/api/v1", tags=["工具"], responses=ERRORS)

CHECKS = {"uscc": check_uscc, "ric": check_ric, "orgcode": check_orgcode}


class ValueIn(BaseModel):
    value: str = Field(max_length=100)


class CodeCheckOut(BaseModel):
    valid: bool
    normalized: str | None
    errors: list[str]
    warnings: list[str]


@router.post("/validate/{kind}", response_model=CodeCheckOut, summary="校验统一社会信用代码、身份证号码或组织机构代码")
def validate_code(body: ValueIn, _actor: CurrentActor, kind: Literal["uscc", "ric", "orgcode"]) -> dict[str, Any]:
    return CHECKS[kind](body.value).as_dict()


class EfficiencyIn(BaseModel):
    gamma: Decimal = Field(ge=0, le=1_000_000, description="效益提升值 γ")
    establishment: int = Field(ge=1, le=1_000_000, description="核定编制总数")
    requested: int = Field(ge=1, le=1_000_000, description="申请使用编制数 λ")
    published: bool = Field(default=False, description="按文献方法取舍（δΔ、ε 均四舍五入保留两位）")


class EfficiencyOut(BaseModel):
    delta: str
    epsilon_percent: str
    max_requestable: int


@router.post("/efficiency", response_model=EfficiencyOut, summary="空缺编制使用效益率（辅助决策）")
def efficiency(body: EfficiencyIn, _actor: CurrentActor) -> dict[str, object]:
    try:
        return compute(body.gamma, body.establishment, body.requested, published=body.published).as_dict()
    except EfficiencyInputError as exc:
        raise ValidationFailed("invalid_efficiency_input", str(exc)) from None


Year = functools.partial(Path, ge=1950, le=2100)  # called per parameter: a fresh Path each (see api.deps.row_id)


@router.get("/calendar/add-workdays", response_model=Open, summary="计算第 N 个工作日（不含起算日）")
def add_workdays(
    ctx: Ctx, _actor: CurrentActor, start: Day, days: int = Query(ge=0, le=calendar.MAX_WORKDAYS)
) -> dict[str, Any]:
    return calendar.count_workdays(ctx, start, days)


@router.get("/calendar/{year}", response_model=Open, summary="某年的节假日与调休安排")
def calendar_year(ctx: Ctx, _actor: CurrentActor, year: int = Year()) -> dict[str, Any]:
    return calendar.calendar_year(ctx, year)


class DayIn(BaseModel):
    is_workday: bool
    note: str = Field(default="", max_length=100)


class YearIn(BaseModel):
    announced: bool


@router.put("/calendar/days/{day}", response_model=Open, summary="设置某日是否为工作日（管理员）")
def set_day(ctx: Ctx, actor: CurrentActor, day: Day, body: DayIn) -> dict[str, Any]:
    return calendar.set_day(ctx, actor, day, is_workday=body.is_workday, note=body.note)


@router.put("/calendar/years/{year}", response_model=Open, summary="标记某年安排已公布（管理员）")
def announce(ctx: Ctx, actor: CurrentActor, body: YearIn, year: int = Year()) -> dict[str, Any]:
    return calendar.announce(ctx, actor, year, announced=body.announced)

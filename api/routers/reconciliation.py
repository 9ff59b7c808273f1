"""人编经费比对: 财政's and 人社's monthly lists, 编办's comparison with the 实名制 roster, the
findings per unit, the 整改 matters; and the negative list (负面清单), set or lifted on a 文号."""

from __future__ import annotations

import functools
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Path, Query, UploadFile
from pydantic import BaseModel, Field

from api.deps import Ctx, CurrentActor, row_id
from api.routers.imports import ImportReportOut
from api.schemas import ERRORS, Open
from kernel.errors import PayloadTooLarge
from registry.import_files import MAX_IMPORT_BYTES
from registry.services import reconciliation

router = APIRouter(prefix="/api/v1/reconciliation", tags=["人编经费比对"], responses=ERRORS)
negative_list = APIRouter(prefix="/api/v1/register", tags=["机构编制台账"], responses=ERRORS)

UnitCode = functools.partial(Path, min_length=1, max_length=64)
PERIOD_PATTERN = r"^20\d{2}-(0[1-9]|1[0-2])$"

LIST_DESCRIPTION = """
上传某月的名单（CSV 或 XLSX，第1行为表头）：`payroll` 财政工资统发名单（财政局导入），`hr` 人社人员名册（人社局导入）。
列：姓名、身份证号、单位名称（台账中的全称），可选 统一社会信用代码、应发工资。
整个文件要么全部导入，要么不导入：任何一行有错误时返回 422（`import_rejected`），`details` 中列出每行的错误。
同一月份可重新导入，比对时使用该月最新导入的名单。
"""


class ListOut(ImportReportOut):
    list: Open


class RunJson(BaseModel):
    period: str = Field(pattern=PERIOD_PATTERN, description="比对月份，如 2026-11")


class FreezeJson(BaseModel):
    doc_no: str = Field(min_length=1, max_length=60, description="依据文件的文号，如 示编〔2026〕3号")
    reason: str = Field(min_length=1, max_length=500)


class RectifyOut(BaseModel):
    opened: list[str]
    run: Open


@router.post(
    "/lists/{source}",
    response_model=ListOut,
    summary="导入财政工资统发名单或人社人员名册",
    description=LIST_DESCRIPTION,
)
def import_list(
    ctx: Ctx,
    actor: CurrentActor,
    source: Literal["payroll", "hr"],
    period: Annotated[str, Form(pattern=PERIOD_PATTERN, description="名单所属月份，如 2026-11")],
    file: Annotated[UploadFile, File(description="CSV 或 XLSX 文件")],
) -> dict[str, Any]:
    content = file.file.read(MAX_IMPORT_BYTES + 1)
    if len(content) > MAX_IMPORT_BYTES:
        raise PayloadTooLarge(
            "import_too_large",
            f"导入文件超过 {MAX_IMPORT_BYTES >> 20} MB 的大小限制",
            {"limit_bytes": MAX_IMPORT_BYTES},
        )
    return reconciliation.import_list(
        ctx, actor, source=source, period=period, filename=file.filename or "", content=content
    )


@router.get("/lists", response_model=list[Open], summary="已导入的名单（最近50份）")
def lists(
    ctx: Ctx, actor: CurrentActor, period: str | None = Query(default=None, pattern=PERIOD_PATTERN)
) -> list[dict[str, Any]]:
    return reconciliation.lists(ctx, actor, period=period)


@router.post("/runs", response_model=Open, status_code=201, summary="编办发起比对：名单与实名制逐人比对")
def run(ctx: Ctx, actor: CurrentActor, body: RunJson) -> dict[str, Any]:
    return reconciliation.run(ctx, actor, period=body.period)


@router.get("/runs", response_model=list[Open], summary="比对记录（单位经办人只见本单位）")
def runs(ctx: Ctx, actor: CurrentActor) -> list[dict[str, Any]]:
    return reconciliation.runs(ctx, actor)


@router.get("/runs/{run_id}", response_model=Open, summary="比对结果：各单位发现的问题数")
def get_run(ctx: Ctx, actor: CurrentActor, run_id: int = row_id()) -> dict[str, Any]:
    return reconciliation.get_run(ctx, actor, run_id)


@router.get("/runs/{run_id}/units/{code}", response_model=Open, summary="单位比对结果：编制、在编、统发人数和问题清单")
def unit_findings(ctx: Ctx, actor: CurrentActor, run_id: int = row_id(), code: str = UnitCode()) -> dict[str, Any]:
    return reconciliation.unit_findings(ctx, actor, run_id, code)


@router.post(
    "/runs/{run_id}/rectifications", response_model=RectifyOut, summary="编办下达整改：每个问题向单位发起一件整改事项"
)
def rectify(ctx: Ctx, actor: CurrentActor, run_id: int = row_id()) -> dict[str, Any]:
    return reconciliation.rectify(ctx, actor, run_id)


@negative_list.post("/units/{code}/freeze", response_model=Open, summary="列入机构编制负面清单（冻结），须有文号")
def freeze(ctx: Ctx, actor: CurrentActor, body: FreezeJson, code: str = UnitCode()) -> dict[str, Any]:
    return reconciliation.set_frozen(ctx, actor, code, frozen=True, doc_no=body.doc_no, reason=body.reason)


@negative_list.post("/units/{code}/unfreeze", response_model=Open, summary="移出机构编制负面清单（解除冻结），须有文号")
def unfreeze(ctx: Ctx, actor: CurrentActor, body: FreezeJson, code: str = UnitCode()) -> dict[str, Any]:
    return reconciliation.set_frozen(ctx, actor, code, frozen=False, doc_no=body.doc_no, reason=body.reason)

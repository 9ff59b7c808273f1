"""Importing the establishment register from a CSV or XLSX file (administrators)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, UploadFile
from pydantic import BaseModel

from api.deps import Ctx, CurrentActor
from api.schemas import ERRORS
from kernel.errors import PayloadTooLarge
from registry.import_files import MAX_IMPORT_BYTES
from registry.services import imports

router = APIRouter(prefix="/api/v1/admin", tags=["数据导入"], responses=ERRORS)

DESCRIPTION = """
上传 CSV（UTF-8 或 GB18030 编码）或 XLSX（第一个工作表）文件，第1行为表头，数据从第2行开始。

- `units` 单位：单位代码、单位名称、规范简称、单位类型、区划代码、统一社会信用代码、上级单位代码、经费形式、状态
- `quotas` 编制核定数：单位代码、编制类型（或 领导职数（正职）/领导职数（副职））、核定数
- `persons` 实名制人员：姓名、性别、身份证号、出生日期、……、单位代码、编制类型 等

整个文件要么全部导入，要么不导入：任何一行有错误时返回 422（`import_rejected`），
`details` 中列出每行的错误；文件最大 10 MB。
"""


class LineErrors(BaseModel):
    line: int
    errors: list[str]


class LineWarnings(BaseModel):
    line: int
    warnings: list[str]


class ImportReportOut(BaseModel):
    kind: str
    total: int
    imported: int
    applied: bool
    rejected: list[LineErrors]
    warnings: list[LineWarnings]


@router.post(
    "/import/{kind}",
    response_model=ImportReportOut,
    summary="导入机构编制台账：单位、编制核定数或实名制人员（管理员）",
    description=DESCRIPTION,
)
def import_register(
    ctx: Ctx,
    actor: CurrentActor,
    kind: Literal["units", "quotas", "persons"],
    file: Annotated[UploadFile, File(description="CSV 或 XLSX 文件")],
) -> dict[str, Any]:
    imports.check_admin(actor)
    content = file.file.read(MAX_IMPORT_BYTES + 1)
    if len(content) > MAX_IMPORT_BYTES:
        raise PayloadTooLarge(
            "import_too_large",
            f"导入文件超过 {MAX_IMPORT_BYTES >> 20} MB 的大小限制",
            {"limit_bytes": MAX_IMPORT_BYTES},
        )
    return imports.import_register(ctx, actor, kind, file.filename or "", content)

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Path, Query

from api.deps import Ctx, CurrentActor
from api.schemas import ERRORS, MigrateJson, Open, ProcessOut
from engine import services
from engine.services import versions

router = APIRouter(prefix="/api/v1/processes", tags=["流程"], responses=ERRORS)

ProcessKey = Path(min_length=1, max_length=100, pattern=r"^[A-Za-z_][A-Za-z0-9_.-]*$")


@router.get("", response_model=list[ProcessOut], summary="可发起的流程（各流程的最新版本）")
def list_processes(ctx: Ctx, _actor: CurrentActor) -> list[dict[str, Any]]:
    return services.list_processes(ctx)


@router.get("/{key}/form", response_model=Open, summary="流程申请表单的 JSON Schema")
def start_form(ctx: Ctx, _actor: CurrentActor, key: str = ProcessKey) -> dict[str, Any]:
    return services.start_form(ctx, key)


@router.get("/{key}/versions", response_model=list[Open], summary="流程的各个版本及在其上运行的事项数（管理员）")
def process_versions(ctx: Ctx, actor: CurrentActor, key: str = ProcessKey) -> list[dict[str, Any]]:
    return versions.versions(ctx, actor, key)


@router.get("/{key}/migration", response_model=Open, summary="预览：将某版本上运行的事项迁移到新版本（管理员）")
def migration_preview(
    ctx: Ctx,
    actor: CurrentActor,
    key: str = ProcessKey,
    from_version: int = Query(ge=1, le=100_000),
    to_version: int | None = Query(default=None, ge=1, le=100_000),
) -> dict[str, Any]:
    return versions.preview(ctx, actor, key, source=from_version, target=to_version)


@router.post(
    "/{key}/migration", response_model=Open, summary="将某版本上运行的事项（或指定事项）迁移到新版本（管理员）"
)
def migrate(ctx: Ctx, actor: CurrentActor, body: MigrateJson, key: str = ProcessKey) -> dict[str, Any]:
    return versions.migrate(
        ctx, actor, key, source=body.from_version, target=body.to_version, instance_ids=body.instance_ids
    )

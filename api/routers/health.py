from __future__ import annotations

from fastapi import APIRouter

from api.schemas import HealthOut

router = APIRouter(tags=["系统"])


@router.get("/healthz", response_model=HealthOut, summary="健康检查")
def healthz() -> dict[str, str]:
    return {"status": "ok"}

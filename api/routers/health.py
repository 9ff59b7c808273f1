"""Signals for operators and load balancers: ``/healthz`` says the process is
alive; ``/readyz`` says whether what it depends on answers (database, broker,
archive store), each with its state, and 503 when one does not."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from api.errors import RETRY_AFTER_SECONDS
from api.schemas import HealthOut

router = APIRouter(tags=["系统"])

Check = Callable[[], None]
"""Returns when the dependency answers; raises (with a readable message) when it does not."""

NAMES = {"database": "数据库", "broker": "消息队列", "archive": "档案存储"}


@router.get("/healthz", response_model=HealthOut, summary="健康检查（进程存活）")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", summary="就绪检查：数据库、消息队列、档案存储", response_model=None)
def readyz(request: Request) -> JSONResponse:
    checks: dict[str, Check] = getattr(request.app.state, "readiness", None) or {}
    states: dict[str, dict[str, Any]] = {}
    for name, check in checks.items():
        try:
            check()
        except Exception as exc:  # any failure is "not ready", said in words
            states[name] = {"ok": False, "message": f"{NAMES.get(name, name)}不可用：{str(exc)[:300]}"}
        else:
            states[name] = {"ok": True, "message": f"{NAMES.get(name, name)}正常"}
    ready = all(state["ok"] for state in states.values())
    body = {"status": "ready" if ready else "unavailable", "checks": states}
    headers = None if ready else {"Retry-After": str(RETRY_AFTER_SECONDS)}
    return JSONResponse(body, status_code=200 if ready else 503, headers=headers)

"""One place that turns errors into HTTP responses: ``{"code", "message", "details"}``."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import InterfaceError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kernel.errors import (
    BadRequest,
    Conflict,
    DomainError,
    Forbidden,
    NotFound,
    PayloadTooLarge,
    ServiceUnavailable,
    TooManyRequests,
    Unauthorized,
    UnsupportedMediaType,
    ValidationFailed,
)
from storage.archive import StorageUnavailable

log = logging.getLogger(__name__)

STATUS_BY_ERROR: dict[type[DomainError], int] = {
    BadRequest: 400,
    Unauthorized: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    PayloadTooLarge: 413,
    UnsupportedMediaType: 415,
    ValidationFailed: 422,
    TooManyRequests: 429,
    ServiceUnavailable: 503,
}
RETRY_AFTER_SECONDS = 30

HTTP_CODES = {
    400: ("bad_request", "请求格式不正确"),
    401: ("not_authenticated", "请先登录"),
    403: ("forbidden", "无权执行该操作"),
    404: ("not_found", "请求的资源不存在"),
    405: ("method_not_allowed", "不支持该请求方法"),
    406: ("not_acceptable", "无法提供所请求的格式"),
    413: ("payload_too_large", "上传内容过大"),
    415: ("unsupported_media_type", "不支持的内容类型"),
}


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    return {"code": code, "message": message, "details": details}


def status_of(exc: DomainError) -> int:
    return next((s for cls, s in STATUS_BY_ERROR.items() if isinstance(exc, cls)), 400)


def error_response(
    status: int, code: str, message: str, details: Any = None, *, retry_after: int | None = None
) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    if status in (429, 503):
        headers = {"Retry-After": str(retry_after or RETRY_AFTER_SECONDS)}
    return JSONResponse(error_body(code, message, details), status_code=status, headers=headers)


def unavailable(exc: StorageUnavailable) -> ServiceUnavailable:
    """The storage outage as the API states it: 503 ``storage_unavailable``, with a Chinese message."""
    return ServiceUnavailable(exc.code, exc.message)


def _domain_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    status = status_of(exc)
    retry_after = exc.retry_after if isinstance(exc, TooManyRequests) else None
    return error_response(status, exc.code, exc.message, exc.details, retry_after=retry_after)


def request_validation(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    details = [
        {"path": "/" + "/".join(str(p) for p in err.get("loc", ())), "code": err.get("type"), "message": _explain(err)}
        for err in exc.errors()
    ]
    return error_response(422, "request_invalid", "请求参数有误", details)


def _explain(err: dict[str, Any]) -> str:
    kind = str(err.get("type", ""))
    field = str(err.get("loc", ("",))[-1])
    if kind == "missing":
        return f"缺少参数“{field}”"
    if kind.startswith("json"):
        return "JSON 格式不正确"
    return f"参数“{field}”不符合要求"


def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code, message = HTTP_CODES.get(exc.status_code, ("http_error", "请求无法处理"))
    return error_response(exc.status_code, code, message)


def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error", exc_info=exc)
    return error_response(500, "internal_error", "系统内部错误，请稍后重试或联系管理员")


class ContainedErrors:
    """ASGI middleware: an unexpected error answers 500 and stops here.

    Starlette's outermost error handler answers and then re-raises, which
    makes the server drop the keep-alive connection; caught here, the client
    keeps its connection and only this request failed.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking)
        except Exception as exc:
            if started:  # half an answer is out: nothing sensible to add, the connection must go
                raise
            await _unexpected(Request(scope), exc)(scope, receive, send)


def storage_unavailable(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StorageUnavailable)
    log.warning("archive storage unavailable on %s: %s", request.url.path, exc)
    return _domain_error(request, unavailable(exc))


def database_unavailable(request: Request, exc: Exception) -> JSONResponse:
    """The database did not answer within its timeouts (or is busy): 503, try again, not 500."""
    log.warning("database unavailable on %s: %s", request.url.path, exc)
    refusal = ServiceUnavailable("database_unavailable", "数据库暂时无法访问，请稍后重试")
    return _domain_error(request, refusal)


def install(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(StorageUnavailable, storage_unavailable)
    app.add_exception_handler(OperationalError, database_unavailable)
    app.add_exception_handler(InterfaceError, database_unavailable)
    app.add_exception_handler(RequestValidationError, request_validation)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_middleware(ContainedErrors)  # first added, innermost: inside the limits and idempotency

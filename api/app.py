"""The FastAPI application factory. Nothing is built at import time."""

from __future__ import annotations

from collections.abc import Callable
from importlib.resources import files
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from api import errors, idempotency
from api.deps import ApiConfig
from api.idempotency import Idempotency
from api.json_body import JsonBodyCheck
from api.limits import RequestLimits
from api.routers import (
    admin,
    archives,
    auth,
    documents,
    health,
    imports,
    instances,
    me,
    processes,
    reconciliation,
    reference,
    register,
    tasks,
    verify,
)
from api.security_headers import SecurityHeaders
from api.web import (
    admin_pages,
    application_form,
    archive_pages,
    calendar_pages,
    code_block_pages,
    deputy_pages,
    handover_pages,
    matters,
    notification_pages,
    pages,
    proposal_pages,
    publicity_pages,
    reconciliation_pages,
    register_pages,
    replay_pages,
    rewind_pages,
    signin,
    totals_pages,
    user_pages,
    verify_pages,
)
from api.web import tasks as task_pages
from api.web.pages import WEB_STATIC
from archive.ingest import ArchiveContext
from engine.context import EngineContext
from processes.catalogue import Catalogue
from storage import LocalAttachmentStore

DESCRIPTION = """
一件事一次办：申请单位一次填报，编办、组织部、人社局、财政局在各自待办中审批。

登录：`POST /api/v1/auth/token`（表单字段 username、password），随后在每个请求中携带
`Authorization: Bearer <access_token>`。错误统一返回 `{"code", "message", "details"}`。
"""


Application = FastAPI
"""The type other packages name, so that only api/ imports FastAPI."""


def create_app(
    ctx: EngineContext,
    attachments: LocalAttachmentStore,
    config: ApiConfig | None = None,
    trust_roots: list[Any] | None = None,
    document_store: LocalAttachmentStore | None = None,
    archive_context: ArchiveContext | None = None,
    readiness: dict[str, Callable[[], None]] | None = None,
    catalogue: Catalogue | None = None,
) -> FastAPI:
    config = config or ApiConfig()
    app = FastAPI(
        title="OneStop 一件事一次办",
        version="0.1.0",
        description=DESCRIPTION,
        docs_url=None,
        redoc_url=None,
    )
    app.state.ctx = ctx
    app.state.attachments = attachments
    app.state.config = config
    app.state.trust_roots = trust_roots or []
    app.state.documents = document_store
    app.state.archive = archive_context
    app.state.readiness = readiness or {}
    app.state.catalogue = catalogue or Catalogue([])
    errors.install(app)
    for module in (
        health,
        auth,
        processes,
        instances,
        tasks,
        me,
        admin,
        reference,
        register,
        imports,
        verify,
        documents,
        archives,
        reconciliation,
    ):
        app.include_router(module.router)
    app.include_router(reconciliation.negative_list)
    pages.install(app)
    web_pages = (
        signin,
        application_form,
        matters,
        task_pages,
        handover_pages,
        rewind_pages,
        replay_pages,
        deputy_pages,
        archive_pages,
        admin_pages,
        calendar_pages,
        register_pages,
        totals_pages,
        reconciliation_pages,
        proposal_pages,
        user_pages,
        code_block_pages,
        notification_pages,
    )
    for web in (*web_pages, verify_pages, publicity_pages):
        app.include_router(web.router)
    app.mount("/static/web", StaticFiles(directory=str(WEB_STATIC)), name="web-static")
    static_dir = files("fastapi_offline") / "static"
    app.mount("/static/swagger", StaticFiles(directory=str(static_dir)), name="swagger-static")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="OneStop 接口文档",
            swagger_js_url="/static/swagger/swagger-ui-bundle.js",
            swagger_css_url="/static/swagger/swagger-ui.css",
            swagger_favicon_url="/static/swagger/favicon.png",
        )

    app.add_middleware(Idempotency)
    _document_idempotency(app)
    app.add_middleware(JsonBodyCheck)
    app.add_middleware(RequestLimits, max_bytes=config.max_request_bytes)
    app.add_middleware(SecurityHeaders)  # outermost: refusals by the limits carry the headers too
    return app


def _document_idempotency(app: FastAPI) -> None:
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = idempotency.document(build())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]

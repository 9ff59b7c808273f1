"""The archivist's pages: search with every filter and full text, a record
with its integrity report, check it again, download it."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from api.downloads import archive_download
from api.web import session
from api.web.pages import Viewer, engine_context, error_page, page
from archive import service
from archive.search import ArchiveQuery
from engine.errors import DomainError, ValidationFailed
from storage.archive import RetentionClass

router = APIRouter(include_in_schema=False)
MATTERS = {
    "institution_setup": "新设机构",
    "credit_code": "统一社会信用代码赋码",
    "domain_name": "中文域名",
    "staff_entry": "入编",
    "staff_exit": "出编",
    "demo_cross_department": "跨部门联办（演示）",
}
FILTERS = (
    "q",
    "unit",
    "credit_code",
    "person",
    "matter",
    "number",
    "department",
    "date_from",
    "date_to",
    "retention",
    "kind",
)


def _query(params: dict[str, str]) -> ArchiveQuery:
    values: dict[str, Any] = {k: params[k].strip() for k in FILTERS if params.get(k, "").strip()}
    try:
        for key in ("date_from", "date_to"):
            if key in values:
                values[key] = date.fromisoformat(values[key])
        page_number = max(1, int(params.get("page") or 1))
    except ValueError:
        raise ValidationFailed("invalid_filter", "日期应为 YYYY-MM-DD，页码应为正整数") from None
    flagged = params.get("flagged")
    return ArchiveQuery(
        **values,
        flagged=True if flagged == "1" else None,
        page=page_number,
        sort="oldest" if params.get("sort") == "oldest" else "newest",
    )


@router.get("/archive", response_class=HTMLResponse, response_model=None)
def search_page(request: Request, actor: Viewer) -> Response:
    ctx = engine_context(request)
    params = dict(request.query_params)
    searched = any(params.get(k) for k in (*FILTERS, "flagged"))
    try:
        query = _query(params)
        found = service.find(ctx, actor, query, params.get("reason")) if searched else None
    except DomainError as error:
        if isinstance(error, ValidationFailed):
            return page(
                request,
                "archive_search.html",
                actor,
                status_code=422,
                params=params,
                found=None,
                form_error=error.message,
                matters=MATTERS,
                retention=[r.value for r in RetentionClass],
            )
        return error_page(request, actor, error)
    return page(
        request,
        "archive_search.html",
        actor,
        params=params,
        found=found,
        form_error=None,
        matters=MATTERS,
        retention=[r.value for r in RetentionClass],
        query=query,
    )


@router.get("/archive/records/{record_id}", response_class=HTMLResponse, response_model=None)
def record_page(request: Request, actor: Viewer, record_id: int) -> Response:
    ctx = engine_context(request)
    try:
        record = service.read(ctx, actor, record_id, request.query_params.get("reason"))
    except DomainError as error:
        return error_page(request, actor, error)
    return page(request, "archive_record.html", actor, record=record, matters=MATTERS)


@router.post("/archive/records/{record_id}/verify", response_model=None)
async def verify_record(request: Request, actor: Viewer, record_id: int) -> Response:
    ctx = engine_context(request)
    form = await request.form()
    try:
        session.check_csrf(request, str(form.get("csrf", "")))
        await run_in_threadpool(
            service.verify_now, request.app.state.archive, ctx, actor, record_id, str(form.get("reason", "")) or None
        )
    except DomainError as error:
        return error_page(request, actor, error)
    return RedirectResponse(f"/archive/records/{record_id}?checked=1", status_code=303)


@router.get("/archive/records/{record_id}/download", response_model=None)
def download_record(request: Request, actor: Viewer, record_id: int) -> Response:
    ctx = engine_context(request)
    try:
        found = service.download(request.app.state.archive, ctx, actor, record_id, request.query_params.get("reason"))
    except DomainError as error:
        return error_page(request, actor, error)
    return archive_download(found)

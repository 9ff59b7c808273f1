"""The archivist's pages: search with every filter and full text, a record
with its integrity report, check it again, download it; export what a search
found (``api.web.archive_exports``)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from api.deps import get_archive, get_catalogue, row_id
from api.downloads import archive_download
from api.web import archive_exports
from api.web.archive_query import FILTERS, form_params, parse_query
from api.web.pages import Viewer, checked_form, engine_context, error_page, page
from archive import service
from engine import services
from engine.services import users
from kernel.errors import DomainError, ValidationFailed
from storage.archive import RetentionClass

router = APIRouter(include_in_schema=False)
router.include_router(archive_exports.router)


@router.get("/archive", response_class=HTMLResponse, response_model=None)
def search_page(request: Request, actor: Viewer) -> Response:
    ctx = engine_context(request)
    params = dict(request.query_params)
    searched = any(params.get(k) for k in (*FILTERS, "flagged"))
    try:
        query = parse_query(params)
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
                matters=get_catalogue(request).short_titles(),
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
        matters=get_catalogue(request).short_titles(),
        retention=[r.value for r in RetentionClass],
        query=query,
        export_params=form_params(params),
    )


@router.get("/archive/records/{record_id}", response_class=HTMLResponse, response_model=None)
def record_page(request: Request, actor: Viewer, record_id: int = row_id()) -> Response:
    ctx = engine_context(request)
    try:
        record = service.read(ctx, actor, record_id, request.query_params.get("reason"))
    except DomainError as error:
        return error_page(request, actor, error)
    return page(request, "archive_record.html", actor, record=record, matters=get_catalogue(request).short_titles())


@router.get("/archive/records/{record_id}/dossier", response_class=HTMLResponse, response_model=None)
def dossier_page(request: Request, actor: Viewer, record_id: int = row_id()) -> Response:
    """A dossier read as a page (and printed): the matter, its one submission, every decision, the
    files, the documents and the handling record; the signed JSON stays downloadable."""
    ctx = engine_context(request)
    try:
        found = service.read_dossier(get_archive(request), ctx, actor, record_id, request.query_params.get("reason"))
    except DomainError as error:
        return error_page(request, actor, error)
    matter = found["manifest"].get("matter", {})
    try:
        schema = services.start_form(ctx, str(matter.get("process_key", "")))
    except DomainError:
        schema = {}
    return page(
        request,
        "archive_dossier.html",
        actor,
        record=found["record"],
        dossier=found["manifest"],
        signed=found["signed"],
        application_schema=schema,
        matters=get_catalogue(request).short_titles(),
        names=users.names_of(ctx, {str(e.get("actor", "")) for e in found["manifest"].get("audit", [])}),
    )


@router.post("/archive/records/{record_id}/verify", response_model=None)
async def verify_record(request: Request, actor: Viewer, record_id: int = row_id()) -> Response:
    ctx = engine_context(request)
    form = await checked_form(request, actor)
    if isinstance(form, Response):
        return form
    try:
        await run_in_threadpool(
            service.verify_now, get_archive(request), ctx, actor, record_id, str(form.get("reason", "")) or None
        )
    except DomainError as error:
        return error_page(request, actor, error)
    return RedirectResponse(f"/archive/records/{record_id}?checked=1", status_code=303)


@router.get("/archive/records/{record_id}/download", response_model=None)
def download_record(request: Request, actor: Viewer, record_id: int = row_id()) -> Response:
    ctx = engine_context(request)
    try:
        found = service.download(get_archive(request), ctx, actor, record_id, request.query_params.get("reason"))
    except DomainError as error:
        return error_page(request, actor, error)
    return archive_download(found)

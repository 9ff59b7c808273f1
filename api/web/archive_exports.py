"""Exporting what an archive search found: ask from the search page, watch the
job's progress (the page refreshes itself while the worker runs), download the
ZIP. Only the requester, or an administrator, sees a job."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from api.deps import get_archive, get_catalogue, row_id
from api.downloads import attachment_headers
from api.web.archive_query import FILTERS, conditions, parse_query, search_url
from api.web.pages import DEPARTMENT_TEXT, Viewer, checked_form, engine_context, error_page, page
from archive import export_jobs
from kernel.errors import DomainError

router = APIRouter(include_in_schema=False)
STATUS = {"queued": "排队中", "running": "导出中", "done": "已完成", "failed": "导出失败"}
BADGE = {"queued": "grey", "running": "running", "done": "green", "failed": "red"}
ACTIVE = ("queued", "running")
REFRESH_SECONDS = 2


def _size(size: int | None) -> str:
    if size is None:
        return "—"
    if size < 1024:
        return f"{size} B"
    value = size / 1024
    for unit in ("KB", "MB"):
        if value < 1024:
            return f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"


def _shown(job: dict[str, Any], matters: Mapping[str, str]) -> dict[str, Any]:
    """The job with what its page shows in Chinese."""
    return {
        **job,
        "status_text": STATUS.get(job["status"], job["status"]),
        "badge": BADGE.get(job["status"], "grey"),
        "conditions": conditions(job["query"], lambda code: DEPARTMENT_TEXT.get(code, code), matters),
        "search_url": search_url(job["query"]),
        "size_text": _size(job["size"]),
    }


@router.post("/archive/exports", response_model=None)
async def request_export(request: Request, actor: Viewer) -> Response:
    ctx = engine_context(request)
    form = await checked_form(request, actor)
    if isinstance(form, Response):
        return form
    params = {k: str(form.get(k, "")) for k in (*FILTERS, "flagged", "sort")}
    try:
        query = parse_query(params)
        export_id = await run_in_threadpool(export_jobs.request, ctx, actor, query, str(form.get("reason", "")) or None)
    except DomainError as error:
        return error_page(request, actor, error)
    return RedirectResponse(f"/archive/exports/{export_id}", status_code=303)


@router.get("/archive/exports", response_class=HTMLResponse, response_model=None)
def exports_page(request: Request, actor: Viewer) -> Response:
    try:
        matters = get_catalogue(request).short_titles()
        jobs = [_shown(job, matters) for job in export_jobs.recent(engine_context(request), actor)]
    except DomainError as error:
        return error_page(request, actor, error)
    active = any(job["status"] in ACTIVE for job in jobs)
    return page(request, "archive_exports.html", actor, jobs=jobs, refresh=REFRESH_SECONDS if active else None)


@router.get("/archive/exports/{export_id}", response_class=HTMLResponse, response_model=None)
def export_page(request: Request, actor: Viewer, export_id: int = row_id()) -> Response:
    try:
        job = _shown(
            export_jobs.status(engine_context(request), actor, export_id), get_catalogue(request).short_titles()
        )
    except DomainError as error:
        return error_page(request, actor, error)
    refresh = REFRESH_SECONDS if job["status"] in ACTIVE else None
    return page(request, "archive_export.html", actor, job=job, refresh=refresh)


@router.get("/archive/exports/{export_id}/download", response_model=None)
def download_export(request: Request, actor: Viewer, export_id: int = row_id()) -> Response:
    ctx = engine_context(request)
    try:
        job, path = export_jobs.download(
            ctx, get_archive(request), actor, export_id, request.query_params.get("reason")
        )
    except DomainError as error:
        return error_page(request, actor, error)
    name = f"档案导出-{job['id']}-{(job['finished_at'] or '')[:10]}.zip"
    return FileResponse(path, media_type="application/zip", headers=attachment_headers(name))

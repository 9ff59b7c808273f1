"""The administrators' pages: deployed processes with their diagrams, matters
with filters, incidents with retry, and the dashboard of charts."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from api.deps import get_catalogue, row_id
from api.web import charts, diagram
from api.web.matter_lists import listed_matters
from api.web.pages import DEPARTMENT_TEXT, STATUS_TEXT, Viewer, checked_form, engine_context, error_page, page
from engine import services
from engine.services import versions
from engine.services.processes import process_detail
from kernel import clock
from kernel.actors import Actor
from kernel.errors import DomainError, Forbidden, ValidationFailed
from registry import dashboard

router = APIRouter(include_in_schema=False)


def refused_unless_admin(request: Request, actor: Actor) -> Response | None:
    if actor.is_admin:
        return None
    return error_page(request, actor, Forbidden("admin_only", "只有管理员可以使用管理页面"))


async def admin_form(request: Request, actor: Actor, **limits: int) -> FormData | Response:
    """The form an administrator posted, or the error page refusing it: the
    actor is not an administrator, or the form's CSRF token is wrong."""
    if (refused := refused_unless_admin(request, actor)) is not None:
        return refused
    return await checked_form(request, actor, **limits)


@router.get("/admin", response_class=HTMLResponse, response_model=None)
def admin_home(request: Request, actor: Viewer) -> Response:
    if (refused := refused_unless_admin(request, actor)) is not None:
        return refused
    ctx = engine_context(request)
    try:
        matters, listing, params = listed_matters(request, actor)
    except DomainError as error:
        return error_page(request, actor, error)
    return page(
        request,
        "admin.html",
        actor,
        processes=services.list_processes(ctx),
        incidents=services.list_incidents(ctx, actor),
        matters=matters,
        paging=listing,
        params=params,
    )


@router.post("/admin/incidents/{incident_id}/retry", response_model=None)
async def retry_incident(request: Request, actor: Viewer, incident_id: int = row_id()) -> Response:
    form = await admin_form(request, actor)
    if isinstance(form, Response):
        return form
    try:
        await run_in_threadpool(services.retry, engine_context(request), actor, incident_id)
    except DomainError as error:
        return error_page(request, actor, error)
    return RedirectResponse("/admin?retried=1", status_code=303)


@router.get("/admin/processes/{key}", response_class=HTMLResponse, response_model=None)
def process_page(request: Request, actor: Viewer, key: str) -> Response:
    if (refused := refused_unless_admin(request, actor)) is not None:
        return refused
    try:
        info, xml = process_detail(engine_context(request), actor, key)
    except DomainError as error:
        return error_page(request, actor, error)
    ctx = engine_context(request)
    return page(
        request,
        "admin_process.html",
        actor,
        process=info,
        versions=versions.versions(ctx, actor, key),
        diagram=diagram.render(xml, {}, {}),
    )


@router.get("/admin/processes/{key}/migration", response_class=HTMLResponse, response_model=None)
def migration_page(request: Request, actor: Viewer, key: str, from_version: int = Query(ge=1, le=100_000)) -> Response:
    """What moving the running matters of one version to the latest would do, and the form that does it."""
    if (refused := refused_unless_admin(request, actor)) is not None:
        return refused
    try:
        plan = versions.preview(engine_context(request), actor, key, source=from_version)
    except DomainError as error:
        return error_page(request, actor, error)
    return page(request, "admin_migration.html", actor, plan=plan, result=None)


@router.post("/admin/processes/{key}/migration", response_model=None)
async def migrate(request: Request, actor: Viewer, key: str) -> Response:
    form = await admin_form(request, actor, max_fields=600)
    if isinstance(form, Response):
        return form
    chosen = [str(v) for v in form.getlist("instance_ids") if str(v)]
    source = str(form.get("from_version", ""))
    if not chosen or not source.isdigit():
        return error_page(request, actor, ValidationFailed("migration_empty", "请选择要迁移的事项"))
    ctx = engine_context(request)
    try:
        result = await run_in_threadpool(
            lambda: versions.migrate(ctx, actor, key, source=int(source), instance_ids=chosen)
        )
        plan = await run_in_threadpool(lambda: versions.preview(ctx, actor, key, source=int(source)))
    except DomainError as error:
        return error_page(request, actor, error)
    return page(request, "admin_migration.html", actor, plan=plan, result=result)


@router.get("/admin/dashboard", response_class=HTMLResponse, response_model=None)
def dashboard_page(request: Request, actor: Viewer) -> Response:
    if (refused := refused_unless_admin(request, actor)) is not None:
        return refused
    today, names = clock.today(), get_catalogue(request).short_titles()
    with engine_context(request).reading() as db:
        saturation = dashboard.saturation(db)
        overdue = dashboard.overdue_by_department(db)
        weekly = dashboard.matters_per_week(db, today)
        by_kind = dashboard.matters_by_kind(db, today)
        retiring = dashboard.retirements_by_year(db, today)
        regions = dashboard.region_totals(db, today)
        checked = dashboard.reconciliation_summary(db)
    figures = [
        charts.bars(
            "编制使用率（实有/核定）",
            [(r["unit"][-8:], round(100 * (r["rate"] or 0), 1)) for r in saturation],
            unit="%",
        ),
        charts.grouped_bars(
            "编制使用率（按单位、编制类型）",
            [(r["unit"][-8:], {t["type"]: round(100 * (t["rate"] or 0), 1) for t in r["by_type"]}) for r in saturation],
            unit="%",
        ),
        charts.bars(
            "超期未办结的待办（按部门）",
            [(DEPARTMENT_TEXT.get(d, d), float(n)) for d, n in sorted(overdue.items())],
            colour=charts.BAR_ALT,
        ),
        charts.bars("每周发起事项（近 12 周）", [(label, float(n)) for label, n in weekly], colour=charts.BAR_ALT),
        charts.grouped_bars(
            "各类事项（近一年发起，按办理状态）",
            [
                (names.get(key, key), {STATUS_TEXT.get(s, s): float(n) for s, n in statuses.items()})
                for key, statuses in sorted(by_kind.items(), key=lambda item: -sum(item[1].values()))
            ],
        ),
        charts.bars("今后五年到龄退休人数（在编）", [(label, float(n)) for label, n in retiring]),
    ]
    return page(
        request, "admin_dashboard.html", actor, charts=figures, saturation=saturation, regions=regions, checked=checked
    )

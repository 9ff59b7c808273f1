"""The administrators' page of each region's 编制总量 and 周转池: the figures by type, the pool's
loans (overdue ones marked), and recording a total with its basis."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from api.web import formfields
from api.web.admin_pages import admin_form, refused_unless_admin
from api.web.pages import Viewer, engine_context, error_page, page
from kernel.actors import Actor
from kernel.errors import DomainError, ValidationFailed
from kernel.numbers import whole_number
from registry.services import region_totals
from registry.vocabulary import EST_TYPES

router = APIRouter(include_in_schema=False)
FIELDS = ("region_code", "est_type", "total", "pool", "basis")


def _page(request: Request, actor: Actor, status_code: int = 200, **values: Any) -> Response:
    try:
        regions = region_totals.overview(engine_context(request), actor)
    except DomainError as error:
        return error_page(request, actor, error)
    return page(
        request,
        "admin_totals.html",
        actor,
        status_code=status_code,
        regions=regions,
        est_types=EST_TYPES,
        **{"errors": {}, "entered": {}, **values},
    )


@router.get("/admin/totals", response_class=HTMLResponse, response_model=None)
def totals_page(request: Request, actor: Viewer) -> Response:
    if (refused := refused_unless_admin(request, actor)) is not None:
        return refused
    return _page(request, actor)


@router.post("/admin/totals", response_model=None)
async def record_total(request: Request, actor: Viewer) -> Response:
    form = await admin_form(request, actor)
    if isinstance(form, Response):
        return form
    entered = {name: str(form.get(name, "")).strip() for name in FIELDS}
    total, pool = whole_number(entered["total"], max_digits=7), whole_number(entered["pool"] or "0", max_digits=7)
    errors = {}
    if total is None:
        errors["total"] = "请填写编制总量（不小于0的整数）"
    if pool is None:
        errors["pool"] = "周转池编制数应为不小于0的整数"
    if errors or total is None or pool is None:
        return _page(request, actor, 422, errors=errors, entered=entered)
    ctx = engine_context(request)
    try:
        await run_in_threadpool(
            lambda: region_totals.record_total(
                ctx,
                actor,
                region_code=entered["region_code"],
                est_type=entered["est_type"],
                total=total,
                pool=pool,
                basis=entered["basis"],
            )
        )
    except ValidationFailed as refused:
        errors = formfields.error_map(list(refused.details or [])) or {"": refused.message}
        return _page(request, actor, 422, errors=errors, entered=entered)
    except DomainError as error:
        return error_page(request, actor, error)
    return RedirectResponse("/admin/totals?saved=1", status_code=303)

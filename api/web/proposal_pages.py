"""A department proposes a matter for a unit (编办's 编制调整): the matter's own form with the unit
chosen first; the unit then finds it filled in among its tasks, corrects it and submits."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from api.deps import get_catalogue
from api.web import flash, formfields
from api.web.pages import Viewer, checked_form, engine_context, error_page, page
from engine import services
from engine.services.instances import may_propose
from kernel.actors import Actor
from kernel.errors import DomainError, Forbidden, ValidationFailed
from registry.services import register

router = APIRouter(include_in_schema=False)


def proposable(request: Request, actor: Actor) -> list[dict[str, str]]:
    """The matters this actor's department may propose for a unit, with their names."""
    ctx, catalogue = engine_context(request), get_catalogue(request)
    return [
        {"key": key, "name": catalogue.name_of(key)} for key in sorted(ctx.proposers) if may_propose(ctx, actor, key)
    ]


def _schema(request: Request, actor: Actor, key: str) -> dict[str, Any]:
    ctx = engine_context(request)
    if not may_propose(ctx, actor, key):
        raise Forbidden("proposer_only", "该事项只能由单位申请，或由指定部门代为提出")
    return services.start_form(ctx, key)


def _page(
    request: Request,
    actor: Actor,
    key: str,
    schema: dict[str, Any],
    data: dict[str, Any],
    errors: dict[str, str],
    status_code: int = 200,
    chosen: str = "",
) -> Response:
    units = [u for u in register.list_units(engine_context(request), actor) if u.get("status") == "active"]
    return page(
        request,
        "matter_form.html",
        actor,
        status_code=status_code,
        key=key,
        schema=schema,
        groups=formfields.build(schema, data, errors),
        form_error=errors.get(""),
        draft=None,
        units=units,
        chosen_unit=chosen,
        unit_error=errors.get("_unit"),
    )


@router.get("/proposals/new/{key}", response_class=HTMLResponse, response_model=None)
def new_proposal(request: Request, actor: Viewer, key: str) -> Response:
    try:
        schema = _schema(request, actor, key)
    except DomainError as error:
        return error_page(request, actor, error)
    data = schema.get("examples", [{}])[0] if request.query_params.get("example") else {}
    return _page(request, actor, key, schema, data, {}, chosen=request.query_params.get("unit", ""))


@router.post("/proposals/new/{key}", response_model=None)
async def propose(request: Request, actor: Viewer, key: str) -> Response:
    form = await checked_form(request, actor, max_fields=2000)
    if isinstance(form, Response):
        return form
    try:
        schema = _schema(request, actor, key)
    except DomainError as error:
        return error_page(request, actor, error)
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    unit, data = fields.pop("_unit", "").strip(), formfields.parse(schema, fields)
    if not unit:
        return _page(request, actor, key, schema, data, {"_unit": "请选择单位"}, 422)
    ctx = engine_context(request)
    try:
        proposed = await run_in_threadpool(
            lambda: services.propose(ctx, actor, process_key=key, unit_code=unit, data=data)
        )
    except ValidationFailed as refused:
        errors = {**formfields.error_map(refused.details), "": refused.message}
        return _page(request, actor, key, schema, data, errors, 422, chosen=unit)
    except DomainError as error:
        return error_page(request, actor, error)
    redirect = RedirectResponse(f"/matters/{proposed['id']}", status_code=303)
    return flash.flash(request, redirect, "submitted", proposed["number"])

"""The administrators' register pages: units with their establishment figures, one
unit with its quotas, posts and staff, importing a roster, and changing a quota."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from api.errors import status_of
from api.web import formfields
from api.web.admin_pages import admin_form, refused_unless_admin
from api.web.pages import Paging, Viewer, engine_context, error_page, page
from kernel.actors import Actor
from kernel.errors import DomainError, ValidationFailed
from kernel.numbers import whole_number
from registry.figures import FULL, OVER, VACANT
from registry.import_files import MAX_IMPORT_BYTES
from registry.importing import KIND_LABELS, KINDS
from registry.services import imports, quotas, register
from registry.vocabulary import EST_TYPES

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50
STATE_COLOUR = {OVER: "red", FULL: "amber", VACANT: "green"}
IMPORT_COLUMNS = {kind: [c.header for c in columns] for kind, (columns, _) in KINDS.items()}


def totals(figures: list[dict[str, Any]]) -> dict[str, Any]:
    """A unit's figures summed over its establishment types (vacancies of a type never below
    zero, so one over-staffed type does not hide another's vacancies); the worst state of any type."""
    summed = {key: sum(int(f.get(key, 0)) for f in figures) for key in ("approved", "lent", "actual", "reserved")}
    summed["vacancy"] = sum(max(0, int(f["vacancy"])) for f in figures)
    states = {f["state"] for f in figures}
    state = next((s for s in (OVER, VACANT, FULL) if s in states), "未核定")
    return {**summed, "state": state}


def _units_page(request: Request, actor: Actor, status_code: int = 200, **values: Any) -> Response:
    try:
        units = register.list_units(engine_context(request), actor)
    except DomainError as error:
        return error_page(request, actor, error)
    return page(
        request,
        "admin_units.html",
        actor,
        status_code=status_code,
        units=[{**u, "totals": totals(u["figures"])} for u in units],
        kinds=KIND_LABELS,
        columns=IMPORT_COLUMNS,
        max_mb=MAX_IMPORT_BYTES >> 20,
        state_colour=STATE_COLOUR,
        **{"import_errors": {}, "kind": "", "report": None, "refused": None, **values},
    )


@router.get("/admin/units", response_class=HTMLResponse, response_model=None)
def units_page(request: Request, actor: Viewer) -> Response:
    if (refused := refused_unless_admin(request, actor)) is not None:
        return refused
    return _units_page(request, actor)


@router.post("/admin/units/import", response_model=None)
async def import_file(request: Request, actor: Viewer) -> Response:
    form = await admin_form(request, actor, max_files=1, max_fields=10)
    if isinstance(form, Response):
        return form
    kind, upload = str(form.get("kind", "")), form.get("file")
    errors: dict[str, str] = {}
    if kind not in KINDS:
        errors["kind"] = "请选择导入类型"
    if not isinstance(upload, UploadFile) or not upload.filename:
        errors["file"] = "请选择要导入的 CSV 或 XLSX 文件"
    if errors or not isinstance(upload, UploadFile):
        return _units_page(request, actor, 422, import_errors=errors, kind=kind)
    content = await upload.read(MAX_IMPORT_BYTES + 1)
    ctx, filename = engine_context(request), upload.filename or ""
    try:
        report = await run_in_threadpool(imports.import_register, ctx, actor, kind, filename, content)
    except ValidationFailed as refused_file:
        if refused_file.code == "import_rejected":  # line errors: the report says which
            return _units_page(request, actor, 422, kind=kind, report=refused_file.details, refused=refused_file)
        return _units_page(request, actor, 422, import_errors={"file": refused_file.message}, kind=kind)
    except DomainError as error:
        if status_of(error) in (413, 415):  # too large, not CSV or XLSX
            return _units_page(request, actor, status_of(error), import_errors={"file": error.message}, kind=kind)
        return error_page(request, actor, error)
    return _units_page(request, actor, kind=kind, report=report, filename=filename)


def _unit_page(request: Request, actor: Actor, code: str, status_code: int = 200, **values: Any) -> Response:
    ctx = engine_context(request)
    number = request.query_params.get("page", "1")
    current = whole_number(number, max_digits=5) or 1
    try:
        unit = register.get_unit(ctx, actor, code)
        staff = register.list_persons(ctx, actor, code, limit=PAGE_SIZE, offset=(current - 1) * PAGE_SIZE)
    except DomainError as error:
        return error_page(request, actor, error)
    return page(
        request,
        "admin_unit.html",
        actor,
        status_code=status_code,
        unit=unit,
        totals=totals(unit["figures"]),
        staff=staff,
        paging=Paging(current, PAGE_SIZE, staff["total"]),
        est_types=EST_TYPES,
        state_colour=STATE_COLOUR,
        **{"quota_errors": {}, "quota": {}, **values},
    )


@router.get("/admin/units/{code}", response_class=HTMLResponse, response_model=None)
def unit_page(request: Request, actor: Viewer, code: str) -> Response:
    if (refused := refused_unless_admin(request, actor)) is not None:
        return refused
    return _unit_page(request, actor, code)


@router.post("/admin/units/{code}/quotas", response_model=None)
async def set_quota(request: Request, actor: Viewer, code: str) -> Response:
    posted = await admin_form(request, actor)
    if isinstance(posted, Response):
        return posted
    form = {k: v for k, v in posted.items() if isinstance(v, str)}
    approved = whole_number(form.get("approved"))
    if approved is None:
        errors = {"approved": "请填写核定编制数（不小于0的整数）"}
        return _unit_page(request, actor, code, 422, quota_errors=errors, quota=form)
    ctx = engine_context(request)
    try:
        await run_in_threadpool(
            lambda: quotas.set_quota(
                ctx,
                actor,
                unit_code=code,
                est_type=form.get("est_type", ""),
                approved=approved,
                basis=form.get("basis", ""),
            )
        )
    except ValidationFailed as refused_quota:
        errors = formfields.error_map(list(refused_quota.details or [])) or {"": refused_quota.message}
        return _unit_page(request, actor, code, 422, quota_errors=errors, quota=form)
    except DomainError as error:
        return error_page(request, actor, error)
    return RedirectResponse(f"/admin/units/{quote(code, safe='')}?saved=1#quotas", status_code=303)

"""人编经费比对 pages: 财政 and 人社 import their monthly lists, 编办 compares them with the roster
and sends the findings to the units as 整改 matters; per run, the units with their findings; per
unit, the figures and each finding with its 整改, and (for 编办) the negative list on a 文号."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from api.errors import status_of
from api.web import formfields
from api.web.pages import Viewer, checked_form, engine_context, error_page, page
from api.web.proposal_pages import proposable
from kernel import clock
from kernel.actors import Actor
from kernel.errors import DomainError, ValidationFailed
from registry.import_files import MAX_IMPORT_BYTES
from registry.reconciliation import KINDS
from registry.services import reconciliation
from registry.staff_lists import SOURCES, previous_month

router = APIRouter(include_in_schema=False)


def _index(request: Request, actor: Actor, status_code: int = 200, **values: Any) -> Response:
    ctx = engine_context(request)
    try:
        runs = reconciliation.runs(ctx, actor)
        lists = reconciliation.lists(ctx, actor) if reconciliation.reads_lists(actor) else []
    except DomainError as error:
        return error_page(request, actor, error)
    return page(
        request,
        "reconciliation.html",
        actor,
        status_code=status_code,
        runs=runs,
        lists=lists,
        kinds=KINDS,
        sources=SOURCES,
        may=reconciliation.abilities(actor),
        period=values.pop("period", None) or previous_month(clock.today()),
        **{"errors": {}, **values},
    )


@router.get("/reconciliation", response_class=HTMLResponse, response_model=None)
def index(request: Request, actor: Viewer) -> Response:
    return _index(request, actor)


@router.post("/reconciliation/lists", response_model=None)
async def import_list(request: Request, actor: Viewer) -> Response:
    form = await checked_form(request, actor, max_files=1, max_fields=10)
    if isinstance(form, Response):
        return form
    source, period, upload = str(form.get("source", "")), str(form.get("period", "")).strip(), form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return _index(request, actor, 422, period=period, errors={"file": "请选择要导入的 CSV 或 XLSX 文件"})
    content = await upload.read(MAX_IMPORT_BYTES + 1)
    ctx, filename = engine_context(request), upload.filename or ""
    try:
        report = await run_in_threadpool(
            lambda: reconciliation.import_list(
                ctx, actor, source=source, period=period, filename=filename, content=content
            )
        )
    except ValidationFailed as refused:
        if refused.code == "import_rejected":
            return _index(request, actor, 422, period=period, report=refused.details, refused=refused)
        return _index(request, actor, 422, period=period, errors=_errors(refused, "file"))
    except DomainError as error:
        if status_of(error) in (413, 415):
            return _index(request, actor, status_of(error), period=period, errors={"file": error.message})
        return error_page(request, actor, error)
    return _index(request, actor, period=period, report=report, filename=filename)


def _errors(refused: ValidationFailed, default: str) -> dict[str, str]:
    found = formfields.error_map(list(refused.details or [])) if isinstance(refused.details, list) else {}
    return found or {default: refused.message}


@router.post("/reconciliation/runs", response_model=None)
async def run(request: Request, actor: Viewer) -> Response:
    form = await checked_form(request, actor)
    if isinstance(form, Response):
        return form
    period, ctx = str(form.get("period", "")).strip(), engine_context(request)
    try:
        done = await run_in_threadpool(lambda: reconciliation.run(ctx, actor, period=period))
    except ValidationFailed as refused:
        return _index(request, actor, 422, period=period, errors=_errors(refused, "period"))
    except DomainError as error:
        if status_of(error) == 409:  # no payroll list for the month
            return _index(request, actor, 409, period=period, errors={"period": error.message})
        return error_page(request, actor, error)
    return RedirectResponse(f"/reconciliation/runs/{done['id']}?done=1", status_code=303)


@router.get("/reconciliation/runs/{run_id}", response_class=HTMLResponse, response_model=None)
def run_page(request: Request, actor: Viewer, run_id: int) -> Response:
    try:
        found = reconciliation.get_run(engine_context(request), actor, run_id)
    except DomainError as error:
        return error_page(request, actor, error)
    return page(request, "reconciliation_run.html", actor, run=found, kinds=KINDS, may=reconciliation.abilities(actor))


@router.post("/reconciliation/runs/{run_id}/rectifications", response_model=None)
async def rectify(request: Request, actor: Viewer, run_id: int) -> Response:
    form = await checked_form(request, actor)
    if isinstance(form, Response):
        return form
    ctx = engine_context(request)
    try:
        done = await run_in_threadpool(lambda: reconciliation.rectify(ctx, actor, run_id))
    except DomainError as error:
        return error_page(request, actor, error)
    return RedirectResponse(f"/reconciliation/runs/{run_id}?opened={len(done['opened'])}", status_code=303)


def _unit_page(
    request: Request, actor: Actor, run_id: int, code: str, status_code: int = 200, **values: Any
) -> Response:
    try:
        found = reconciliation.unit_findings(engine_context(request), actor, run_id, code)
    except DomainError as error:
        return error_page(request, actor, error)
    return page(
        request,
        "reconciliation_unit.html",
        actor,
        status_code=status_code,
        found=found,
        may=reconciliation.abilities(actor),
        proposals=proposable(request, actor),
        **{"errors": {}, "entered": {}, **values},
    )


@router.get("/reconciliation/runs/{run_id}/units/{code}", response_class=HTMLResponse, response_model=None)
def unit_page(request: Request, actor: Viewer, run_id: int, code: str) -> Response:
    return _unit_page(request, actor, run_id, code)


@router.post("/reconciliation/runs/{run_id}/units/{code}/negative-list", response_model=None)
async def negative_list(request: Request, actor: Viewer, run_id: int, code: str) -> Response:
    form = await checked_form(request, actor)
    if isinstance(form, Response):
        return form
    entered = {name: str(form.get(name, "")).strip() for name in ("doc_no", "reason")}
    frozen, ctx = form.get("action") == "freeze", engine_context(request)
    try:
        await run_in_threadpool(
            lambda: reconciliation.set_frozen(
                ctx, actor, code, frozen=frozen, doc_no=entered["doc_no"], reason=entered["reason"]
            )
        )
    except ValidationFailed as refused:
        return _unit_page(request, actor, run_id, code, 422, errors=_errors(refused, "doc_no"), entered=entered)
    except DomainError as error:
        if status_of(error) == 409:
            return _unit_page(request, actor, run_id, code, 409, errors={"": error.message}, entered=entered)
        return error_page(request, actor, error)
    done = "frozen" if frozen else "unfrozen"
    return RedirectResponse(f"/reconciliation/runs/{run_id}/units/{quote(code)}?{done}=1", status_code=303)

"""The matter pages: home, my matters (with drafts), one matter (its identity, steps, diagram,
submission, documents and record), its receipt, withdraw, and the files a matter carries.
Starting a matter from its form is ``application_form``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from api.deps import get_catalogue
from api.downloads import attachment_headers
from api.web import diagram, flash, matter_view, session
from api.web.matter_lists import listed_matters, unit_name, with_units
from api.web.pages import (
    DEPARTMENT_TEXT,
    SignInRequired,
    Viewer,
    checked_form,
    engine_context,
    error_page,
    page,
    wants_html,
)
from api.web.proposal_pages import proposable
from api.web.tasks import with_sla
from documents import records
from engine import services
from engine.services import drafts, progress
from engine.services.attachments import attachment_for_download
from engine.services.instances import start_refusal
from engine.vocabulary import InstanceStatus
from kernel import clock
from kernel.errors import DomainError, NotFound

router = APIRouter(include_in_schema=False)


# -- home -----------------------------------------------------------------------------------------------------


@router.get("/", response_model=None)
def home(request: Request) -> Response | dict[str, Any]:
    if not wants_html(request):  # API clients keep the JSON index
        return {"name": "OneStop 一件事一次办", "docs": "/docs", "health": "/healthz"}
    ctx = engine_context(request)
    actor = session.current_actor(ctx, request)
    if actor is None:
        raise SignInRequired(request.url.path)
    values: dict[str, Any] = {}
    if actor.is_applicant:
        catalogue = get_catalogue(request)
        values["processes"] = [
            {**p, "card": catalogue.card(p["key"])}
            for p in services.list_processes(ctx)
            if catalogue.is_startable(p["key"])
        ]
        refusal = start_refusal(ctx, actor)
        values["frozen"] = refusal.message if refusal else None
        values["matters"] = with_units(ctx, services.list_instances(ctx, actor, limit=10)["items"])
        waiting = services.inbox(ctx, actor, limit=100)  # corrections of its own matters, decisions on others'
        # A unit's own step that is not a return: another unit's matter asking it, or one a department
        # opened or proposed for it (整改, 编制调整).
        values["unit_tasks"] = with_sla([t for t in waiting if t["matter_status"] != InstanceStatus.RETURNED])
        values["returned"] = len(waiting) - len(values["unit_tasks"])
    if actor.departments and not actor.is_applicant:
        values["tasks"] = with_sla(services.inbox(ctx, actor, limit=10))
        values["proposals"] = proposable(request, actor)
    return page(request, "home.html", actor, **values)


# -- applicant: start a matter, my matters, one matter -------------------------------------------------------


@router.get("/matters", response_class=HTMLResponse, response_model=None)
def my_matters(request: Request, actor: Viewer) -> HTMLResponse | RedirectResponse:
    matters, listing, params = listed_matters(request, actor)
    saved = drafts.list_drafts(engine_context(request), actor) if actor.is_applicant else []
    return page(request, "matters.html", actor, matters=matters, paging=listing, params=params, drafts=saved)


@router.get("/matters/{instance_id}", response_class=HTMLResponse, response_model=None)
def matter(request: Request, actor: Viewer, instance_id: str) -> HTMLResponse | RedirectResponse:
    ctx = engine_context(request)
    try:
        detail = services.get(ctx, actor, instance_id)
        documents = records.list_for_instance(ctx, actor, instance_id)
        where = progress.progress(ctx, actor, instance_id)
    except DomainError as error:
        return error_page(request, actor, error)
    names = {step: DEPARTMENT_TEXT.get(code, code) for step, code in where["departments"].items()}
    svg = diagram.render(where["bpmn_xml"], where["states"], names) if where["bpmn_xml"] else ""
    return page(
        request,
        "matter.html",
        actor,
        matter=detail,
        documents=documents,
        diagram=svg,
        steps=matter_view.step_list(where["steps"], detail),
        history=matter_view.history_lines(detail),
        **_identity(request, detail),
    )


def _identity(request: Request, detail: dict[str, Any]) -> dict[str, Any]:
    """What names a matter on its pages: the applicant unit, the matter type and its form's titles."""
    ctx = engine_context(request)
    unit = unit_name(ctx, detail["unit_code"])
    try:
        schema = services.start_form(ctx, detail["process_key"])
    except DomainError:
        schema = {}
    return {
        "unit_name": unit,
        "matter_type": get_catalogue(request).name_of(detail["process_key"]),
        "application_schema": schema,
    }


@router.get("/matters/{instance_id}/receipt", response_class=HTMLResponse, response_model=None)
def receipt(request: Request, actor: Viewer, instance_id: str) -> HTMLResponse:
    """受理回执: the printable proof of what was received, when, under which number, and by when
    it is promised."""
    ctx = engine_context(request)
    try:
        detail = services.get(ctx, actor, instance_id)
    except DomainError as error:
        return error_page(request, actor, error)
    today = clock.today().isoformat()
    return page(request, "receipt.html", actor, matter=detail, today=today, **_identity(request, detail))


@router.post("/matters/{instance_id}/withdraw", response_model=None)
async def withdraw(request: Request, actor: Viewer, instance_id: str) -> Response:
    ctx = engine_context(request)
    form = await checked_form(request, actor)
    if isinstance(form, Response):
        return form
    try:
        reason = str(form.get("reason", "")).strip() or None
        stopped = await run_in_threadpool(lambda: services.withdraw(ctx, actor, instance_id, reason=reason))
    except DomainError as error:
        return error_page(request, actor, error)
    redirect = RedirectResponse(f"/matters/{instance_id}", status_code=303)
    return flash.flash(request, redirect, "withdrawn", str(stopped.get("number") or ""))


@router.get("/documents/{document_id}/download", response_model=None)
def download_document(request: Request, actor: Viewer, document_id: str) -> Response:
    ctx = engine_context(request)
    store = request.app.state.documents
    try:
        if store is None:
            raise NotFound("documents_unavailable", "本服务未配置文书存储")
        found = records.for_download(ctx, actor, document_id, store)
    except DomainError as error:
        return error_page(request, actor, error)
    filename = f"{found['title']}（{found['number']}）.pdf"
    return Response(
        store.path(found["sha256"]).read_bytes(),
        media_type="application/pdf",
        headers=attachment_headers(filename),
    )


@router.get("/matters/{instance_id}/attachments/{sha256}", response_model=None)
def download_attachment(request: Request, actor: Viewer, instance_id: str, sha256: str) -> Response:
    """An attachment of a visible matter, shown inline in the browser (audited)."""
    ctx = engine_context(request)
    store = request.app.state.attachments
    try:
        ref = attachment_for_download(ctx, actor, instance_id, sha256)
        if not store.exists(sha256):
            raise NotFound("attachment_not_found", "附件不存在")
    except DomainError as error:
        return error_page(request, actor, error)
    return Response(
        store.path(sha256).read_bytes(),
        media_type=str(ref["content_type"]),
        headers={**attachment_headers(str(ref["name"]), inline=True), "Content-Security-Policy": "sandbox"},
    )

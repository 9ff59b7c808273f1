"""The applicant's pages: home, starting a matter from its form, my matters, one matter
(with its progress diagram), withdraw, and the files a matter carries."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from api.deps import get_catalogue
from api.downloads import attachment_headers
from api.errors import status_of
from api.web import diagram, formfields, session
from api.web.pages import (
    DEPARTMENT_TEXT,
    SignInRequired,
    Viewer,
    api_config,
    checked_form,
    engine_context,
    error_page,
    page,
    wants_html,
)
from api.web.tasks import with_sla
from api.web.uploads import file_field, uploads_of
from documents import records
from engine import services
from engine.services import progress
from engine.services.attachments import attachment_for_download
from engine.services.instances import start_refusal
from kernel.actors import Actor
from kernel.errors import DomainError, Forbidden, NotFound, ValidationFailed

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
        values["matters"] = services.list_instances(ctx, actor, limit=10)["items"]
    if actor.departments and not actor.is_applicant:
        values["tasks"] = with_sla(services.inbox(ctx, actor, limit=10))
    return page(request, "home.html", actor, **values)


# -- applicant: start a matter, my matters, one matter -------------------------------------------------------


@router.get("/matters/new/{key}", response_class=HTMLResponse, response_model=None)
def new_matter(request: Request, actor: Viewer, key: str) -> HTMLResponse | RedirectResponse:
    ctx = engine_context(request)
    try:
        if not actor.is_applicant:
            raise Forbidden("applicant_only", "只有申请单位的经办人可以发起事项")
        schema = services.start_form(ctx, key)
        refusal = start_refusal(ctx, actor, key)  # a frozen unit, a matter out of season: told before filling in
        if refusal is not None:
            raise refusal
    except DomainError as error:
        return error_page(request, actor, error)
    return _form_page(
        request, actor, key, schema, schema.get("examples", [{}])[0] if request.query_params.get("example") else {}, {}
    )


def _form_page(
    request: Request,
    actor: Actor,
    key: str,
    schema: dict[str, Any],
    data: dict[str, Any],
    errors: dict[str, str],
    status_code: int = 200,
    message: str | None = None,
) -> HTMLResponse:
    config = api_config(request)
    return page(
        request,
        "matter_form.html",
        actor,
        status_code=status_code,
        key=key,
        schema=schema,
        groups=formfields.build(schema, data, errors),
        form_error=message or errors.get(""),
        **file_field(schema, config),
    )


@router.post("/matters/new/{key}", response_model=None)
async def submit_matter(request: Request, actor: Viewer, key: str) -> Response:
    ctx, config = engine_context(request), api_config(request)
    store = request.app.state.attachments
    form = await checked_form(request, actor, max_files=config.max_files, max_fields=2000)
    if isinstance(form, Response):
        return form
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    try:
        if not actor.is_applicant:
            raise Forbidden("applicant_only", "只有申请单位的经办人可以发起事项")
        schema = services.start_form(ctx, key)
        refusal = start_refusal(ctx, actor, key)  # a frozen unit, a matter out of season: told before filling in
        if refusal is not None:
            raise refusal
    except DomainError as error:
        return error_page(request, actor, error)
    data = formfields.parse(schema, fields)
    try:
        async with uploads_of(form, config, store, ctx) as uploads:
            started = await run_in_threadpool(
                lambda: services.start(ctx, actor, process_key=key, data=data, uploads=uploads)
            )
    except ValidationFailed as refused:
        errors = formfields.error_map(list(refused.details or []))
        return _form_page(request, actor, key, schema, data, errors, status_code=422, message=refused.message)
    except DomainError as error:
        if status_of(error) in (413, 415):
            files_error = {"files": error.message}
            return _form_page(request, actor, key, schema, data, files_error, status_of(error), error.message)
        return error_page(request, actor, error)
    return RedirectResponse(f"/matters/{started['id']}", status_code=303)


@router.get("/matters", response_class=HTMLResponse, response_model=None)
def my_matters(request: Request, actor: Viewer) -> HTMLResponse | RedirectResponse:
    ctx = engine_context(request)
    listed = services.list_instances(ctx, actor, status=request.query_params.get("status") or None, limit=100)
    return page(request, "matters.html", actor, matters=listed["items"])


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
    return page(request, "matter.html", actor, matter=detail, documents=documents, diagram=svg)


@router.post("/matters/{instance_id}/withdraw", response_model=None)
async def withdraw(request: Request, actor: Viewer, instance_id: str) -> Response:
    ctx = engine_context(request)
    form = await checked_form(request, actor)
    if isinstance(form, Response):
        return form
    try:
        reason = str(form.get("reason", "")).strip() or None
        await run_in_threadpool(lambda: services.withdraw(ctx, actor, instance_id, reason=reason))
    except DomainError as error:
        return error_page(request, actor, error)
    return RedirectResponse(f"/matters/{instance_id}", status_code=303)


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

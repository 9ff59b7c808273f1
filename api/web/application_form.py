"""Starting a matter from its form: the form (resumed from a draft), saving a draft, adding rows,
submitting; a refused submission keeps what was typed and the files chosen."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from api.deps import get_catalogue
from api.errors import status_of
from api.web import flash, formfields
from api.web.drafting import DRAFT, MORE_ROWS, chosen_action, keep_for_next_try, kept_files
from api.web.pages import Viewer, api_config, checked_form, engine_context, error_page, page
from api.web.uploads import file_field, uploads_of
from engine import services
from engine.services import drafts
from engine.services.instances import start_refusal
from kernel.actors import Actor
from kernel.errors import DomainError, Forbidden, ValidationFailed

router = APIRouter(include_in_schema=False)


def _startable(request: Request, actor: Actor, key: str) -> dict[str, Any]:
    """The form's schema, once the actor may start this matter now (a frozen unit, a matter out of
    season: told before filling in)."""
    ctx = engine_context(request)
    if not actor.is_applicant:
        raise Forbidden("applicant_only", "只有申请单位的经办人可以发起事项")
    schema = services.start_form(ctx, key)
    refusal = start_refusal(ctx, actor, key)
    if refusal is not None:
        raise refusal
    return schema


@router.get("/matters/new/{key}", response_class=HTMLResponse, response_model=None)
def new_matter(request: Request, actor: Viewer, key: str) -> HTMLResponse:
    try:
        schema = _startable(request, actor, key)
    except DomainError as error:
        return error_page(request, actor, error)
    draft = drafts.get(engine_context(request), actor, drafts.start_subject(key))
    if draft is not None:
        data = draft["data"]
    else:
        data = schema.get("examples", [{}])[0] if request.query_params.get("example") else {}
    return _form_page(request, actor, key, schema, data, {}, draft=draft)


def _form_page(
    request: Request,
    actor: Actor,
    key: str,
    schema: dict[str, Any],
    data: dict[str, Any],
    errors: dict[str, str],
    status_code: int = 200,
    message: str | None = None,
    draft: dict[str, Any] | None = None,
) -> HTMLResponse:
    return page(
        request,
        "matter_form.html",
        actor,
        status_code=status_code,
        key=key,
        schema=schema,
        groups=formfields.build(schema, data, errors),
        form_error=message or errors.get(""),
        draft=draft,
        **file_field(schema, api_config(request)),
    )


@router.post("/matters/new/{key}", response_model=None)
async def submit_matter(request: Request, actor: Viewer, key: str) -> Response:
    ctx, config = engine_context(request), api_config(request)
    form = await checked_form(request, actor, max_files=config.max_files, max_fields=2000)
    if isinstance(form, Response):
        return form
    try:
        schema = _startable(request, actor, key)
    except DomainError as error:
        return error_page(request, actor, error)
    data = formfields.parse(schema, {k: v for k, v in form.items() if isinstance(v, str)})
    subject, action, keep = drafts.start_subject(key), chosen_action(form), kept_files(form)
    title = get_catalogue(request).name_of(key)
    try:
        async with uploads_of(form, config, request.app.state.attachments, ctx) as uploads:
            if action in (DRAFT, MORE_ROWS):
                saved = await run_in_threadpool(
                    lambda: drafts.save(ctx, actor, subject, title=title, data=data, keep=keep, uploads=uploads)
                )
                if action == MORE_ROWS:  # the same form with one more empty row, nothing lost
                    return _form_page(request, actor, key, schema, data, {}, draft=saved)
                return flash.flash(request, RedirectResponse(f"/matters/new/{key}", status_code=303), "draft_saved")
            try:
                files = drafts.files_kept(ctx, actor, subject, keep)
                started = await run_in_threadpool(
                    lambda: services.start(ctx, actor, process_key=key, data=data, uploads=[*files, *uploads])
                )
            except ValidationFailed as refused:
                kept = await keep_for_next_try(ctx, actor, subject, title, data, keep, uploads)
                errors = formfields.error_map(refused.details)
                return _form_page(request, actor, key, schema, data, errors, 422, refused.message, kept)
    except DomainError as error:
        if status_of(error) in (413, 415, 422):
            files_error = {"files": error.message}
            held = drafts.get(ctx, actor, subject)
            return _form_page(request, actor, key, schema, data, files_error, status_of(error), error.message, held)
        return error_page(request, actor, error)
    await run_in_threadpool(drafts.discard, ctx, actor, subject)
    redirect = RedirectResponse(f"/matters/{started['id']}", status_code=303)
    return flash.flash(request, redirect, "submitted", started["number"])


@router.post("/drafts/discard", response_model=None)
async def discard_draft(request: Request, actor: Viewer) -> Response:
    """Throw a draft away; back to the form it was of (now empty) or to my matters."""
    form = await checked_form(request, actor)
    if isinstance(form, Response):
        return form
    subject = str(form.get("subject", ""))[:150]
    await run_in_threadpool(drafts.discard, engine_context(request), actor, subject)
    kind, _, ident = subject.partition(":")
    back = f"/matters/new/{ident}" if kind == "start" and ident.replace("_", "").isalnum() else "/matters"
    return flash.flash(request, RedirectResponse(back, status_code=303), "draft_deleted")

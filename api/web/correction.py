"""补正: the applicant corrects a returned matter. The page lists each item asked for once, with the
department that asked; each item takes a new file or one replacing a file already given; the files
already given are listed; a refused resubmission keeps what was typed and every file chosen."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from api.web import flash, formfields
from api.web.drafting import DRAFT, MORE_ROWS, chosen_action, keep_for_next_try, kept_files
from api.web.pages import api_config, engine_context, error_page, page
from api.web.uploads import file_field, uploads_of
from api.web.wording import DEPARTMENT_TEXT
from engine import services
from engine.services import drafts
from engine.vocabulary import Decision
from kernel.actors import Actor
from kernel.errors import DomainError, ValidationFailed


def correction_items(task: dict[str, Any]) -> list[dict[str, str]]:
    """What the departments asked for since the last submission, each department once (its latest
    return), in the order they asked."""
    opinions = task.get("opinions") or []
    submitted = [o["at"] for o in opinions if o.get("role") == "applicant" and o.get("at")]
    since = max(submitted) if submitted else ""
    latest: dict[str, dict[str, Any]] = {}
    for o in opinions:
        if o.get("decision") == Decision.RETURN and (o.get("at") or "") >= since:
            latest.pop(o["department"], None)
            latest[o["department"]] = o
    return [
        {
            "department": department,
            "department_name": DEPARTMENT_TEXT.get(department, department),
            "request": (o.get("opinion") or "").strip(),
            "label": f"{DEPARTMENT_TEXT.get(department, department)}：{(o.get('opinion') or '').strip()}"[:200],
        }
        for department, o in latest.items()
    ]


def page_of(
    request: Request,
    actor: Actor,
    task: dict[str, Any],
    data: dict[str, Any],
    errors: dict[str, str],
    status_code: int = 200,
    message: str | None = None,
    draft: dict[str, Any] | None = None,
) -> HTMLResponse:
    schema = task.get("form_schema") or {}
    return page(
        request,
        "correction.html",
        actor,
        status_code=status_code,
        task=task,
        schema=schema,
        groups=formfields.build(schema, data, errors),
        form_error=message or errors.get(""),
        items=correction_items(task),
        given=(task.get("prefill") or {}).get("attachments") or [],
        draft=draft,
        **file_field(schema, api_config(request)),
    )


def _item_inputs(task: dict[str, Any], form: FormData) -> dict[str, dict[str, str]]:
    """Each item's file input, with what its files answer and which given file they replace."""
    inputs: dict[str, dict[str, str]] = {"files": {}}
    for index, item in enumerate(correction_items(task)):
        replaces = str(form.get(f"item_replaces_{index}", ""))[:64]
        inputs[f"item_files_{index}"] = {"item": item["label"], "replaces": replaces}
    return inputs


async def resubmit(request: Request, actor: Actor, task: dict[str, Any], form: FormData) -> Response:
    ctx, config = engine_context(request), api_config(request)
    schema = task.get("form_schema") or {}
    data = formfields.parse(schema, {k: v for k, v in form.items() if isinstance(v, str)})
    given = (task.get("prefill") or {}).get("attachments")
    if given:
        data["attachments"] = given  # files sent before stay with the matter unless an item replaces them
    subject, action, keep = drafts.task_subject(task["id"]), chosen_action(form), kept_files(form)
    store = request.app.state.attachments
    try:
        async with uploads_of(form, config, store, ctx, _item_inputs(task, form)) as uploads:
            if action in (DRAFT, MORE_ROWS):
                saved = await run_in_threadpool(
                    lambda: drafts.save(ctx, actor, subject, title=task["title"], data=data, keep=keep, uploads=uploads)
                )
                if action == MORE_ROWS:
                    return page_of(request, actor, task, data, {}, draft=saved)
                back = RedirectResponse(f"/tasks/{task['id']}", status_code=303)
                return flash.flash(request, back, "draft_saved")
            try:
                files = drafts.files_kept(ctx, actor, subject, keep)
                result = await run_in_threadpool(
                    lambda: services.complete(
                        ctx, actor, task["id"], decision=Decision.SUBMIT, data=data, uploads=[*files, *uploads]
                    )
                )
            except ValidationFailed as refused:
                kept = await keep_for_next_try(ctx, actor, subject, task["title"], data, keep, uploads)
                errors = formfields.error_map(refused.details)
                return page_of(request, actor, task, data, errors, 422, refused.message, kept)
    except DomainError as error:
        return error_page(request, actor, error)
    await run_in_threadpool(drafts.discard, ctx, actor, subject)
    redirect = RedirectResponse(f"/matters/{result['id']}", status_code=303)
    return flash.flash(request, redirect, "resubmitted", result["number"])

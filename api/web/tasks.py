"""The approver's pages: the inbox (overdue first, coloured by time limit) and a task
with its dossier and decision form; for the applicant, a returned matter's correction."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from api.web import formfields
from api.web.pages import (
    DUE_SOON,
    Viewer,
    api_config,
    checked_form,
    engine_context,
    error_page,
    page,
)
from api.web.uploads import file_field, uploads_of
from engine import services
from engine.context import EngineContext
from engine.vocabulary import Decision
from kernel import clock
from kernel.actors import Actor
from kernel.errors import DomainError, Forbidden, ValidationFailed

router = APIRouter(include_in_schema=False)
INBOX_FILTERS = ("matter", "due_before", "overdue", "claimed")


# -- approvers: inbox and a task ------------------------------------------------------------------------------


@router.get("/inbox", response_class=HTMLResponse, response_model=None)
def inbox(request: Request, actor: Viewer) -> Response:
    return _inbox_page(request, actor)


def _inbox_page(request: Request, actor: Actor, batch: dict[str, Any] | None = None) -> Response:
    """The inbox with its filters: matter, due by a date, overdue only, claimed."""
    ctx = engine_context(request)
    params = {k: v for k, v in request.query_params.items() if k in INBOX_FILTERS and v}
    try:
        due_before = date.fromisoformat(params["due_before"]) if "due_before" in params else None
    except ValueError:
        due_before, params["due_before_error"] = None, "日期应为 YYYY-MM-DD"
    try:
        tasks = services.inbox(
            ctx,
            actor,
            process_key=params.get("matter"),
            due_before=due_before,
            overdue=params.get("overdue") == "1",
            claimed=params.get("claimed"),
            limit=200,
        )
    except DomainError as error:
        return error_page(request, actor, error)
    status = 422 if "due_before_error" in params else 200
    return page(
        request,
        "inbox.html",
        actor,
        status_code=status,
        tasks=with_sla(tasks),
        params=params,
        processes=services.list_processes(ctx),
        batch=batch,
    )


@router.post("/inbox/batch-approve", response_model=None)
async def batch_approve(request: Request, actor: Viewer) -> Response:
    """Approve the ticked routine tasks; the inbox comes back with what was done
    and, for each task that was not, why."""
    form = await checked_form(request, actor)
    if isinstance(form, Response):
        return form
    try:
        task_ids = [str(v) for v in form.getlist("task_ids")]
        opinion = str(form.get("opinion", "")).strip() or None
        result = await run_in_threadpool(
            lambda: services.approve_routine(engine_context(request), actor, task_ids, opinion=opinion)
        )
    except ValidationFailed as refused:
        result = {"approved": [], "refused": [], "message": refused.message}
    except DomainError as error:
        return error_page(request, actor, error)
    return _inbox_page(request, actor, batch=result)


@router.post("/tasks/{task_id}/claim", response_model=None)
async def claim(request: Request, actor: Viewer, task_id: str) -> Response:
    return await _claiming(request, actor, task_id, services.claim)


@router.post("/tasks/{task_id}/unclaim", response_model=None)
async def unclaim(request: Request, actor: Viewer, task_id: str) -> Response:
    return await _claiming(request, actor, task_id, services.unclaim)


async def _claiming(
    request: Request, actor: Actor, task_id: str, action: Callable[[EngineContext, Actor, str], Any]
) -> Response:
    form = await checked_form(request, actor)
    if isinstance(form, Response):
        return form
    try:
        await run_in_threadpool(action, engine_context(request), actor, task_id)
    except DomainError as error:
        return error_page(request, actor, error)
    back = "/inbox" if form.get("back") == "inbox" else f"/tasks/{task_id}"
    return RedirectResponse(back, status_code=303)


def with_sla(tasks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Red (overdue), amber (due within two days) or green, for the inbox colours."""

    now = clock.now()
    for task in tasks:
        due = datetime.fromisoformat(task["due_at"]) if task.get("due_at") else None
        task["due_soon"] = due is not None and due - now <= DUE_SOON
    return tasks


@router.get("/tasks/{task_id}", response_class=HTMLResponse, response_model=None)
def task_page(request: Request, actor: Viewer, task_id: str) -> HTMLResponse | RedirectResponse:
    ctx = engine_context(request)
    try:
        task = services.get_task(ctx, actor, task_id)
        if not actor.can_act_for(task["department"], task["role"]) and not actor.is_admin:
            raise Forbidden("not_your_task", "该任务不属于您所在的部门或角色")
    except DomainError as error:
        return error_page(request, actor, error)
    if task["role"] == "applicant":  # returned for correction: the one submission, prefilled
        return _correction_page(request, actor, task, task["prefill"], {})
    return page(
        request,
        "task.html",
        actor,
        task=task,
        form_error=None,
        decision=None,
        opinion="",
        application_schema=_application_schema(ctx, task),
        **_decision_files(request, task),
    )


def _decision_files(request: Request, task: dict[str, Any]) -> dict[str, Any]:
    """The file field of a decision whose form takes attachments (e.g. 编办's scan of another authority's 批复)."""
    schema = task.get("form_schema") or {}
    return {**file_field(schema, api_config(request)), "files_help": schema.get("description") or ""}


def _correction_page(
    request: Request,
    actor: Actor,
    task: dict[str, Any],
    data: dict[str, Any],
    errors: dict[str, str],
    status_code: int = 200,
    message: str | None = None,
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
    )


def _application_schema(ctx: EngineContext, task: dict[str, Any]) -> dict[str, Any]:
    """The schema of the matter's one submission, for the Chinese titles of the dossier."""
    try:
        return services.start_form(ctx, str(task["process_key"]))
    except DomainError:
        return {}


@router.post("/tasks/{task_id}", response_model=None)
async def decide(request: Request, actor: Viewer, task_id: str) -> Response:
    ctx, config = engine_context(request), api_config(request)
    form = await checked_form(request, actor, max_files=config.max_files, max_fields=2000)
    if isinstance(form, Response):
        return form
    decision, opinion = str(form.get("decision", "")), str(form.get("opinion", ""))
    data: dict[str, Any] = {}
    try:
        async with uploads_of(form, config, request.app.state.attachments, ctx) as uploads:
            if decision == Decision.SUBMIT:  # a corrected submission: the form is the data
                task = services.get_task(ctx, actor, task_id)
                fields = {k: v for k, v in form.items() if isinstance(v, str)}
                data = formfields.parse(task.get("form_schema") or {}, fields)
                kept = (task.get("prefill") or {}).get("attachments")
                if kept:
                    data["attachments"] = kept  # files sent with the first submission stay with the matter
            result = await run_in_threadpool(
                lambda: services.complete(
                    ctx, actor, task_id, decision=decision, opinion=opinion or None, data=data, uploads=uploads
                )
            )
    except ValidationFailed as refused:
        task = services.get_task(ctx, actor, task_id)
        if task["role"] == "applicant":
            errors = formfields.error_map(list(refused.details or []))
            return _correction_page(request, actor, task, data, errors, 422, refused.message)
        return page(
            request,
            "task.html",
            actor,
            status_code=422,
            task=task,
            form_error=refused.message,
            decision=decision,  # the choice stays as made: a refused return must not turn into an approval
            opinion=opinion,
            application_schema=_application_schema(ctx, task),
            **_decision_files(request, task),
        )
    except DomainError as error:
        return error_page(request, actor, error)
    return RedirectResponse(f"/matters/{result['id']}" if actor.is_applicant else "/inbox", status_code=303)

"""The approver's pages: the inbox (overdue first, coloured by time limit) and a task
with its dossier and decision form; for the applicant, a returned matter's correction."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from api.web import correction, flash
from api.web.drafting import keep_for_next_try, kept_files
from api.web.matter_lists import unit_name, with_units
from api.web.pages import (
    DUE_SOON,
    Viewer,
    api_config,
    checked_form,
    engine_context,
    error_page,
    page,
    paging,
)
from api.web.uploads import file_field, uploads_of
from api.web.wording import stock_opinions
from engine import services
from engine.context import EngineContext
from engine.services import drafts, handover, rewinding
from engine.vocabulary import Decision
from kernel import clock
from kernel.actors import Actor
from kernel.errors import DomainError, Forbidden, ValidationFailed
from registry.services import register

router = APIRouter(include_in_schema=False)
INBOX_FILTERS = ("q", "matter", "due_before", "overdue", "claimed")


# -- approvers: inbox and a task ------------------------------------------------------------------------------


@router.get("/inbox", response_class=HTMLResponse, response_model=None)
def inbox(request: Request, actor: Viewer) -> Response:
    return _inbox_page(request, actor)


def _inbox_page(request: Request, actor: Actor, batch: dict[str, Any] | None = None) -> Response:
    """The inbox with its filters, all kept in the address: words of the 受理编号, title or
    applicant unit; matter; due by a date; overdue only; claimed. Twenty rows a page."""
    ctx = engine_context(request)
    params = {k: v for k, v in request.query_params.items() if k in INBOX_FILTERS and v}
    try:
        due_before = date.fromisoformat(params["due_before"]) if "due_before" in params else None
    except ValueError:
        due_before, params["due_before_error"] = None, "日期应为 YYYY-MM-DD"
    search = params.get("q", "").strip()[:100] or None
    wanted = services.InboxFilter(
        process_key=params.get("matter"),
        due_before=due_before,
        overdue=params.get("overdue") == "1",
        claimed=params.get("claimed"),
        search=search,
        unit_codes=register.units_named(ctx, search) if search else (),
    )
    listing = paging(request)
    try:
        listing = listing.of(services.inbox_total(ctx, actor, wanted))
        tasks = services.find_tasks(ctx, actor, wanted, limit=listing.size, offset=listing.offset)
    except DomainError as error:
        return error_page(request, actor, error)
    status = 422 if "due_before_error" in params else 200
    return page(
        request,
        "inbox.html",
        actor,
        status_code=status,
        tasks=with_units(ctx, with_sla(tasks)),
        params=params,
        processes=services.list_processes(ctx),
        batch=batch,
        paging=listing,
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
    said = "claimed" if action is services.claim else "unclaimed"
    return flash.flash(request, RedirectResponse(back, status_code=303), said)


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
        task = _viewable_task(ctx, actor, task_id)
    except DomainError as error:
        return error_page(request, actor, error)
    draft = drafts.get(ctx, actor, drafts.task_subject(task_id))  # what this person left here, files included
    if task["role"] == "applicant":  # returned for correction: the one submission, prefilled
        return correction.page_of(request, actor, task, draft["data"] if draft else task["prefill"], {}, draft=draft)
    said = draft["data"] if draft else {}
    return _task_page(request, actor, task, decision=said.get("decision"), opinion=said.get("opinion", ""), draft=draft)


def _viewable_task(ctx: EngineContext, actor: Actor, task_id: str) -> dict[str, Any]:
    """A task whose page this person may open: their department's, the one delegated to them (委派),
    or any for an administrator."""
    task = services.get_task(ctx, actor, task_id)
    mine = task["assignee"] == actor.username
    if not (actor.can_act_for(task["department"], task["role"]) or actor.is_admin or mine):
        raise Forbidden("not_your_task", "该任务不属于您所在的部门或角色")
    return task


def task_page_with_error(request: Request, actor: Actor, task_id: str, message: str) -> Response:
    """The task page after a 转办/委派/抄送 it refused: the message beside those forms."""
    try:
        task = _viewable_task(engine_context(request), actor, task_id)
    except DomainError as error:
        return error_page(request, actor, error)
    return _task_page(request, actor, task, status_code=422, handover_error=message)


def _task_page(
    request: Request,
    actor: Actor,
    task: dict[str, Any],
    *,
    status_code: int = 200,
    form_error: str | None = None,
    handover_error: str | None = None,
    decision: str | None = None,
    opinion: str = "",
    draft: dict[str, Any] | None = None,
) -> HTMLResponse:
    """A task with its dossier and decision form; after a refusal the decision and opinion come back
    as they were chosen (a refused return must not turn into an approval)."""
    ctx = engine_context(request)
    return page(
        request,
        "task.html",
        actor,
        status_code=status_code,
        task=task,
        form_error=form_error,
        handover_error=handover_error,
        handover=handover.choices(ctx, actor, task) if task["can_hand_over"] else None,
        return_steps=rewinding.return_steps(ctx, actor, task["id"]) if task["can_return"] else [],
        decision=decision,
        opinion=opinion,
        stock_opinions=stock_opinions(task["department"]),
        draft=draft,
        unit_name=unit_name(ctx, task["unit_code"]),
        application_schema=_application_schema(ctx, task),
        **_decision_files(request, task),
    )


def _decision_files(request: Request, task: dict[str, Any]) -> dict[str, Any]:
    """The file field of a decision whose form takes attachments (e.g. 编办's scan of another authority's 批复)."""
    schema = task.get("form_schema") or {}
    return {**file_field(schema, api_config(request)), "files_help": schema.get("description") or ""}


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
    try:
        task = services.get_task(ctx, actor, task_id)
    except DomainError as error:
        return error_page(request, actor, error)
    if task["role"] == "applicant":  # a corrected submission: the form is the data
        return await correction.resubmit(request, actor, task, form)
    decision, opinion = str(form.get("decision", "")), str(form.get("opinion", "")).strip()
    opinion = opinion or str(form.get("stock", "")).strip()[:2000]  # a stock opinion chosen without script
    subject, keep = drafts.task_subject(task_id), kept_files(form)
    try:
        async with uploads_of(form, config, request.app.state.attachments, ctx) as uploads:
            try:
                files = drafts.files_kept(ctx, actor, subject, keep)
                result = await run_in_threadpool(
                    lambda: services.complete(
                        ctx,
                        actor,
                        task_id,
                        decision=decision,
                        opinion=opinion or None,
                        data={},
                        uploads=[*files, *uploads],
                    )
                )
            except ValidationFailed as refused:  # the choice, the opinion and the files stay as they were
                said = {"decision": decision, "opinion": opinion}
                kept = await keep_for_next_try(ctx, actor, subject, task["title"], said, keep, uploads)
                return _task_page(
                    request,
                    actor,
                    task,
                    status_code=422,
                    form_error=refused.message,
                    decision=decision,
                    opinion=opinion,
                    draft=kept,
                )
    except DomainError as error:
        return error_page(request, actor, error)
    await run_in_threadpool(drafts.discard, ctx, actor, subject)
    if decision == Decision.RETURN:
        return flash.flash(request, RedirectResponse("/inbox", status_code=303), "returned", result["number"])
    return flash.flash(request, RedirectResponse("/inbox", status_code=303), "decided", decision)

"""The task page's 转办, 委派 (and the delegate's 交回), 加签 and 抄送 forms, and 催办 on the matter page.

A refusal the person can correct (no such colleague, a missing 委派事项) shows the task page again
with the message beside these forms; any other refusal is the error page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from api.web import flash
from api.web.pages import Viewer, checked_form, engine_context, error_page
from api.web.tasks import task_page_with_error
from engine.services import handover, signers
from kernel.actors import Actor
from kernel.errors import DomainError, ValidationFailed

router = APIRouter(include_in_schema=False)


def text_of(form: FormData, name: str) -> str:
    return str(form.get(name, "")).strip()[:500]


async def task_action(
    request: Request,
    actor: Actor,
    task_id: str,
    run: Callable[[FormData], Any],
    said: str,
    back: str | Callable[[Any], str],
) -> Response:
    """Run a task operation from its form; then where ``back`` says (or computes from the result),
    with the flash message ``said``."""
    form = await checked_form(request, actor)
    if isinstance(form, Response):
        return form
    try:
        result = await run_in_threadpool(run, form)
    except ValidationFailed as refused:  # the task page again, the message beside these forms
        return await run_in_threadpool(task_page_with_error, request, actor, task_id, refused.message)
    except DomainError as error:
        return error_page(request, actor, error)
    target = back if isinstance(back, str) else back(result)
    return flash.flash(request, RedirectResponse(target, status_code=303), said)


@router.post("/tasks/{task_id}/transfer", response_model=None)
async def transfer(request: Request, actor: Viewer, task_id: str) -> Response:
    ctx = engine_context(request)
    return await task_action(
        request,
        actor,
        task_id,
        lambda form: handover.transfer(ctx, actor, task_id, to=text_of(form, "to"), opinion=text_of(form, "opinion")),
        "transferred",
        "/inbox",
    )


@router.post("/tasks/{task_id}/delegate", response_model=None)
async def delegate(request: Request, actor: Viewer, task_id: str) -> Response:
    ctx = engine_context(request)
    return await task_action(
        request,
        actor,
        task_id,
        lambda form: handover.delegate(ctx, actor, task_id, to=text_of(form, "to"), opinion=text_of(form, "opinion")),
        "delegated",
        "/inbox",
    )


@router.post("/tasks/{task_id}/resolve", response_model=None)
async def resolve(request: Request, actor: Viewer, task_id: str) -> Response:
    ctx = engine_context(request)
    return await task_action(
        request,
        actor,
        task_id,
        lambda form: handover.resolve(ctx, actor, task_id, opinion=text_of(form, "opinion")),
        "resolved",
        "/inbox",
    )


@router.post("/tasks/{task_id}/copy", response_model=None)
async def copy(request: Request, actor: Viewer, task_id: str) -> Response:
    ctx = engine_context(request)

    def run(form: FormData) -> Any:
        users = [str(v) for v in form.getlist("users") if str(v)]
        departments = [str(v) for v in form.getlist("departments") if str(v)]
        return handover.copy(ctx, actor, task_id, users=users, departments=departments)  # the service caps them

    return await task_action(request, actor, task_id, run, "copied", f"/tasks/{task_id}")


@router.post("/tasks/{task_id}/add-signers", response_model=None)
async def add_signers(request: Request, actor: Viewer, task_id: str) -> Response:
    ctx = engine_context(request)

    def run(form: FormData) -> Any:
        users = [str(v) for v in form.getlist("users") if str(v)]
        position, opinion = text_of(form, "position"), text_of(form, "opinion")
        return signers.add_signers(ctx, actor, task_id, users=users, position=position, opinion=opinion)

    return await task_action(request, actor, task_id, run, "signers_added", f"/tasks/{task_id}")


@router.post("/matters/{instance_id}/urge", response_model=None)
async def urge(request: Request, actor: Viewer, instance_id: str) -> Response:
    ctx = engine_context(request)
    form = await checked_form(request, actor)
    if isinstance(form, Response):
        return form
    try:
        await run_in_threadpool(lambda: handover.urge(ctx, actor, instance_id, opinion=text_of(form, "opinion")))
    except DomainError as error:
        return error_page(request, actor, error)
    return flash.flash(request, RedirectResponse(f"/matters/{instance_id}", status_code=303), "urged")

"""The administrators' users-and-roles pages: the accounts, a new account, an
account's roles, departments and unit, deactivation and a password reset."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from api.deps import row_id
from api.errors import status_of
from api.web.admin_pages import admin_form, refused_unless_admin
from api.web.pages import Viewer, engine_context, error_page, page
from engine.services import users
from kernel.actors import Actor
from kernel.errors import DomainError

router = APIRouter(include_in_schema=False)


def _grant(form: FormData) -> dict[str, Any]:
    return {
        "display_name": str(form.get("display_name", "")).strip(),
        "roles": [str(r) for r in form.getlist("roles")],
        "departments": [str(d) for d in form.getlist("departments")],
        "unit_code": str(form.get("unit_code", "")).strip() or None,
    }


def _field_errors(error: DomainError) -> dict[str, str]:
    details = error.details if isinstance(error.details, list) else []
    found = {str(d["field"]): str(d["message"]) for d in details if isinstance(d, dict) and "field" in d}
    return found or {"": error.message}


@router.get("/admin/users", response_class=HTMLResponse, response_model=None)
def user_list(request: Request, actor: Viewer) -> Response:
    if (refused := refused_unless_admin(request, actor)) is not None:
        return refused
    return _list_page(request, actor, {}, {})


def _list_page(
    request: Request, actor: Actor, entered: dict[str, Any], errors: dict[str, str], status_code: int = 200
) -> Response:
    ctx = engine_context(request)
    return page(
        request,
        "admin_users.html",
        actor,
        status_code=status_code,
        users=users.list_users(ctx, actor),
        departments=users.list_departments(ctx, actor),
        entered=entered,
        errors=errors,
    )


@router.post("/admin/users", response_model=None)
async def add_user(request: Request, actor: Viewer) -> Response:
    form = await admin_form(request, actor)
    if isinstance(form, Response):
        return form
    entered = {**_grant(form), "username": str(form.get("username", "")).strip()}
    try:
        added = await run_in_threadpool(
            lambda: users.add_user(engine_context(request), actor, password=str(form.get("password", "")), **entered)
        )
    except DomainError as error:
        return _list_page(request, actor, entered, _field_errors(error), status_code=status_of(error))
    return RedirectResponse(f"/admin/users/{added['id']}?saved=1", status_code=303)


@router.get("/admin/users/{user_id}", response_class=HTMLResponse, response_model=None)
def user_page(request: Request, actor: Viewer, user_id: int = row_id()) -> Response:
    if (refused := refused_unless_admin(request, actor)) is not None:
        return refused
    try:
        user = users.get_user(engine_context(request), actor, user_id)
    except DomainError as error:
        return error_page(request, actor, error)
    return _user_page(request, actor, user, user, {}, saved=request.query_params.get("saved"))


def _user_page(
    request: Request,
    actor: Actor,
    user: dict[str, Any],
    entered: dict[str, Any],
    errors: dict[str, str],
    status_code: int = 200,
    saved: str | None = None,
) -> Response:
    departments = users.list_departments(engine_context(request), actor)
    return page(
        request,
        "admin_user.html",
        actor,
        status_code=status_code,
        user=user,
        entered=entered,
        errors=errors,
        departments=departments,
        saved=saved,
    )


@router.post("/admin/users/{user_id}", response_model=None)
async def change_user(request: Request, actor: Viewer, user_id: int = row_id()) -> Response:
    return await _change(request, actor, user_id, password=False)


@router.post("/admin/users/{user_id}/password", response_model=None)
async def reset_password(request: Request, actor: Viewer, user_id: int = row_id()) -> Response:
    return await _change(request, actor, user_id, password=True)


@router.post("/admin/users/{user_id}/unlock", response_model=None)
async def unlock_user(request: Request, actor: Viewer, user_id: int = row_id()) -> Response:
    form = await admin_form(request, actor)
    if isinstance(form, Response):
        return form
    try:
        await run_in_threadpool(users.unlock_user, engine_context(request), actor, user_id)
    except DomainError as error:
        return error_page(request, actor, error)
    return RedirectResponse(f"/admin/users/{user_id}?saved=unlocked", status_code=303)


async def _change(request: Request, actor: Actor, user_id: int, *, password: bool) -> Response:
    ctx = engine_context(request)
    form = await admin_form(request, actor)
    if isinstance(form, Response):
        return form
    entered = {**_grant(form), "active": form.get("active") == "1"}
    try:
        user = users.get_user(ctx, actor, user_id)
        if password:
            new = str(form.get("password", ""))
            await run_in_threadpool(users.reset_password, ctx, actor, user_id, new)
        else:
            await run_in_threadpool(lambda: users.change_user(ctx, actor, user_id, **entered))
    except DomainError as error:
        if error.code == "user_not_found":
            return error_page(request, actor, error)
        shown = user if password else {**user, **entered}
        return _user_page(request, actor, user, shown, _field_errors(error), status_code=status_of(error))
    return RedirectResponse(f"/admin/users/{user_id}?saved={'password' if password else '1'}", status_code=303)

"""Signing in and out of the web pages."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from api.deps import client_address
from api.errors import status_of
from api.web import session
from api.web.pages import (
    api_config,
    engine_context,
    error_page,
    page,
)
from engine import services
from kernel.errors import DomainError, TooManyRequests

router = APIRouter(include_in_schema=False)


# -- signing in and out ---------------------------------------------------------------------------------------


@router.get("/login", response_class=HTMLResponse, response_model=None)
def login_form(request: Request, next: str = "/") -> HTMLResponse:
    token = session.login_csrf(request)
    shown = page(request, "login.html", None, login_csrf=token, next=_safe_next(next))
    session.set_login_csrf(request, shown, token)
    return shown


def _safe_next(target: str) -> str:
    """Only a path on this site (no "//host" or "/\\host" that a browser would read as another site)."""
    return target if target.startswith("/") and not target.startswith(("//", "/\\")) and "\\" not in target else "/"


@router.post("/login")
async def login(request: Request) -> Response:
    form = await request.form()
    username, password = str(form.get("username", "")), str(form.get("password", ""))
    target = _safe_next(str(form.get("next", "/")))
    try:
        session.check_login_csrf(request, str(form.get("csrf", "")))
        config = api_config(request)
        token = await run_in_threadpool(
            services.login,
            engine_context(request),
            username=username,
            password=password,
            ttl=timedelta(minutes=config.token_ttl_minutes),
            address=client_address(request),
        )
    except DomainError as error:
        csrf = session.login_csrf(request)
        refused = page(
            request,
            "login.html",
            None,
            status_code=status_of(error),
            login_csrf=csrf,
            next=target,
            username=username,
            error=error.message,
        )
        session.set_login_csrf(request, refused, csrf)
        if isinstance(error, TooManyRequests):
            refused.headers["Retry-After"] = str(error.retry_after)
        return refused
    signed_in = RedirectResponse(target, status_code=303)
    session.set_session(request, signed_in, token, max_age=api_config(request).token_ttl_minutes * 60)
    return signed_in


@router.post("/logout")
async def logout(request: Request) -> Response:
    form = await request.form()
    actor = session.current_actor(engine_context(request), request)
    token = session.session_token(request)
    if actor is not None and token:
        try:
            session.check_csrf(request, str(form.get("csrf", "")))
        except DomainError as error:
            return error_page(request, actor, error)
        await run_in_threadpool(services.logout, engine_context(request), actor, token)
    response = RedirectResponse("/login", status_code=303)
    session.clear_session(response)
    return response

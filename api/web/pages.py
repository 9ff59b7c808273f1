"""What every web page shares: the templates and their Chinese texts, rendering
a page or an error page, and who is signed in (the login page for nobody).

Plain HTML forms work without JavaScript. A refused action comes back as the
page with the Chinese message next to the field and the user's input kept;
an action the user may not take gets an error page with its HTTP status.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from math import ceil
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.datastructures import FormData

from api.deps import get_catalogue, get_config, get_ctx
from api.errors import RETRY_AFTER_SECONDS, request_validation, status_of, storage_unavailable, unavailable
from api.web import flash, session
from api.web.wording import (
    ACTION_TEXT,
    DECISION_TEXT,
    DEPARTMENT_TEXT,
    PLATFORM_RESULTS,
    ROLE_TEXT,
    STATUS_TEXT,
    filesize,
    opinion_text,
    step_label,
)
from engine import services
from kernel import clock
from kernel.actors import Actor
from kernel.errors import DomainError, NotFound
from storage.archive import StorageUnavailable

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
WEB_STATIC = Path(__file__).parent / "static"
DUE_SOON = timedelta(days=2)
__all__ = ["ACTION_TEXT", "DECISION_TEXT", "DEPARTMENT_TEXT", "ROLE_TEXT", "STATUS_TEXT"]


def page_count(total: int, size: int) -> int:
    """How many pages a list of ``total`` rows takes (at least one, for the empty list)."""
    return max(1, ceil(total / size))


MAX_PAGE = 100_000


def requested_page(request: Request) -> int:
    """The ``page`` the address asks for: a number from 1, anything else is the first page."""
    text = request.query_params.get("page", "")
    if not re.fullmatch(r"[0-9]{1,6}", text):  # not "²", not ten thousand digits: the first page
        return 1
    return min(max(int(text), 1), MAX_PAGE)


@dataclass(frozen=True)
class Paging:
    """One page of a list: which page, of how many, and where its rows start."""

    current: int
    size: int
    total: int = 0

    @property
    def offset(self) -> int:
        return (self.current - 1) * self.size

    @property
    def pages(self) -> int:
        return page_count(self.total, self.size)

    def of(self, total: int) -> Paging:
        return Paging(self.current, self.size, total)


def paging(request: Request, size: int = 20) -> Paging:
    return Paging(requested_page(request), size)


def _replace_page(params: Any, number: int) -> str:
    from urllib.parse import urlencode

    return urlencode({**dict(params), "page": str(number)})


def _moment(value: Any) -> datetime | None:
    """A stored moment as the views give it (ISO text or datetime, UTC); None when there is none."""
    if value in (None, ""):
        return None
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def china_time(value: Any, seconds: bool = False) -> str:
    """A moment as people read it: China time, ``2026-12-03 07:00``."""
    moment = _moment(value)
    return clock.local(moment).strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M") if moment else "—"


def china_date(value: Any) -> str:
    """The business date of a moment (a deadline's day)."""
    moment = _moment(value)
    return clock.business_day(moment).isoformat() if moment else "—"


TEMPLATES.env.filters["replace_page"] = _replace_page
TEMPLATES.env.filters["china_time"] = china_time
TEMPLATES.env.filters["china_date"] = china_date
TEMPLATES.env.filters["filesize"] = filesize
TEMPLATES.env.globals.update(
    status_text=STATUS_TEXT,
    role_text=ROLE_TEXT,
    decision_text=DECISION_TEXT,
    action_text=ACTION_TEXT,
    department_name=lambda code: DEPARTMENT_TEXT.get(code, code),
    step_label=step_label,
    opinion_text=opinion_text,
)


# The same lookups the API's dependencies use.
engine_context = get_ctx
api_config = get_config


def page(request: Request, template: str, actor: Actor | None, status_code: int = 200, **values: Any) -> HTMLResponse:
    token = session.session_token(request)
    shared = {
        "actor": actor,
        "csrf": session.csrf_for(token) if token and actor else "",
        "result_text": {**PLATFORM_RESULTS, **get_catalogue(request).result_labels()},
        "counts": header_counts(request, actor),
        "flash": flash.pending(request),
    }
    answer = TEMPLATES.TemplateResponse(request, template, {**shared, **values}, status_code=status_code)
    flash.consumed(request, answer)
    return answer


def header_counts(request: Request, actor: Actor | None) -> dict[str, int]:
    """What the header counts for the signed-in person: open tasks (待办), unread returns (退回)
    and ends (办结), and all unread notifications."""
    if actor is None:
        return {}
    ctx = engine_context(request)
    counts = services.notification_counts(ctx, actor)
    if actor.departments or actor.is_applicant:
        counts["tasks"] = services.inbox_total(ctx, actor, services.InboxFilter())
    return counts


def error_page(request: Request, actor: Actor | None, error: DomainError) -> HTMLResponse:
    status = status_of(error)
    return page(request, "error.html", actor, status_code=status, error=error, status=status)


async def checked_form(request: Request, actor: Actor, **limits: int) -> FormData | Response:
    """The form the signed-in actor posted, or the error page refusing it when
    its CSRF token is not this session's. Every page that changes something
    reads its form through here."""
    form = await request.form(**limits)
    try:
        session.check_csrf(request, str(form.get("csrf", "")))
    except DomainError as error:
        return error_page(request, actor, error)
    return form


class SignInRequired(Exception):
    """A page was asked for without a session: the answer is the login page."""


def signed_in(request: Request) -> Actor:
    """The dependency of every page behind the login."""
    actor = session.current_actor(engine_context(request), request)
    if actor is None:
        raise SignInRequired(request.url.path)
    return actor


Viewer = Annotated[Actor, Depends(signed_in)]


def install(app: FastAPI) -> None:
    async def to_login(request: Request, exc: Exception) -> Response:
        return RedirectResponse(f"/login?next={exc.args[0] if exc.args else '/'}", status_code=303)

    app.add_exception_handler(SignInRequired, to_login)

    async def storage_down(request: Request, exc: Exception) -> Response:
        """Pages show the outage on the error page; the API keeps its JSON 503."""
        if request.url.path.startswith("/api/"):
            return storage_unavailable(request, exc)
        assert isinstance(exc, StorageUnavailable)
        actor = session.current_actor(engine_context(request), request)
        answer = error_page(request, actor, unavailable(exc))
        answer.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return answer

    app.add_exception_handler(StorageUnavailable, storage_down)  # replaces the API's handler, keeping its answer

    async def malformed(request: Request, exc: Exception) -> Response:
        """A page address with a parameter out of bounds (an id too large, a date past 2100) is a
        page that does not exist; the API keeps its JSON 422."""
        if request.url.path.startswith("/api/"):
            return request_validation(request, exc)
        actor = session.current_actor(engine_context(request), request)
        return error_page(request, actor, NotFound("page_not_found", "页面不存在，请检查地址"))

    app.add_exception_handler(RequestValidationError, malformed)


def wants_html(request: Request) -> bool:
    return "text/html" in request.headers.get("accept", "")

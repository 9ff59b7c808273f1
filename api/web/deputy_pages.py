"""The approver's 代理 page: name a deputy for the days away, or cancel it."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from api.deps import EARLIEST_DAY, LATEST_DAY
from api.web import flash
from api.web.pages import Viewer, checked_form, engine_context, error_page, page
from engine.services import deputies
from kernel import clock
from kernel.actors import Actor
from kernel.errors import DomainError, ValidationFailed

router = APIRouter(include_in_schema=False)


def _page(request: Request, actor: Actor, *, status_code: int = 200, **form: object) -> HTMLResponse:
    ctx = engine_context(request)
    today = clock.today()
    return page(
        request,
        "deputy.html",
        actor,
        status_code=status_code,
        current=deputies.get_deputy(ctx, actor),
        colleagues=deputies.candidates(ctx, actor),
        starts=form.get("starts", today.isoformat()),
        ends=form.get("ends", (today + timedelta(days=7)).isoformat()),
        chosen=form.get("chosen"),
        form_error=form.get("form_error"),
    )


@router.get("/me/deputy", response_class=HTMLResponse, response_model=None)
def deputy_page(request: Request, actor: Viewer) -> Response:
    return _page(request, actor)


def _day(text: str, what: str) -> date:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise ValidationFailed("invalid_period", f"{what}不是有效日期") from None
    if not EARLIEST_DAY <= day <= LATEST_DAY:  # the same bounds as the API's dates
        raise ValidationFailed("invalid_period", f"{what}超出范围")
    return day


@router.post("/me/deputy", response_model=None)
async def set_deputy(request: Request, actor: Viewer) -> Response:
    form = await checked_form(request, actor)
    if isinstance(form, Response):
        return form
    deputy, starts, ends = (str(form.get(k, ""))[:64] for k in ("deputy", "from", "to"))
    try:
        starts_on, ends_on = _day(starts, "开始日期"), _day(ends, "结束日期")
        await run_in_threadpool(
            lambda: deputies.set_deputy(
                engine_context(request), actor, deputy=deputy, starts_on=starts_on, ends_on=ends_on
            )
        )
    except ValidationFailed as refused:
        return _page(
            request, actor, status_code=422, starts=starts, ends=ends, chosen=deputy, form_error=refused.message
        )
    except DomainError as error:
        return error_page(request, actor, error)
    return flash.flash(request, RedirectResponse("/me/deputy", status_code=303), "deputy_set")


@router.post("/me/deputy/clear", response_model=None)
async def clear_deputy(request: Request, actor: Viewer) -> Response:
    form = await checked_form(request, actor)
    if isinstance(form, Response):
        return form
    try:
        await run_in_threadpool(deputies.clear_deputy, engine_context(request), actor)
    except DomainError as error:
        return error_page(request, actor, error)
    return flash.flash(request, RedirectResponse("/me/deputy", status_code=303), "deputy_cleared")

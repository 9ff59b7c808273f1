"""The administrators' working-day calendar editor: a year as month grids, set one
day as a working day or a day off, and mark the year's arrangement announced."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from api.web import calendar_grid
from api.web.admin_pages import admin_form, refused_unless_admin
from api.web.pages import Viewer, engine_context, error_page, page
from engine.services import calendar
from kernel import clock
from kernel.actors import Actor
from kernel.errors import DomainError, ValidationFailed
from kernel.numbers import whole_number

router = APIRouter(include_in_schema=False)

MAX_NOTE = 100


def _year(text: str | None, *, default: int | None = None) -> int:
    """The year asked for; ``default`` when none was."""
    if not text and default is not None:
        return default
    year = whole_number(text, max_digits=4)
    if year is None:
        raise ValidationFailed("invalid_year", "年份应为四位数字，例如 2027")
    return year


def _render(
    request: Request,
    actor: Actor,
    year: int,
    *,
    status_code: int = 200,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    try:
        shown = calendar.calendar_year(engine_context(request), year)
    except DomainError as error:
        return error_page(request, actor, error)
    return _show(request, actor, shown, status_code=status_code, errors=errors, values=values)


def _show(
    request: Request,
    actor: Actor,
    shown: dict[str, Any],
    *,
    status_code: int = 200,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    year = shown["year"]
    months = calendar_grid.year_grid(year, shown["exceptions"] + shown["estimated"])
    values = dict(values or {})
    picked = request.query_params.get("day", "")
    if not values and picked:  # a day's link pre-fills the form with what it is now
        found = next((d for m in months for w in m.weeks for d in w if d and d.day.isoformat() == picked), None)
        if found is not None:
            values = {"day": picked, "is_workday": "1" if found.is_workday else "0", "note": found.note}
    return page(
        request,
        "admin_calendar.html",
        actor,
        status_code=status_code,
        year=year,
        announced=shown["announced"],
        months=months,
        counts=calendar_grid.counts(months),
        kind_text=calendar_grid.KIND_TEXT,
        kind_mark=calendar_grid.KIND_MARK,
        weekdays=calendar_grid.WEEKDAY_TEXT,
        errors=errors or {},
        values=values,
        max_note=MAX_NOTE,
    )


@router.get("/admin/calendar", response_class=HTMLResponse, response_model=None)
def calendar_page(request: Request, actor: Viewer) -> Response:
    if (refused := refused_unless_admin(request, actor)) is not None:
        return refused
    asked = request.query_params.get("year")
    today = clock.today().year
    try:
        shown = calendar.calendar_year(engine_context(request), _year(asked, default=today))
    except ValidationFailed as refused_year:
        errors = {"year": refused_year.message}
        return _render(request, actor, today, status_code=422, errors=errors, values={"year": asked or ""})
    return _show(request, actor, shown)


def _day_errors(form: dict[str, str]) -> tuple[dict[str, str], date | None]:
    errors: dict[str, str] = {}
    day = None
    text = form.get("day", "").strip()
    if not text:
        errors["day"] = "请填写日期"
    else:
        try:
            day = date.fromisoformat(text)
        except ValueError:
            errors["day"] = "日期格式不正确，应为“年-月-日”，例如 2027-02-06"
    if form.get("is_workday") not in ("1", "0"):
        errors["is_workday"] = "请选择该日为工作日还是休息日"
    if len(form.get("note", "").strip()) > MAX_NOTE:
        errors["note"] = f"备注不能超过{MAX_NOTE}个字"
    return errors, day


@router.post("/admin/calendar/days", response_model=None)
async def set_day(request: Request, actor: Viewer) -> Response:
    posted = await admin_form(request, actor)
    if isinstance(posted, Response):
        return posted
    form = {k: v for k, v in posted.items() if isinstance(v, str)}
    try:
        year = _year(form.get("year"), default=clock.today().year)
    except ValidationFailed:
        year = clock.today().year
    errors, day = _day_errors(form)
    if day is not None and not errors:
        try:
            await run_in_threadpool(_save_day, request, actor, day, form)
        except ValidationFailed as refused_day:  # the year is out of range
            errors["day"] = refused_day.message
        except DomainError as error:
            return error_page(request, actor, error)
        else:
            return RedirectResponse(f"/admin/calendar?year={day.year}&saved={day.isoformat()}", status_code=303)
    return _render(request, actor, year, status_code=422, errors=errors, values=form)


def _save_day(request: Request, actor: Actor, day: date, form: dict[str, str]) -> None:
    workday, note = form.get("is_workday") == "1", form.get("note", "").strip()
    calendar.set_day(engine_context(request), actor, day, is_workday=workday, note=note)


@router.post("/admin/calendar/announce", response_model=None)
async def announce(request: Request, actor: Viewer) -> Response:
    form = await admin_form(request, actor)
    if isinstance(form, Response):
        return form
    try:
        year = _year(str(form.get("year", "")))
        announced = form.get("announced") == "1"
        await run_in_threadpool(lambda: calendar.announce(engine_context(request), actor, year, announced=announced))
    except DomainError as error:
        return error_page(request, actor, error)
    return RedirectResponse(f"/admin/calendar?year={year}&announced={int(announced)}", status_code=303)

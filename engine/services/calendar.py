"""Working-day calendar use cases: read a year, edit a day, announce a year, count."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import extract, select

from engine.context import EngineContext
from kernel import audit, workdays
from kernel.actors import Actor
from kernel.calendar import add_workdays
from kernel.errors import Forbidden, ValidationFailed
from kernel.holidays import estimated_rest_days
from kernel.workdays import CalendarDay, CalendarYear, TableWorkCalendar

MAX_WORKDAYS = 3650


def _check_year(year: int) -> None:
    if not 1950 <= year <= 2100:
        raise ValidationFailed("invalid_year", "年份应在1950至2100之间")


def calendar_year(ctx: EngineContext, year: int) -> dict[str, Any]:
    _check_year(year)
    with ctx.reading() as session:
        row = session.get(CalendarYear, year)
        days = session.scalars(
            select(CalendarDay).where(extract("year", CalendarDay.day) == year).order_by(CalendarDay.day)
        )
        stored = [{"day": d.day.isoformat(), "is_workday": d.is_workday, "note": d.note} for d in days]
        announced = bool(row and row.announced)
        # Until the year is announced its statutory days (and 补假) stand wherever the administrator said nothing.
        said = {d["day"] for d in stored}
        estimated = (
            []
            if announced
            else [
                {"day": day.isoformat(), "is_workday": False, "note": f"{note}（按法定假日推算）"}
                for day, note in estimated_rest_days(year).items()
                if day.isoformat() not in said
            ]
        )
        return {"year": year, "announced": announced, "exceptions": stored, "estimated": estimated}


def _admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise Forbidden("admin_only", "只有管理员可以维护工作日历")


def _refresh(ctx: EngineContext) -> None:
    if isinstance(ctx.calendar, TableWorkCalendar):
        ctx.calendar.invalidate()


def set_day(ctx: EngineContext, actor: Actor, day: date, *, is_workday: bool, note: str = "") -> dict[str, Any]:
    _admin(actor)
    _check_year(day.year)
    with ctx.transaction() as session:
        workdays.set_day(session, day, is_workday=is_workday, note=note, by=actor.username)
        audit.record(
            session,
            actor=actor.username,
            action="calendar_day",
            details={"day": day.isoformat(), "is_workday": is_workday, "note": note},
        )
    _refresh(ctx)
    return {"day": day.isoformat(), "is_workday": is_workday, "note": note}


def announce(ctx: EngineContext, actor: Actor, year: int, *, announced: bool = True) -> dict[str, Any]:
    _admin(actor)
    _check_year(year)
    with ctx.transaction() as session:
        workdays.set_announced(session, year, announced=announced, by=actor.username)
        audit.record(
            session, actor=actor.username, action="calendar_year", details={"year": year, "announced": announced}
        )
    _refresh(ctx)
    return {"year": year, "announced": announced}


def count_workdays(ctx: EngineContext, start: date, days: int) -> dict[str, Any]:
    """The ``days``-th working day after ``start``; provisional if a year on the way is not announced."""
    if not 0 <= days <= MAX_WORKDAYS:
        raise ValidationFailed("invalid_days", f"工作日数应在0至{MAX_WORKDAYS}之间")
    _check_year(start.year)
    result = add_workdays(ctx.calendar, start, days)
    unannounced = [year for year in range(start.year, result.year + 1) if not ctx.calendar.announced(year)]
    return {"start": start.isoformat(), "days": days, "date": result.isoformat(), "unannounced_years": unannounced}

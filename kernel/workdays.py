"""The working-day calendar table: the only source of deadlines.

Only exceptions are stored: a weekday that is a holiday, or a weekend day that
is a make-up working day (调休). Everything else follows Monday-Friday. Years
are seeded from ``chinese_calendar`` and marked announced; an administrator
edits single days and announces a new year once the State Council publishes
it. A year not announced still has its statutory holidays and their 补假
(``kernel.holidays``), under any day the administrator has set; deadlines
computed in such a year are provisional and say so.
"""

from __future__ import annotations

import threading
import time
from datetime import date, datetime, timedelta

import chinese_calendar
from sqlalchemy import Boolean, Date, DateTime, Integer, String, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from kernel.db import Base, utcnow
from kernel.holidays import estimated_rest_days

SEED_YEARS = range(2004, 2027)


class CalendarDay(Base):
    __tablename__ = "calendar_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    is_workday: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str] = mapped_column(String(100), default="")
    updated_by: Mapped[str] = mapped_column(String(100), default="system")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CalendarYear(Base):
    __tablename__ = "calendar_years"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    announced: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_by: Mapped[str] = mapped_column(String(100), default="system")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


def default_workday(day: date) -> bool:
    return day.weekday() < 5


HOLIDAY_NAMES = {str(h.value): str(h.chinese) for h in chinese_calendar.Holiday}


def library_exceptions(year: int) -> list[tuple[date, bool, str]]:
    """(day, is_workday, note) where ``chinese_calendar`` departs from Monday-Friday."""
    found = []
    day = date(year, 1, 1)
    while day.year == year:
        workday = bool(chinese_calendar.is_workday(day))
        if workday != default_workday(day):
            _, name = chinese_calendar.get_holiday_detail(day)
            holiday = HOLIDAY_NAMES.get(str(name), "节假日") if name else "休息日"
            found.append((day, workday, f"{holiday}调休上班" if workday else holiday))
        day += timedelta(days=1)
    return found


def seed(session: Session, years: range = SEED_YEARS) -> int:
    """Insert the library's exceptions for ``years`` not yet in the table."""
    known = set(session.scalars(select(CalendarYear.year)))
    added = 0
    for year in years:
        if year in known:
            continue
        for day, workday, name in library_exceptions(year):
            session.add(CalendarDay(day=day, is_workday=workday, note=name[:100]))
            added += 1
        session.add(CalendarYear(year=year, announced=True))
    return added


def set_day(session: Session, day: date, *, is_workday: bool, note: str, by: str) -> None:
    """Record the administrator's word for ``day``. A row is kept wherever the day differs from
    Monday-Friday, and on every statutory day of the estimate, which the row then overrides."""
    session.execute(delete(CalendarDay).where(CalendarDay.day == day))
    if is_workday != default_workday(day) or day in estimated_rest_days(day.year):
        session.add(CalendarDay(day=day, is_workday=is_workday, note=note[:100], updated_by=by))
    if session.get(CalendarYear, day.year) is None:
        session.add(CalendarYear(year=day.year, announced=False, updated_by=by))


def set_announced(session: Session, year: int, *, announced: bool, by: str) -> None:
    row = session.get(CalendarYear, year)
    if row is None:
        session.add(CalendarYear(year=year, announced=announced, updated_by=by))
    else:
        row.announced, row.updated_by, row.updated_at = announced, by, utcnow()


class TableWorkCalendar:
    """Reads the table into memory and refreshes it at most every ``ttl`` seconds
    (an administrator's edit reaches other processes within that time)."""

    def __init__(self, session_factory: sessionmaker[Session], ttl: float = 60.0) -> None:
        self._session_factory = session_factory
        self._ttl = ttl
        self._loaded_at = float("-inf")
        self._exceptions: dict[date, bool] = {}
        self._announced: dict[int, bool] = {}
        self._lock = threading.Lock()

    def invalidate(self) -> None:
        self._loaded_at = float("-inf")

    def _refresh(self) -> None:
        if time.monotonic() - self._loaded_at < self._ttl:
            return
        with self._lock, self._session_factory() as session:
            self._exceptions = dict(session.execute(select(CalendarDay.day, CalendarDay.is_workday)).tuples().all())
            self._announced = dict(session.execute(select(CalendarYear.year, CalendarYear.announced)).tuples().all())
            self._loaded_at = time.monotonic()

    def is_workday(self, day: date) -> bool:
        self._refresh()
        if day in self._exceptions:
            return self._exceptions[day]
        if not self._announced.get(day.year, False) and day in estimated_rest_days(day.year):
            return False
        return default_workday(day)

    def announced(self, year: int) -> bool:
        self._refresh()
        return self._announced.get(year, False)

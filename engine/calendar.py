"""Deadlines in working days (承诺时限 counts working days, 行政许可法 art. 82).

The calendar itself is the table in ``engine.workdays``; this module only
counts on whatever ``WorkCalendar`` it is given.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

CHINA = ZoneInfo("Asia/Shanghai")


class WorkCalendar(Protocol):
    def is_workday(self, day: date) -> bool: ...


def add_workdays(calendar: WorkCalendar, start: date, days: int) -> date:
    """The ``days``-th working day after ``start`` (the start day never counts)."""
    current, remaining = start, days
    while remaining > 0:
        current += timedelta(days=1)
        if calendar.is_workday(current):
            remaining -= 1
    return current


def workdays_between(calendar: WorkCalendar, start: date, end: date) -> int:
    """Working days d with start < d <= end."""
    count, current = 0, start
    while current < end:
        current += timedelta(days=1)
        count += calendar.is_workday(current)
    return count


def add_years(day: date, years: int) -> date:
    """The same date ``years`` later; 29 February becomes 1 March in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 3, 1)


def beijing_day(moment: datetime) -> date:
    return moment.astimezone(CHINA).date()


def due_at(calendar: WorkCalendar, created: datetime, days: int | None) -> datetime | None:
    """End of the deadline's working day in Beijing, as UTC (every stored time is UTC)."""
    if days is None:
        return None
    local_day = created.astimezone(CHINA).date()
    end = datetime.combine(add_workdays(calendar, local_day, days), time(23, 59, 59), tzinfo=CHINA)
    return end.astimezone(UTC)

"""Working days for task deadlines (承诺时限 counts working days).

``ChineseWorkCalendar`` uses the ``chinese_calendar`` package, which knows
each announced year with its make-up working days (调休). For a year it does
not know yet, it falls back to Monday-Friday so that a deadline is never
missing; the editable calendar table replaces this fallback later.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

import chinese_calendar

CHINA = ZoneInfo("Asia/Shanghai")


class WorkCalendar(Protocol):
    def is_workday(self, day: date) -> bool: ...


class ChineseWorkCalendar:
    def is_workday(self, day: date) -> bool:
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            return day.weekday() < 5


def add_workdays(calendar: WorkCalendar, start: date, days: int) -> date:
    """The ``days``-th working day after ``start`` (the start day never counts)."""
    current, remaining = start, days
    while remaining > 0:
        current += timedelta(days=1)
        if calendar.is_workday(current):
            remaining -= 1
    return current


def due_at(calendar: WorkCalendar, created: datetime, days: int | None) -> datetime | None:
    """End of the deadline's working day in Beijing, as UTC (every stored time is UTC)."""
    if days is None:
        return None
    local_day = created.astimezone(CHINA).date()
    end = datetime.combine(add_workdays(calendar, local_day, days), time(23, 59, 59), tzinfo=CHINA)
    return end.astimezone(UTC)

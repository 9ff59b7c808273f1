"""Deadlines in working days (承诺时限 counts working days, 行政许可法 art. 82).

The calendar itself is the table in ``kernel.workdays``; this module only
counts on whatever ``WorkCalendar`` it is given.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Protocol

from kernel import clock


class WorkCalendar(Protocol):
    def is_workday(self, day: date) -> bool: ...

    def announced(self, year: int) -> bool:
        """Whether the year's holiday arrangement is announced (else its days off are estimated)."""
        ...


def provisional(calendar: WorkCalendar, first: date | None, last: date | None) -> bool:
    """A count from ``first`` to ``last`` is provisional when a year it runs through is not announced."""
    if first is None or last is None:
        return False
    return any(not calendar.announced(year) for year in range(first.year, last.year + 1))


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


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later; a day the month lacks becomes its last day (31 Aug + 6 → 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    last = (date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)).day
    return date(year, month, min(day.day, last))


def add_years(day: date, years: int) -> date:
    """The same date ``years`` later; 29 February becomes 1 March in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 3, 1)


def due_at(calendar: WorkCalendar, created: datetime, days: int | None) -> datetime | None:
    """End of the deadline's business day, as UTC (every stored time is UTC)."""
    if days is None:
        return None
    return clock.end_of(add_workdays(calendar, clock.business_day(created), days))

"""A year of the working-day calendar laid out as twelve month grids (Monday first).

Only exceptions are stored (kernel.workdays): a weekday off is a holiday
(法定节假日, or another day off), a weekend day on is a make-up working day
(调休上班); every other day follows Monday-Friday.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date
from typing import Any

WORKDAY, HOLIDAY, MAKEUP, WEEKEND = "workday", "holiday", "makeup", "weekend"
KIND_TEXT = {WORKDAY: "工作日", HOLIDAY: "法定节假日", MAKEUP: "调休上班", WEEKEND: "周末"}
KIND_MARK = {HOLIDAY: "休", MAKEUP: "班"}  # as printed calendars mark them
WEEKDAY_TEXT = ("一", "二", "三", "四", "五", "六", "日")


@dataclass(frozen=True)
class Day:
    day: date
    kind: str
    note: str

    @property
    def is_workday(self) -> bool:
        return self.kind in (WORKDAY, MAKEUP)

    @property
    def label(self) -> str:
        """What a screen reader says for the day."""
        text = f"{self.day.month}月{self.day.day}日 星期{WEEKDAY_TEXT[self.day.weekday()]} {KIND_TEXT[self.kind]}"
        return f"{text} {self.note}" if self.note else text


@dataclass
class Month:
    month: int
    weeks: list[list[Day | None]]
    notes: list[Day] = field(default_factory=list)


def day_kind(day: date, exception: bool | None) -> str:
    weekend = day.weekday() >= 5
    if exception is None:
        return WEEKEND if weekend else WORKDAY
    if exception:
        return MAKEUP if weekend else WORKDAY
    return WEEKEND if weekend else HOLIDAY


def year_grid(year: int, exceptions: list[dict[str, Any]]) -> list[Month]:
    """``exceptions`` as ``calendar_year`` returns them: ``{"day", "is_workday", "note"}``."""
    stored = {date.fromisoformat(e["day"]): (bool(e["is_workday"]), str(e["note"] or "")) for e in exceptions}
    months = []
    for number, weeks in enumerate(calendar.Calendar(firstweekday=0).yeardatescalendar(year, width=1), start=1):
        month = Month(number, [])
        for week in weeks[0]:
            row: list[Day | None] = []
            for day in week:
                if day.month != number:
                    row.append(None)
                    continue
                workday, note = stored.get(day, (None, ""))
                cell = Day(day, day_kind(day, workday), note)
                row.append(cell)
                if day in stored:
                    month.notes.append(cell)
            month.weeks.append(row)
        months.append(month)
    return months


def counts(months: list[Month]) -> dict[str, int]:
    """How many days of each kind the year has."""
    found = dict.fromkeys(KIND_TEXT, 0)
    for month in months:
        for week in month.weeks:
            for cell in week:
                if cell is not None:
                    found[cell.kind] += 1
    return found

"""The working-day calendar table: seeded vectors, admin edits, unannounced years."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

import pytest
import time_machine

from engine import clock, services
from engine.calendar import add_workdays
from engine.errors import Forbidden, ValidationFailed
from engine.services import calendar
from onestop.bootstrap import Platform
from tests.engine.helpers import DEMO, application


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (date(2026, 2, 13), 1, date(2026, 2, 14)),
        (date(2026, 2, 13), 2, date(2026, 2, 24)),
        (date(2025, 12, 31), 1, date(2026, 1, 4)),
        (date(2026, 4, 30), 1, date(2026, 5, 6)),
        (date(2026, 9, 30), 1, date(2026, 10, 8)),
    ],
)
def test_domain_vectors_from_the_table(sqlite_platform: Platform, start: date, days: int, expected: date) -> None:
    result = calendar.count_workdays(sqlite_platform.ctx, start, days)
    assert result["date"] == expected.isoformat() and result["unannounced_years"] == []


def test_admin_edits_a_day_and_announces_a_year(sqlite_platform: Platform) -> None:
    from tests.conftest import actors_of

    ctx, actors = sqlite_platform.ctx, actors_of(sqlite_platform)
    assert calendar.count_workdays(ctx, date(2026, 12, 31), 1)["unannounced_years"] == [2027]
    with pytest.raises(Forbidden):
        calendar.set_day(ctx, actors["bianban"], date(2027, 1, 1), is_workday=False, note="元旦")
    calendar.set_day(ctx, actors["admin"], date(2027, 1, 1), is_workday=False, note="元旦")
    assert calendar.count_workdays(ctx, date(2026, 12, 31), 1)["date"] == "2027-01-04"
    calendar.announce(ctx, actors["admin"], 2027)
    assert calendar.count_workdays(ctx, date(2026, 12, 31), 1)["unannounced_years"] == []
    year = calendar.calendar_year(ctx, 2027)
    assert year["announced"] and year["exceptions"] == [{"day": "2027-01-01", "is_workday": False, "note": "元旦"}]
    # Setting a day back to its Monday-Friday default removes the exception.
    calendar.set_day(ctx, actors["admin"], date(2027, 1, 1), is_workday=True)
    assert calendar.calendar_year(ctx, 2027)["exceptions"] == []
    with pytest.raises(ValidationFailed):
        calendar.count_workdays(ctx, date(2026, 1, 1), -1)


def test_task_deadlines_follow_the_table(platform: Platform, actors: dict[str, Any]) -> None:
    ctx = platform.ctx
    started = services.start(ctx, actors["applicant"], process_key=DEMO, data=application())
    created = clock.business_day(datetime.fromisoformat(started["created_at"]))
    expected = calendar.count_workdays(ctx, created, 5)["date"]
    due = {datetime.fromisoformat(t["due_at"]) for t in started["tasks"]}
    assert {clock.business_day(d).isoformat() for d in due} == {expected}
    assert {clock.local(d).time() for d in due} == {time(23, 59, 59)}  # the end of that China day


@pytest.mark.parametrize(
    ("moment", "start_day", "due_day"),
    [
        # 23:30 UTC is already Friday 07:30 in China: the count starts on Friday.
        (datetime(2026, 12, 3, 23, 30, tzinfo=UTC), date(2026, 12, 4), date(2026, 12, 11)),
        # 00:30 UTC is Thursday 08:30 in China, the same date on both clocks.
        (datetime(2026, 12, 3, 0, 30, tzinfo=UTC), date(2026, 12, 3), date(2026, 12, 10)),
        # 16:30 UTC on a Friday is Saturday in China: five working days from the weekend.
        (datetime(2026, 12, 4, 16, 30, tzinfo=UTC), date(2026, 12, 5), date(2026, 12, 11)),
    ],
)
def test_deadlines_count_from_the_china_date_at_any_hour(
    sqlite_platform: Platform, moment: datetime, start_day: date, due_day: date
) -> None:
    from tests.conftest import actors_of

    ctx, actors = sqlite_platform.ctx, actors_of(sqlite_platform)
    with time_machine.travel(moment, tick=False):
        assert clock.today() == start_day
        started = services.start(ctx, actors["applicant"], process_key=DEMO, data=application())
    assert started["due_on"] == add_workdays(ctx.calendar, start_day, 15).isoformat()
    assert {t["due_at"] for t in started["tasks"]} == {clock.end_of(due_day).isoformat()}
    assert clock.end_of(due_day).isoformat() == f"{due_day.isoformat()}T15:59:59+00:00"

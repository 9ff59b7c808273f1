"""The working-day calendar table: seeded vectors, admin edits, unannounced years."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from engine import services
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
    created = date.fromisoformat(started["created_at"][:10])
    expected = calendar.count_workdays(ctx, created, 5)["date"]
    # due_at is the end of that working day in Beijing (UTC+8), stored as UTC.
    assert {t["due_at"][:10] for t in started["tasks"]} == {expected}

"""The working-day calendar table: seeded vectors, admin edits, unannounced years."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
import time_machine

from engine import services
from engine.services import calendar
from kernel import clock
from kernel.calendar import add_workdays
from kernel.errors import Forbidden, ValidationFailed
from kernel.holidays import estimated_rest_days
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
    # Before anything is entered, 2027 already has its statutory days (元旦 on Friday 1 January).
    assert calendar.count_workdays(ctx, date(2026, 12, 31), 1)["date"] == "2027-01-04"
    assert {"day": "2027-01-01", "is_workday": False, "note": "元旦（按法定假日推算）"} in calendar.calendar_year(
        ctx, 2027
    )["estimated"]
    calendar.set_day(ctx, actors["admin"], date(2027, 1, 1), is_workday=False, note="元旦")
    assert calendar.count_workdays(ctx, date(2026, 12, 31), 1)["date"] == "2027-01-04"
    calendar.announce(ctx, actors["admin"], 2027)
    assert calendar.count_workdays(ctx, date(2026, 12, 31), 1)["unannounced_years"] == []
    year = calendar.calendar_year(ctx, 2027)
    assert year["announced"] and year["exceptions"] == [{"day": "2027-01-01", "is_workday": False, "note": "元旦"}]
    assert year["estimated"] == []  # announced: only the administrator's days count
    # Announced, a day set back to its Monday-Friday default is no exception.
    calendar.set_day(ctx, actors["admin"], date(2027, 2, 1), is_workday=False, note="x")
    calendar.set_day(ctx, actors["admin"], date(2027, 2, 1), is_workday=True)
    assert calendar.calendar_year(ctx, 2027)["exceptions"] == [
        {"day": "2027-01-01", "is_workday": False, "note": "元旦"}
    ]
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


# Every day off by law in two unannounced years, with the 补假 cases:
# a holiday on a weekend (2027 春节, 劳动节, 国庆; 2028 元旦, 端午) and two holidays on one day (2028 中秋 = 国庆).
UNANNOUNCED = {
    2027: [
        ("2027-01-01", "元旦"),
        ("2027-02-05", "春节"), ("2027-02-06", "春节"), ("2027-02-07", "春节"), ("2027-02-08", "春节"),
        ("2027-02-09", "春节补假"), ("2027-02-10", "春节补假"),
        ("2027-04-05", "清明节"),
        ("2027-05-01", "劳动节"), ("2027-05-02", "劳动节"), ("2027-05-03", "劳动节补假"), ("2027-05-04", "劳动节补假"),
        ("2027-06-09", "端午节"),
        ("2027-09-15", "中秋节"),
        ("2027-10-01", "国庆节"), ("2027-10-02", "国庆节"), ("2027-10-03", "国庆节"),
        ("2027-10-04", "国庆节补假"), ("2027-10-05", "国庆节补假"),
    ],
    2028: [
        ("2028-01-01", "元旦"), ("2028-01-03", "元旦补假"),
        ("2028-01-25", "春节"), ("2028-01-26", "春节"), ("2028-01-27", "春节"), ("2028-01-28", "春节"),
        ("2028-04-04", "清明节"),
        ("2028-05-01", "劳动节"), ("2028-05-02", "劳动节"),
        ("2028-05-28", "端午节"), ("2028-05-29", "端午节补假"),
        ("2028-10-01", "国庆节"), ("2028-10-02", "国庆节"), ("2028-10-03", "国庆节"),
        ("2028-10-04", "国庆节补假"), ("2028-10-05", "中秋节补假"),
    ],
}  # fmt: skip


@pytest.mark.parametrize("year", sorted(UNANNOUNCED))
def test_an_unannounced_year_keeps_its_statutory_days_and_their_make_up_days(
    sqlite_platform: Platform, year: int
) -> None:
    ctx = sqlite_platform.ctx
    expected = [(date.fromisoformat(d), note) for d, note in UNANNOUNCED[year]]
    assert list(estimated_rest_days(year).items()) == expected
    off = {d for d, _ in expected}
    day = date(year, 1, 1)
    while day.year == year:  # every other day is Monday to Friday: no 调休 is guessed
        assert ctx.calendar.is_workday(day) == (day.weekday() < 5 and day not in off), day
        day += timedelta(days=1)
    shown = calendar.calendar_year(ctx, year)
    assert not shown["announced"] and [e["day"] for e in shown["estimated"]] == [d for d, _ in UNANNOUNCED[year]]


@pytest.mark.parametrize("year", [2025, 2026])
def test_the_estimate_agrees_with_the_published_arrangements(year: int) -> None:
    """In the announced years the law's days and their 补假 are all days off in the State Council's schedule."""
    import chinese_calendar

    estimated = estimated_rest_days(year)
    assert len(estimated) >= 13
    assert [d for d in estimated if chinese_calendar.is_workday(d)] == []


def test_a_deadline_through_an_unannounced_year_says_it_is_provisional(sqlite_platform: Platform) -> None:
    from tests.conftest import actors_of

    ctx, actors = sqlite_platform.ctx, actors_of(sqlite_platform)
    with time_machine.travel(datetime(2026, 12, 20, 2, 0, tzinfo=UTC), tick=False):
        started = services.start(ctx, actors["applicant"], process_key=DEMO, data=application())
    assert started["due_on"] > "2027-01-01" and started["due_provisional"] is True
    assert [t["due_provisional"] for t in started["tasks"]] == [False] * len(started["tasks"])  # 5 days: still 2026
    with time_machine.travel(datetime(2026, 3, 2, 2, 0, tzinfo=UTC), tick=False):
        early = services.start(ctx, actors["applicant"], process_key=DEMO, data=application())
    assert early["due_provisional"] is False
    calendar.announce(ctx, actors["admin"], 2027)
    assert services.get(ctx, actors["admin"], started["id"])["due_provisional"] is False

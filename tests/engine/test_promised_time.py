"""承诺时限: counted in working days from submission, paused while the applicant corrects."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from sqlalchemy import update

from engine import services
from engine.models import Instance
from kernel import clock
from kernel.calendar import add_workdays, workdays_between
from kernel.db import utcnow
from onestop.bootstrap import Platform
from tests.engine.helpers import DEMO, DEPARTMENTS, application, decide


def test_clock_starts_pauses_on_return_and_extends_the_due_date(platform: Platform, actors: dict[str, Any]) -> None:
    ctx = platform.ctx
    started = services.start(ctx, actors["applicant"], process_key=DEMO, data=application())
    iid, start_day = started["id"], clock.business_day(datetime.fromisoformat(started["created_at"]))
    assert started["promised_days"] == 15
    assert started["due_on"] == add_workdays(ctx.calendar, start_day, 15).isoformat()
    decide(ctx, actors["bianban"], iid, "return", "请补充材料")
    for dept in DEPARTMENTS[1:]:
        decide(ctx, actors[dept], iid)
    returned = services.get(ctx, actors["applicant"], iid)
    assert returned["status"] == "returned" and returned["clock_paused"] is True
    week_ago = utcnow() - timedelta(days=7)
    with ctx.transaction() as session:  # the applicant took a week to correct
        session.execute(update(Instance).where(Instance.id == iid).values(paused_at=week_ago))
    resumed = decide(ctx, actors["applicant"], iid, "submit", "", application())
    assert resumed["status"] == "running" and resumed["clock_paused"] is False
    paused = workdays_between(ctx.calendar, clock.business_day(week_ago), clock.today())
    assert paused >= 4
    assert resumed["due_on"] == add_workdays(ctx.calendar, start_day, 15 + paused).isoformat()


@pytest.mark.parametrize(
    ("started_at", "resubmitted_at"),
    [
        # 23:30 UTC is the next morning in China: Tuesday 3 Nov, then Tuesday 10 Nov.
        (datetime(2026, 11, 2, 23, 30, tzinfo=UTC), datetime(2026, 11, 9, 23, 30, tzinfo=UTC)),
        # 00:30 UTC is the same date on both clocks.
        (datetime(2026, 11, 3, 0, 30, tzinfo=UTC), datetime(2026, 11, 10, 0, 30, tzinfo=UTC)),
    ],
)
def test_promised_dates_are_china_dates_at_any_hour(
    sqlite_platform: Platform, started_at: datetime, resubmitted_at: datetime
) -> None:
    from tests.conftest import actors_of

    ctx, actors = sqlite_platform.ctx, actors_of(sqlite_platform)
    with time_machine.travel(started_at, tick=False):
        started = services.start(ctx, actors["applicant"], process_key=DEMO, data=application())
        assert started["due_on"] == "2026-11-24"  # 15 working days after Tuesday 3 November
        decide(ctx, actors["bianban"], started["id"], "return", "请补充材料")
        for dept in DEPARTMENTS[1:]:
            decide(ctx, actors[dept], started["id"])
    with time_machine.travel(resubmitted_at, tick=False):
        resumed = decide(ctx, actors["applicant"], started["id"], "submit", "", application())
    # Back with the applicant from 3 to 10 November (China dates): 5 working days added.
    assert resumed["due_on"] == "2026-12-01"

"""承诺时限: counted in working days from submission, paused while the applicant corrects."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import update

from engine import services
from engine.calendar import add_workdays, workdays_between
from engine.db import utcnow
from engine.models import Instance
from onestop.bootstrap import Platform
from tests.engine.helpers import DEMO, DEPARTMENTS, application, decide


def test_clock_starts_pauses_on_return_and_extends_the_due_date(platform: Platform, actors: dict[str, Any]) -> None:
    ctx = platform.ctx
    started = services.start(ctx, actors["applicant"], process_key=DEMO, data=application())
    iid, start_day = started["id"], date.fromisoformat(started["created_at"][:10])
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
    paused = workdays_between(ctx.calendar, week_ago.date(), utcnow().date())
    assert paused >= 4
    assert resumed["due_on"] == add_workdays(ctx.calendar, start_day, 15 + paused).isoformat()

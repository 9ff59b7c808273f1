"""超时处理 on SQLite and PostgreSQL: a timer boundary event counted in working days, woken by the
periodic job from the stored matter. 财政局's silence past ten working days is deemed consent (an
interrupting timer routes the matter on); 编办's review past ten working days is escalated (督办) and
stays where it is."""

from __future__ import annotations

from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any

import time_machine
from sqlalchemy import select

from engine import services
from engine.models import Instance
from engine.services.waking import wake_due
from kernel import clock
from kernel.calendar import due_at
from kernel.records import AuditEvent, Notification
from onestop.bootstrap import Platform
from onestop.worker import wake_timers
from tests.conftest import actors_of
from tests.engine.helpers import DEMO, application, decide
from tests.seasons import filled


def _wake_at(platform: Platform, instance_id: str) -> datetime | None:
    with platform.ctx.reading() as session:
        instance = session.get(Instance, instance_id)
        assert instance is not None
        return clock.local(instance.wake_at) if instance.wake_at else None


def _events(platform: Platform, instance_id: str, action: str) -> list[dict[str, Any]]:
    with platform.ctx.reading() as session:
        query = select(AuditEvent).where(AuditEvent.instance_id == instance_id, AuditEvent.action == action)
        return [{"actor": e.actor, "details": e.details} for e in session.scalars(query)]


def _messages(platform: Platform, instance_id: str) -> dict[str, list[str]]:
    with platform.ctx.reading() as session:
        rows = session.scalars(select(Notification).where(Notification.instance_id == instance_id))
        found: dict[str, list[str]] = {}
        for row in rows:
            found.setdefault(row.recipient, []).append(row.message)
        return found


def test_silence_past_ten_working_days_is_deemed_consent(platform: Platform, actors: dict[str, Any]) -> None:
    ctx = platform.ctx
    started = services.start(ctx, actors["applicant"], process_key=DEMO, data=application())
    matter, began = started["id"], datetime.fromisoformat(started["created_at"])
    limit = due_at(ctx.calendar, began, 10)
    assert limit is not None and _wake_at(platform, matter) == clock.local(limit)
    for department in ("bianban", "zuzhi", "renshe"):
        decide(ctx, actors[department], matter)
    ctx.store.clear()  # the job works from the stored matter
    assert wake_due(ctx, now=limit - timedelta(minutes=1)) == 0
    with time_machine.travel(limit + timedelta(minutes=1), tick=False):
        assert wake_due(ctx) == 1
        assert wake_due(ctx) == 0  # woken once
    done = services.get(ctx, actors["admin"], matter)
    assert done["status"] == "completed" and done["tasks"] == []
    [fired] = _events(platform, matter, "timer")
    assert fired == {"actor": "system", "details": {"fired": ["逾期未反馈"], "closed": ["财政局审核"]}}
    assert any("已按流程规定自动处理" in m for m in _messages(platform, matter)["department:caizheng"])
    assert _wake_at(platform, matter) is None


def test_a_decision_in_time_cancels_the_timer(platform: Platform, actors: dict[str, Any]) -> None:
    ctx = platform.ctx
    matter = services.start(ctx, actors["applicant"], process_key=DEMO, data=application())["id"]
    decide(ctx, actors["caizheng"], matter)
    assert _wake_at(platform, matter) is None
    assert wake_due(ctx, now=clock.now() + timedelta(days=60)) == 0


def test_a_review_past_its_time_is_escalated_and_stays(platform: Platform, actors: dict[str, Any]) -> None:
    ctx = platform.ctx
    matter = services.start(ctx, actors["applicant"], process_key="institution_setup", data=_institution(platform))[
        "id"
    ]
    limit = _wake_at(platform, matter)
    assert limit is not None
    ctx.store.clear()
    with time_machine.travel(limit + timedelta(hours=1), tick=False):
        assert wake_due(ctx) == 1
    detail = services.get(ctx, actors["admin"], matter)
    assert [t["step"] for t in detail["tasks"]] == ["编办审核"]  # still 编办's
    [escalated] = _events(platform, matter, "escalate")
    assert escalated["details"]["step"] == "编办审核"
    messages = _messages(platform, matter)
    admin = f"user:{actors['admin'].user_id}"
    assert any(m.startswith("督办：“编办审核”") for m in messages["department:bianban"] + messages[admin])
    assert _wake_at(platform, matter) is None  # the timer fired once
    decide(ctx, actors["bianban"], matter)


def _institution(platform: Platform) -> dict[str, Any]:
    form = services.start_form(platform.ctx, "institution_setup")
    return dict(filled(platform, "institution_setup", form["examples"][0]))


def test_the_periodic_job_wakes_through_the_worker(sqlite_platform: Platform) -> None:
    actors = actors_of(sqlite_platform)
    started = services.start(sqlite_platform.ctx, actors["applicant"], process_key=DEMO, data=application())
    limit = _wake_at(sqlite_platform, started["id"])
    assert limit is not None
    celery_task = SimpleNamespace(app=SimpleNamespace(onestop_platform=sqlite_platform))
    assert wake_timers(celery_task) == 0
    with time_machine.travel(limit + timedelta(minutes=1), tick=False):
        assert wake_timers(celery_task) == 1
    assert "财政局审核" not in [
        t["step"] for t in services.get(sqlite_platform.ctx, actors["admin"], started["id"])["tasks"]
    ]

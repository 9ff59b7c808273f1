"""The periodic job of 超时处理: wake the matters whose next timer is due (``instances.wake_at``).

Each matter is its own transaction, under its row lock, so one failing matter
does not hold the others back, and a matter a person is acting on is woken
after their step (or finds its timer already handled). SpiffWorkflow decides
what fires; the step then runs like any other (projection, status, audit).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from engine import timers
from engine.context import EngineContext
from engine.models import Instance, Task
from engine.notifications import TASK_KIND, holder_of, matter_name, notify
from engine.services import stepping
from engine.services.access import lock_instance
from engine.vocabulary import FINAL_STATUSES, TaskStatus
from kernel import audit
from kernel.db import as_utc, utcnow

SYSTEM = "system"


def wake_due(ctx: EngineContext, *, now: datetime | None = None, batch: int = 100) -> int:
    """Fire the timers due by ``now``; returns how many matters were woken."""
    moment = now or utcnow()
    with ctx.reading() as session:
        due = list(
            session.scalars(
                select(Instance.id)
                .where(Instance.wake_at.is_not(None), Instance.wake_at <= moment)
                .order_by(Instance.wake_at)
                .limit(batch)
            )
        )
    return sum(1 for instance_id in due if _wake(ctx, instance_id, moment))


def _wake(ctx: EngineContext, instance_id: str, moment: datetime) -> bool:
    with ctx.transaction() as session:
        instance = session.get(Instance, instance_id)
        if instance is None:
            return False
        lock_instance(session, instance)
        if instance.wake_at is None or as_utc(instance.wake_at) > moment:
            return False  # a step in between moved or cleared it
        if instance.status in FINAL_STATUSES:
            instance.wake_at = None
            return False
        loaded = stepping.load(ctx, session, instance)
        waiting = timers.waiting_timers(loaded.workflow)
        open_rows = list(
            session.scalars(select(Task).where(Task.instance_id == instance.id, Task.state == TaskStatus.OPEN))
        )
        loaded.open_rows = open_rows
        loaded.workflow.refresh_timers()
        status_before = instance.status
        stepping.advance(ctx, session, loaded, actor=SYSTEM)
        fired = timers.fired(waiting)
        dropped = [row for row in open_rows if row.state == TaskStatus.CANCELLED]
        for row in dropped:
            notify(
                session,
                holder_of(row, instance),
                instance.id,
                TASK_KIND,
                f"“{row.title}”（{matter_name(instance.title, instance.number)}）已超过办理时限，已按流程规定自动处理",
            )
        if fired:
            audit.record(
                session,
                actor=SYSTEM,
                action="timer",
                instance_id=instance.id,
                status_before=status_before,
                status_after=instance.status,
                details={"fired": fired, "closed": [row.title for row in dropped]},
            )
        return bool(fired)

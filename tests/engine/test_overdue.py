"""The periodic overdue search: one event and one urge per late task, once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select, update

from engine import services
from engine.models import Task
from engine.overdue import find_overdue
from kernel.db import utcnow
from kernel.records import AuditEvent, Notification
from onestop.bootstrap import Platform
from tests.engine.helpers import DEMO, application, open_task


def test_late_tasks_are_marked_urged_and_audited_once(platform: Platform, actors: dict[str, Any]) -> None:
    ctx = platform.ctx
    iid = services.start(ctx, actors["applicant"], process_key=DEMO, data=application())["id"]
    late = open_task(ctx, actors["zuzhi"], iid)
    services.claim(ctx, actors["renshe"], open_task(ctx, actors["renshe"], iid)["id"])
    with ctx.transaction() as session:
        session.execute(
            update(Task)
            .where(Task.instance_id == iid, Task.department.in_(["zuzhi", "renshe"]))
            .values(due_at=utcnow() - timedelta(hours=1))
        )
    assert find_overdue(ctx.session_factory) == 2
    assert find_overdue(ctx.session_factory) == 0
    with ctx.reading() as session:
        urges = dict(
            session.execute(select(Notification.recipient, Notification.message).where(Notification.kind == "urge"))
            .tuples()
            .all()
        )
        events = session.scalars(select(AuditEvent).where(AuditEvent.action == "overdue")).all()
    assert set(urges) == {"department:zuzhi", f"user:{actors['renshe'].user_id}"}
    assert all("催办" in m for m in urges.values()) and len(events) == 2
    inbox = services.inbox(ctx, actors["zuzhi"])
    assert [t["overdue"] for t in inbox if t["id"] == late["id"]] == [True]

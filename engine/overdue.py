"""Finding overdue tasks (a periodic job): one ``overdue`` audit event and one
urging notification (催办) per task, the first time it is seen late."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from engine.models import Instance, Task
from engine.notifications import URGE_KIND, holder_of, matter_name, notify
from engine.vocabulary import TaskStatus
from kernel import audit
from kernel.db import utcnow
from kernel.uow import transaction


def find_overdue(session_factory: sessionmaker[Session], *, now: datetime | None = None, batch: int = 200) -> int:
    """Mark open tasks past their deadline; returns how many were found."""
    now = now or utcnow()
    found = 0
    while True:
        with transaction(session_factory) as session:
            late = list(
                session.scalars(
                    select(Task)
                    .where(Task.state == TaskStatus.OPEN, Task.due_at < now, Task.overdue_at.is_(None))
                    .order_by(Task.due_at)
                    .limit(batch)
                    .with_for_update(skip_locked=True)
                )
            )
            if not late:
                return found
            for task in late:
                task.overdue_at = now
                instance = session.get_one(Instance, task.instance_id)
                title = matter_name(instance.title, instance.number)
                notify(
                    session,
                    holder_of(task, instance),
                    task.instance_id,
                    URGE_KIND,
                    f"催办：“{task.title}”（{title}）已超过办理时限，请尽快办理",
                )
                audit.record(
                    session,
                    actor="system",
                    action="overdue",
                    instance_id=task.instance_id,
                    task_id=task.id,
                    details={
                        "task": task.title,
                        "department": task.department,
                        "due_at": task.due_at.isoformat() if task.due_at else None,
                    },
                )
            found += len(late)

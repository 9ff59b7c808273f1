"""督办: the operation a non-interrupting timer runs when a step has waited too long.

The step stays where it is; whoever holds it and the administrators who watch
time limits are told, once per firing, and the trail records it. Registered
on every engine as the service operation ``timers.escalate`` with parameter
``step`` (the user task's BPMN id).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from engine import step_context
from engine.models import Task
from engine.notifications import URGE_KIND, holder_of, matter_name, notify
from engine.restricted_scripts import reads_only
from engine.vocabulary import TaskStatus
from kernel import audit
from kernel.accounts import User
from kernel.actors import ADMIN

OPERATION = "timers.escalate"


@reads_only  # it tells people; the register is untouched, so a return may cross it
def escalate(params: dict[str, Any]) -> dict[str, Any]:
    step = step_context.current()
    session, instance = step.session, step.instance
    name = str(params.get("step") or "")
    waiting = list(
        session.scalars(
            select(Task).where(Task.instance_id == instance.id, Task.spec_name == name, Task.state == TaskStatus.OPEN)
        )
    )
    matter = matter_name(instance.title, instance.number)
    admins = [u.id for u in session.scalars(select(User).where(User.active.is_(True))) if ADMIN in (u.roles or [])]
    recipients = dict.fromkeys([*(holder_of(t, instance) for t in waiting), *(f"user:{i}" for i in admins)])
    title = waiting[0].title if waiting else name
    for recipient in recipients:
        notify(
            session, recipient, instance.id, URGE_KIND, f"督办：“{title}”（{matter}）已超过规定时限仍未办理，请督促办理"
        )
    audit.record_unchanged(
        session,
        actor="system",
        action="escalate",
        instance=instance,
        task_id=waiting[0].id if waiting else None,
        details={"step": title, "to": list(recipients)},
    )
    return {"step": title, "notified": len(recipients)}

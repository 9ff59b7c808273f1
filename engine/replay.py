"""★ Case replay (案卷回放): a matter's history, event by event, from its audit chain.

Each frame is one event of the matter's own audit chain (what was done, not who looked), in
order: who did what, with which opinion, what the submission changed, and the state of every
step at that moment (done, current), read from the task rows' own times: a task is current from
its creation until it was decided or dropped, done once decided. The frames are plain data: the
matter page draws each on the process diagram, the archive keeps them in the dossier.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import Task
from engine.services.progress import CHILD
from engine.services.views import field_changes
from engine.vocabulary import TaskStatus
from kernel import audit
from kernel.db import as_utc
from kernel.records import AuditEvent

SUBMISSION = "submit"  # the audit action of an applicant's (re)submission


def _element(task: Task) -> str:
    return task.spec_name.removesuffix(CHILD)


def _states(tasks: list[Task], moment: datetime, reopened: dict[str, datetime]) -> dict[str, str]:
    """Each step's state just after ``moment``: current beats done (a step may run again). A task a
    recall reopened keeps its old time limit, so it counts from the recall (``reopened``)."""
    states: dict[str, str] = {}
    for task in tasks:
        if reopened.get(task.id, as_utc(task.created_at)) > moment:
            continue
        element = _element(task)
        if task.completed_at is None or as_utc(task.completed_at) > moment:
            states[element] = "current"
        elif task.state in (TaskStatus.COMPLETED, TaskStatus.RECALLED) and states.get(element) != "current":
            states[element] = "done"
    return states


def frames(session: Session, instance_id: str) -> list[dict[str, Any]]:
    """The matter's replay, one frame per audit event."""
    tasks = list(session.scalars(select(Task).where(Task.instance_id == instance_id).order_by(Task.created_at)))
    by_id = {task.id: task for task in tasks}
    chained = select(AuditEvent).where(AuditEvent.chain == audit.matter_chain(instance_id)).order_by(AuditEvent.id)
    events = [audit.event_view(e) for e in session.scalars(chained)]  # the matter's own chain: no looks
    reopened = {
        str((e["details"] or {}).get("reopened")): datetime.fromisoformat(e["at"])
        for e in events
        if e["action"] == "recall"
    }
    submitted: dict[str, Any] | None = None
    found = []
    for event in events:
        moment = datetime.fromisoformat(event["at"])
        task = by_id.get(event["task_id"] or "")
        changed: list[dict[str, Any]] = []
        if event["action"] == SUBMISSION and task is not None:
            changed, submitted = field_changes(submitted, task.form_data), task.form_data
        found.append(
            {
                "seq": event["seq"],
                "at": event["at"],
                "actor": event["actor"],
                "action": event["action"],
                "step": task.title if task is not None else None,
                "element": _element(task) if task is not None else None,
                "department": task.department if task is not None else None,
                "decision": (event["details"] or {}).get("decision"),
                "opinion": event["opinion"],
                "status_before": event["status_before"],
                "status_after": event["status_after"],
                "changed": changed,
                "states": _states(tasks, moment, reopened),
            }
        )
    return found

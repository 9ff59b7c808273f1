"""Plain-dict views returned by the services (the API adds nothing but JSON)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import Instance, Task
from engine.services.stepping import iso
from engine.vocabulary import TaskStatus
from kernel import audit, clock
from kernel.accounts import User
from kernel.calendar import WorkCalendar, provisional
from kernel.records import Incident


def _usernames(session: Session, ids: set[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return dict(session.execute(select(User.id, User.username).where(User.id.in_(wanted))).tuples().all())


def task_summary(task: Task, names: dict[int, str], calendar: WorkCalendar) -> dict[str, Any]:
    """``calendar`` says whether the deadline runs through a year whose holidays are only estimated."""
    created = clock.business_day(task.created_at) if task.created_at else None
    due = clock.business_day(task.due_at) if task.due_at else None
    return {
        "id": task.id,
        "instance_id": task.instance_id,
        "process_key": task.process_key,
        "name": task.spec_name,
        "title": task.title,
        "department": task.department,
        "role": task.role,
        "form_key": task.form_key,
        "state": task.state,
        "assignee": names.get(task.assignee_id) if task.assignee_id else None,
        "created_at": iso(task.created_at),
        "due_at": iso(task.due_at),
        "due_provisional": provisional(calendar, created, due),
        "overdue": task.overdue_at is not None,
        "completed_at": iso(task.completed_at),
    }


def task_summaries(session: Session, tasks: list[Task], calendar: WorkCalendar) -> list[dict[str, Any]]:
    names = _usernames(session, {t.assignee_id for t in tasks})
    return [task_summary(t, names, calendar) for t in tasks]


def opinions(session: Session, instance_id: str) -> list[dict[str, Any]]:
    done = list(
        session.scalars(
            select(Task)
            .where(Task.instance_id == instance_id, Task.state == TaskStatus.COMPLETED)
            .order_by(Task.completed_at, Task.created_at)
        )
    )
    names = _usernames(session, {t.completed_by for t in done})
    return [
        {
            "task_id": t.id,
            "title": t.title,
            "department": t.department,
            "decision": t.decision,
            "opinion": t.opinion,
            "by": names.get(t.completed_by) if t.completed_by else None,
            "at": iso(t.completed_at),
        }
        for t in done
    ]


def dossier(session: Session, instance: Instance) -> dict[str, Any]:
    """The one submission and the latest decision of every reviewing task."""
    decided = list(
        session.scalars(
            select(Task)
            .where(Task.instance_id == instance.id, Task.state == TaskStatus.COMPLETED, Task.role != "applicant")
            .order_by(Task.completed_at)
        )
    )
    names = _usernames(session, {t.completed_by for t in decided})
    reviews = {
        t.spec_name: {
            "decision": t.decision,
            "opinion": t.opinion or "",
            "data": t.form_data or {},
            "by": names.get(t.completed_by) if t.completed_by else None,
            "department": t.department,
            "at": iso(t.completed_at),
        }
        for t in decided
    }
    return {"application": instance.application or {}, "reviews": reviews, "results": instance.results or {}}


def instance_summary(instance: Instance, calendar: WorkCalendar) -> dict[str, Any]:
    """``calendar`` says whether the promised date runs through a year whose holidays are only estimated."""
    return {
        "id": instance.id,
        "status": instance.status,
        "process_key": instance.process_key,
        "version": instance.process_version,
        "title": instance.title,
        "unit_code": instance.unit_code,
        "created_at": iso(instance.created_at),
        "updated_at": iso(instance.updated_at),
        "finished_at": iso(instance.finished_at),
        "outcome": instance.outcome,
        "promised_days": instance.promised_days,
        "due_on": instance.due_on.isoformat() if instance.due_on else None,
        "due_provisional": provisional(calendar, instance.clock_started_on, instance.due_on),
        "clock_paused": instance.paused_at is not None,
    }


def step_result(session: Session, loaded: Any, calendar: WorkCalendar) -> dict[str, Any]:
    """Status and open tasks after a step, from memory: no query grows with history."""
    return {
        **instance_summary(loaded.instance, calendar),
        "tasks": task_summaries(session, loaded.open_tasks, calendar),
    }


def instance_detail(session: Session, instance: Instance, calendar: WorkCalendar) -> dict[str, Any]:
    open_tasks = list(
        session.scalars(
            select(Task).where(Task.instance_id == instance.id, Task.state == TaskStatus.OPEN).order_by(Task.created_at)
        )
    )
    incidents = session.scalars(select(Incident).where(Incident.instance_id == instance.id).order_by(Incident.id)).all()
    return {
        **instance_summary(instance, calendar),
        "data": dossier(session, instance),
        "tasks": task_summaries(session, open_tasks, calendar),
        "opinions": opinions(session, instance.id),
        "history": audit.history(session, instance.id),
        "incidents": [incident_view(i) for i in incidents],
    }


def incident_view(incident: Incident) -> dict[str, Any]:
    return {
        "id": incident.id,
        "instance_id": incident.instance_id,
        "source": incident.source,
        "task_spec": incident.task_spec,
        "error_type": incident.error_type,
        "message": incident.message,
        "created_at": iso(incident.created_at),
        "resolved_at": iso(incident.resolved_at),
        "resolved_by": incident.resolved_by,
        "retry_requested_at": iso(incident.retry_requested_at),
        "retry_requested_by": incident.retry_requested_by,
    }

"""Plain-dict views returned by the services (the API adds nothing but JSON)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import Instance, Task
from engine.services.stepping import iso
from engine.signing_rules import SignRule
from engine.vocabulary import TaskStatus
from kernel import audit, clock
from kernel.accounts import User
from kernel.calendar import WorkCalendar, provisional
from kernel.records import Incident


def people(session: Session, ids: set[int | None]) -> dict[int, tuple[str, str]]:
    """Username and display name by user id: the API keeps the username, pages show the name."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = session.execute(select(User.id, User.username, User.display_name).where(User.id.in_(wanted))).tuples()
    return {user_id: (username, display or username) for user_id, username, display in rows}


def task_people(session: Session, tasks: Iterable[Task]) -> dict[int, tuple[str, str]]:
    """The names a task summary shows: who holds it, who delegated it, on whose behalf it is held."""
    return people(session, {i for t in tasks for i in (t.assignee_id, t.owner_id, t.on_behalf_of)})


def _person(names: dict[int, tuple[str, str]], user_id: int | None) -> tuple[str | None, str | None]:
    return names.get(user_id, (None, None)) if user_id is not None else (None, None)


def task_summary(
    task: Task, matter: Instance, names: dict[int, tuple[str, str]], calendar: WorkCalendar
) -> dict[str, Any]:
    """A task carries its matter's 受理编号 and title (``title``); ``step`` is the step's own name.
    ``calendar`` says whether the deadline runs through a year whose holidays are only estimated."""
    created = clock.business_day(task.created_at) if task.created_at else None
    due = clock.business_day(task.due_at) if task.due_at else None
    assignee, assignee_name = _person(names, task.assignee_id)
    delegated_by, delegated_by_name = _person(names, task.owner_id)
    on_behalf_of, on_behalf_of_name = _person(names, task.on_behalf_of)
    return {
        "id": task.id,
        "instance_id": task.instance_id,
        "number": matter.number,
        "title": matter.title,
        "unit_code": matter.unit_code,
        "matter_status": matter.status,
        "process_key": task.process_key,
        "name": task.spec_name,
        "step": task.title,
        "department": task.department,
        "role": task.role,
        "acting_unit": task.unit_code,  # a unit's task: the unit whose clerks act on it (None: a department's)
        "form_key": task.form_key,
        "state": task.state,
        "assignee": assignee,
        "assignee_name": assignee_name,
        "delegated_by": delegated_by,  # 委派: the owner who decides once the assignee gives it back
        "delegated_by_name": delegated_by_name,
        "on_behalf_of": on_behalf_of,  # 代理: the assignee stands in for this person while they are away
        "on_behalf_of_name": on_behalf_of_name,
        "created_at": iso(task.created_at),
        "due_at": iso(task.due_at),
        "due_provisional": provisional(calendar, created, due),
        "overdue": task.overdue_at is not None,
        "completed_at": iso(task.completed_at),
        "decision": task.decision,  # once decided (or recalled, returned to an earlier step)
        "added_to": task.host_task_id,  # 加签: the task this one asks an opinion on
        "sign_position": task.sign_position,  # before (前加签) or after (后加签)
    }


def task_summaries(
    session: Session, tasks: list[Task], calendar: WorkCalendar, matter: Instance | None = None
) -> list[dict[str, Any]]:
    """``matter`` when every task is of one matter already loaded; else the matters are read in one query."""
    names = task_people(session, tasks)
    if matter is not None:
        matters = {matter.id: matter}
    else:
        wanted = {t.instance_id for t in tasks}
        matters = {i.id: i for i in session.scalars(select(Instance).where(Instance.id.in_(wanted)))} if wanted else {}
    return [task_summary(t, matters[t.instance_id], names, calendar) for t in tasks]


def vote_of(session: Session, task: Task, rule: SignRule) -> dict[str, Any]:
    """A multi-instance step's votes, as its deciders see them: the rule, each vote in order, who has
    not voted yet, and the tally (the children of one step are created together, at one moment)."""
    rows = list(
        session.scalars(
            select(Task)
            .where(
                Task.instance_id == task.instance_id,
                Task.spec_name == task.spec_name,
                Task.created_at == task.created_at,
            )
            .order_by(Task.completed_at, Task.assignee_id)
        )
    )
    names = people(session, {r.completed_by or r.assignee_id for r in rows})
    done = [r for r in rows if r.state == TaskStatus.COMPLETED]
    return {
        "rule": rule.mode if rule.share is None else str(rule.share),
        "label": rule.label,
        "votes": [{"by_name": _person(names, r.completed_by)[1], "decision": r.decision} for r in done],
        "pending": [_person(names, r.assignee_id)[1] for r in rows if r.state == TaskStatus.OPEN],
        "not_needed": [_person(names, r.assignee_id)[1] for r in rows if r.state == TaskStatus.CANCELLED],
        **rule.tally([str(r.decision) for r in done], len(rows)),
    }


def opinions(session: Session, instance_id: str) -> list[dict[str, Any]]:
    done = list(
        session.scalars(
            select(Task)
            .where(Task.instance_id == instance_id, Task.state == TaskStatus.COMPLETED)
            .order_by(Task.completed_at, Task.created_at)
        )
    )
    names = people(session, {t.completed_by for t in done})
    return [
        {
            "task_id": t.id,
            "name": t.spec_name,
            "title": t.title,
            "department": t.department,
            "role": t.role,
            "decision": t.decision,
            "opinion": t.opinion,
            "by": _person(names, t.completed_by)[0],
            "by_name": _person(names, t.completed_by)[1],
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
    names = people(session, {t.completed_by for t in decided})
    reviews = {
        t.spec_name: {
            "decision": t.decision,
            "opinion": t.opinion or "",
            "data": t.form_data or {},
            "by": _person(names, t.completed_by)[0],
            "by_name": _person(names, t.completed_by)[1],
            "department": t.department,
            "at": iso(t.completed_at),
        }
        for t in decided
    }
    return {"application": instance.application or {}, "reviews": reviews, "results": instance.results or {}}


def field_changes(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The fields of a submission that differ from the one before it (files are compared apart)."""
    old, new = before or {}, after or {}
    return [
        {"key": key, "before": old.get(key), "after": new.get(key)}
        for key in dict.fromkeys([*old, *new])
        if key != "attachments" and old.get(key) != new.get(key)
    ]


def resubmission_changes(session: Session, instance_id: str) -> dict[str, Any] | None:
    """What the latest correction changed against the submission before it (fields and files), for
    the reviewer who returned it; None when the matter was never resubmitted."""
    submissions = list(
        session.scalars(
            select(Task)
            .where(Task.instance_id == instance_id, Task.role == "applicant", Task.state == TaskStatus.COMPLETED)
            .order_by(Task.completed_at.desc(), Task.id)
            .limit(2)
        )
    )
    if len(submissions) < 2:
        return None
    after, before = submissions[0].form_data or {}, submissions[1].form_data or {}
    fields = field_changes(before, after)
    old_files = {f.get("sha256"): f for f in before.get("attachments") or [] if isinstance(f, dict)}
    new_files = {f.get("sha256"): f for f in after.get("attachments") or [] if isinstance(f, dict)}
    return {
        "at": iso(submissions[0].completed_at),
        "fields": fields,
        "added": [f for sha, f in new_files.items() if sha not in old_files],
        "removed": [f for sha, f in old_files.items() if sha not in new_files],
    }


def current_steps(session: Session, instance_ids: list[str]) -> dict[str, list[dict[str, str]]]:
    """The open steps of each listed matter (title and department), in one query."""
    if not instance_ids:
        return {}
    found: dict[str, list[dict[str, str]]] = {}
    rows = session.execute(
        select(Task.instance_id, Task.title, Task.department)
        .where(Task.instance_id.in_(instance_ids), Task.state == TaskStatus.OPEN)
        .order_by(Task.created_at, Task.id)
    ).tuples()
    for instance_id, title, department in rows:
        found.setdefault(instance_id, []).append({"step": title, "department": department})
    return found


def instance_summary(instance: Instance, calendar: WorkCalendar) -> dict[str, Any]:
    """``calendar`` says whether the promised date runs through a year whose holidays are only estimated."""
    return {
        "id": instance.id,
        "number": instance.number,
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
        "tasks": task_summaries(session, loaded.open_tasks, calendar, loaded.instance),
    }


def instance_detail(session: Session, instance: Instance, calendar: WorkCalendar) -> dict[str, Any]:
    open_tasks = list(
        session.scalars(
            select(Task).where(Task.instance_id == instance.id, Task.state == TaskStatus.OPEN).order_by(Task.created_at)
        )
    )
    incidents = session.scalars(select(Incident).where(Incident.instance_id == instance.id).order_by(Incident.id)).all()
    submitter = people(session, {instance.created_by}).get(instance.created_by, ("", ""))
    return {
        **instance_summary(instance, calendar),
        "submitted_by": submitter[0],
        "submitted_by_name": submitter[1],
        "data": dossier(session, instance),
        "tasks": task_summaries(session, open_tasks, calendar, instance),
        "opinions": opinions(session, instance.id),
        "history": with_actor_names(session, audit.history(session, instance.id)),
        "incidents": [incident_view(i) for i in incidents],
    }


def with_actor_names(session: Session, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each audit event with the display name of who acted (the trail keeps usernames)."""
    names = display_names(session, {str(e.get("actor", "")) for e in events})
    return [{**e, "actor_name": names.get(e["actor"], e["actor"])} for e in events]


def display_names(session: Session, usernames: set[str]) -> dict[str, str]:
    """People's names by username (系统 for the platform's own actions); an unknown name stays as it is."""
    wanted = {u for u in usernames if u}
    found = session.execute(select(User.username, User.display_name).where(User.username.in_(wanted))).tuples()
    return {**SYSTEM_NAMES, **(dict(found.all()) if wanted else {})}


SYSTEM_NAMES = {"system": "系统"}


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

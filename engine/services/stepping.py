"""Moving a workflow forward inside a use case's transaction.

Shared by every service that changes an instance: run the engine, turn
script failures into incidents, keep the task projection and the instance
status in step with the workflow, and persist only what changed.

Outcome convention: a finished workflow whose last end event's id starts
with ``end_rejected`` ended in refusal (不予批准); any other end is 办结.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.task import TaskState
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import step_context, timers
from engine.context import EngineContext
from engine.definitions import CompiledProcess, UserTaskInfo
from engine.models import Instance, Task
from engine.services import deputies
from engine.vocabulary import FINAL_STATUSES, InstanceStatus, TaskStatus
from engine.workflow_store import LiveWorkflow
from kernel import audit, clock, outbox
from kernel.accounts import Department, User
from kernel.actors import UNITS_DEPARTMENTS
from kernel.calendar import add_workdays, due_at, workdays_between
from kernel.db import as_utc, utcnow
from kernel.errors import Conflict
from kernel.records import Incident
from kernel.uow import after_commit

log = logging.getLogger(__name__)

RUNNING, RETURNED, INCIDENT = InstanceStatus.RUNNING, InstanceStatus.RETURNED, InstanceStatus.INCIDENT
COMPLETED, REJECTED = InstanceStatus.COMPLETED, InstanceStatus.REJECTED
WITHDRAWN, CANCELLED = InstanceStatus.WITHDRAWN, InstanceStatus.CANCELLED


@dataclass
class Loaded:
    instance: Instance
    compiled: CompiledProcess
    live: LiveWorkflow
    open_tasks: list[Task] = field(default_factory=list)
    # The open task rows as read under the instance lock, when the step already has them
    # (one query fewer); used once by ``sync_projection``.
    open_rows: list[Task] | None = None

    @property
    def workflow(self) -> Any:
        return self.live.workflow


def load(ctx: EngineContext, session: Session, instance: Instance) -> Loaded:
    compiled = ctx.specs.get(session, instance.definition_id)
    return Loaded(instance, compiled, ctx.store.load(session, instance, compiled))


def ready_spiff_task(loaded: Loaded, task_id: str) -> Any:
    try:
        task = loaded.workflow.get_task_from_id(UUID(task_id))
    except Exception:
        task = None
    if task is None or task.state != TaskState.READY:
        raise Conflict("instance_changed", "该事项已被他人处理，请刷新后重试")
    return task


def advance(ctx: EngineContext, session: Session, loaded: Loaded, *, actor: str, notify: bool = True) -> list[Task]:
    """Run automatic steps, then sync projection, status and stored state.

    Autoflush is off so that the step reaches the database as one batch at
    the end: one UPDATE of the instance row (one row-version bump) per step.
    """
    instance, workflow = loaded.instance, loaded.workflow
    with session.no_autoflush:
        try:
            with step_context.bound(session, instance, actor):
                workflow.do_engine_steps()
            failure = None
        except SpiffWorkflowException as exc:
            failure = exc
        created = sync_projection(ctx, session, loaded, notify=notify)
        _collect_results(loaded)
        before = instance.status
        if failure is not None:
            _raise_incident(session, instance, failure, actor=actor)
        else:
            instance.status = _status_of(loaded)
        _track_promised_time(ctx, loaded, before)
        if instance.status in FINAL_STATUSES and instance.finished_at is None:
            finish(ctx, session, instance, instance.status)
        save(ctx, session, loaded)
    return created


def finish(ctx: EngineContext, session: Session, instance: Instance, status: str) -> None:
    """The matter ends: stamp it, tell whoever listens, and let the register
    settle what the matter held (e.g. release an unused notice), all in the
    step's transaction."""
    instance.status, instance.finished_at = status, utcnow()
    outbox.emit(
        session,
        "instance.finished",
        {
            "instance_id": instance.id,
            "status": status,
            "unit_code": instance.unit_code,
            "title": instance.title,
            "number": instance.number,
        },
    )
    for hook in ctx.end_hooks:
        hook(session, instance)


def save(ctx: EngineContext, session: Session, loaded: Loaded) -> None:
    instance = loaded.instance
    instance.updated_at = utcnow()
    # 超时处理: when the periodic job should look at this matter again (never, without timers: a
    # matter migrated to a version without them must not keep an old wake-up)
    instance.wake_at = timers.next_wake(loaded.workflow) if loaded.compiled.has_timers else None
    ctx.store.save(session, instance, loaded.live)
    session.flush()
    after_commit(session, lambda: ctx.store.remember(instance.id, instance.row_version, loaded.live))


def sync_projection(ctx: EngineContext, session: Session, loaded: Loaded, *, notify: bool = True) -> list[Task]:
    """Close projection rows whose task is no longer ready; open rows for new ready tasks.
    Leaves the instance's open tasks in ``loaded.open_tasks``."""
    instance, workflow, now = loaded.instance, loaded.workflow, utcnow()
    ready = {str(t.id): t for t in workflow.get_tasks(state=TaskState.READY, manual=True)}
    open_rows: list[Task] = (
        loaded.open_rows
        if loaded.open_rows is not None
        else list(session.scalars(select(Task).where(Task.instance_id == instance.id, Task.state == TaskStatus.OPEN)))
    )
    loaded.open_rows = None
    still_open = []
    added = [row for row in open_rows if row.host_task_id is not None and row.state == TaskStatus.OPEN]
    for row in open_rows:
        if row.state != TaskStatus.OPEN or row.host_task_id is not None:  # settled by the step; 加签 below
            continue
        if row.id in ready:
            still_open.append(row)
            continue
        spiff_task = workflow.tasks.get(UUID(row.id))
        done = spiff_task is not None and spiff_task.state == TaskState.COMPLETED
        row.state = TaskStatus.COMPLETED if done else TaskStatus.CANCELLED
        row.completed_at = row.completed_at or now
    hosts = {row.id for row in still_open}
    for row in added:  # a signer's task lives as long as the task it was added to
        if row.host_task_id in hosts:
            still_open.append(row)
        else:
            row.state, row.completed_at = TaskStatus.CANCELLED, now
    known = {row.id for row in open_rows}
    created = []
    for task_id, spiff_task in ready.items():
        if task_id in known:
            continue
        info = loaded.compiled.user_tasks[spiff_task.task_spec.name]
        department = str(spiff_task.data.get(info.department_item, "")) if info.department_item else info.department
        row = Task(
            id=task_id,
            instance_id=instance.id,
            process_key=instance.process_key,
            spec_name=info.name,
            title=_title(session, info, department),
            department=department,
            role=info.role,
            unit_code=_unit_of(info, spiff_task, instance),
            form_key=info.form_key,
            state=TaskStatus.OPEN,
            created_at=now,
            due_at=due_at(ctx.calendar, now, info.sla_days),
            assignee_id=_assignee(session, info, spiff_task),
        )
        if row.assignee_id is not None:  # 代理: a seat of someone away goes to their deputy
            deputy = deputies.stand_in(session, row.assignee_id, row.department, row.role, instance)
            if deputy is not None:
                row.on_behalf_of, row.assignee_id = row.assignee_id, deputy
        session.add(row)
        created.append(row)
        if notify:
            outbox.emit(
                session,
                "task.created",
                {
                    "instance_id": instance.id,
                    "task_id": task_id,
                    "department": row.department,
                    "unit_code": instance.unit_code,
                    "task_unit_code": row.unit_code,
                    "title": info.title,
                    "instance_title": instance.title,
                    "number": instance.number,
                },
            )
    loaded.open_tasks = sorted([*still_open, *created], key=lambda t: (as_utc(t.created_at), t.id))
    return created


def _track_promised_time(ctx: EngineContext, loaded: Loaded, before: str) -> None:
    """Start the 承诺时限 clock at the first submission, stop it while the matter
    is back with the applicant, and push the due date by the days it stood."""
    instance, now = loaded.instance, utcnow()
    if loaded.compiled.promised_days is None:
        return
    today = clock.business_day(now)
    if instance.clock_started_on is None and instance.application:
        instance.promised_days = loaded.compiled.promised_days
        instance.clock_started_on = today
    elif instance.status == RETURNED and instance.paused_at is None:
        instance.paused_at = now
        return
    elif before == RETURNED and instance.status != RETURNED and instance.paused_at is not None:
        paused = workdays_between(ctx.calendar, clock.business_day(as_utc(instance.paused_at)), today)
        instance.paused_workdays = (instance.paused_workdays or 0) + paused
        instance.paused_at = None
    else:
        return  # the due date only moves when the clock starts or resumes
    days = (instance.promised_days or 0) + (instance.paused_workdays or 0)
    instance.due_on = add_workdays(ctx.calendar, instance.clock_started_on or today, days)


def _title(session: Session, info: UserTaskInfo, department: str) -> str:
    """A per-department child names its department: 并联审核（组织部）."""
    if not info.department_item:
        return info.title
    named = session.get(Department, department)
    return f"{info.title}（{named.name if named else department}）"[:200]


def _unit_of(info: UserTaskInfo, spiff_task: Any, instance: Instance) -> str | None:
    """The unit whose clerks act on a unit's task: another unit named by the task's data (调出单位),
    else the matter's own unit; None for a department's task."""
    if info.department not in UNITS_DEPARTMENTS:
        return None
    if not info.unit_item:
        return instance.unit_code
    value: Any = spiff_task.data
    for part in info.unit_item.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    if not value:
        raise LookupError(f"环节“{info.title}”应由哪个单位办理未能确定（数据项 {info.unit_item} 为空）")
    return str(value)


def _assignee(session: Session, info: UserTaskInfo, spiff_task: Any) -> int | None:
    """The user a multi-instance child is meant for (e.g. one 编委 member each)."""
    if not info.assignee_item:
        return None
    username = spiff_task.data.get(info.assignee_item)
    return session.scalar(select(User.id).where(User.username == str(username))) if username else None


def _collect_results(loaded: Loaded) -> None:
    """Keep what service tasks computed on the instance, readable without the workflow."""
    if not loaded.compiled.service_results:
        return
    results = dict(loaded.instance.results or {})
    wanted = loaded.compiled.service_results
    for task in loaded.workflow.get_tasks(state=TaskState.COMPLETED):  # one pass, in tree order
        variable = wanted.get(task.task_spec.name)
        if variable is not None and variable in task.data:
            results[variable] = task.data[variable]
    if results != (loaded.instance.results or {}):
        loaded.instance.results = results


def _status_of(loaded: Loaded) -> str:
    workflow = loaded.workflow
    if workflow.completed:
        ends = [t for t in workflow.get_tasks(state=TaskState.COMPLETED) if str(t.task_spec.name).startswith("end")]
        ended_rejected = any(str(t.task_spec.name).startswith("end_rejected") for t in ends)
        named = [t.task_spec.bpmn_name for t in ends if getattr(t.task_spec, "bpmn_name", None)]
        loaded.instance.outcome = named[-1][:200] if named else None
        return REJECTED if ended_rejected else COMPLETED
    # Back with the applicant after a first submission can only mean a return.
    waiting_on_applicant = bool(loaded.open_tasks) and all(t.role == "applicant" for t in loaded.open_tasks)
    if waiting_on_applicant and loaded.instance.application:
        return RETURNED
    return RUNNING


def _raise_incident(session: Session, instance: Instance, exc: Exception, *, actor: str) -> None:
    task = getattr(exc, "task", None)
    spec_name = task.task_spec.name if task is not None else None
    error_type = str(getattr(exc, "error_type", None) or type(exc).__name__)
    incident = session.scalars(
        select(Incident).where(
            Incident.instance_id == instance.id,
            Incident.source == "script",
            Incident.task_spec == spec_name,
            Incident.resolved_at.is_(None),
        )
    ).first()
    if incident is None:
        incident = Incident(instance_id=instance.id, source="script", task_spec=spec_name)
        session.add(incident)
    incident.error_type, incident.message = error_type, str(exc)[:4000]  # a failed retry: the same incident, now
    before, instance.status = instance.status, INCIDENT
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="incident",
        instance_id=instance.id,
        status_before=before,
        status_after=INCIDENT,
        details={"incident_id": incident.id, "task_spec": spec_name, "error": incident.message[:500]},
    )
    log.warning("incident %s on instance %s: %s", incident.id, instance.id, exc)


def iso(value: datetime | None) -> str | None:
    return as_utc(value).isoformat() if value is not None else None

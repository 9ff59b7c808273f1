"""Task use cases: inbox, read, claim, unclaim, complete."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update

from engine import audit
from engine.actors import Actor
from engine.context import EngineContext
from engine.errors import Conflict, Forbidden, ValidationFailed
from engine.models import Instance, Task
from engine.services import stepping, views
from engine.services.access import lock_task_instance, task_inbox_condition, visible_task
from engine.services.completion import check_may_complete, complete_task

TASK_STATES = ("open", "completed", "cancelled")
MAX_ATTEMPTS = 4


def inbox(
    ctx: EngineContext,
    actor: Actor,
    *,
    state: str = "open",
    process_key: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[dict[str, Any]]:
    if state not in TASK_STATES:
        raise ValidationFailed("invalid_filter", f"任务状态应为：{'、'.join(TASK_STATES)}")
    with ctx.reading() as session:
        query = (
            select(Task)
            .join(Instance, Instance.id == Task.instance_id)
            .where(Task.state == state, task_inbox_condition(actor))
        )
        if process_key:
            query = query.where(Task.process_key == process_key)
        query = query.order_by(Task.due_at.is_(None), Task.due_at, Task.created_at).limit(limit).offset(offset)
        return views.task_summaries(session, list(session.scalars(query)))


def get_task(ctx: EngineContext, actor: Actor, task_id: str) -> dict[str, Any]:
    with ctx.reading() as session:
        task, instance = visible_task(session, actor, task_id)
        form = ctx.forms.get(task.form_key) if task.form_key else None
        detail = views.task_summaries(session, [task])[0]
        dossier = views.dossier(session, instance)
        info = ctx.specs.get(session, instance.definition_id).user_tasks.get(task.spec_name)
        return {
            **detail,
            "instance": views.instance_summary(instance),
            "data": dossier,
            "prefill": instance.application if task.role == "applicant" else {},
            "form_schema": form.schema if form else None,
            "decisions": ["submit"] if task.role == "applicant" else list(info.decisions if info else ()),
            "opinions": views.opinions(session, instance.id),
            "can_complete": task.state == "open"
            and actor.can_act_for(task.department, task.role)
            and task.assignee_id in (None, actor.user_id),
        }


def claim(ctx: EngineContext, actor: Actor, task_id: str) -> dict[str, Any]:
    with ctx.transaction() as session:
        task, instance = visible_task(session, actor, task_id)
        check_may_complete(actor, task)
        if task.assignee_id == actor.user_id:
            return views.task_summaries(session, [task])[0]
        claimed = session.execute(
            update(Task)
            .where(Task.id == task.id, Task.assignee_id.is_(None), Task.state == "open")
            .values(assignee_id=actor.user_id)
        )
        if getattr(claimed, "rowcount", 0) != 1:
            raise Conflict("task_claimed_by_other", "该任务已由他人签收")
        session.refresh(task)
        audit.record_unchanged(session, actor=actor.username, action="claim", instance=instance, task_id=task.id)
        return views.task_summaries(session, [task])[0]


def unclaim(ctx: EngineContext, actor: Actor, task_id: str) -> dict[str, Any]:
    with ctx.transaction() as session:
        task, instance = visible_task(session, actor, task_id)
        if task.state != "open":
            raise Conflict("task_already_completed", "该任务已办理完毕")
        if task.assignee_id is None:
            raise Conflict("task_not_claimed", "该任务尚未签收")
        if task.assignee_id != actor.user_id and not actor.is_admin:
            raise Forbidden("not_your_task", "只能退回本人签收的任务")
        task.assignee_id = None
        audit.record_unchanged(session, actor=actor.username, action="unclaim", instance=instance, task_id=task.id)
        return views.task_summaries(session, [task])[0]


def complete(
    ctx: EngineContext,
    actor: Actor,
    task_id: str,
    *,
    decision: str | None,
    opinion: str | None = None,
    data: dict[str, Any] | None = None,
    uploads: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Complete a task. Losing a race to another task of the same instance is
    retried (the other task's step does not invalidate this decision); losing
    it to a completion of this very task ends in ``task_already_completed``."""
    for attempt in range(MAX_ATTEMPTS):
        try:
            return _complete_once(ctx, actor, task_id, decision=decision, opinion=opinion, data=data, uploads=uploads)
        except Conflict as exc:
            if exc.code != "instance_changed" or attempt == MAX_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def _complete_once(
    ctx: EngineContext,
    actor: Actor,
    task_id: str,
    *,
    decision: str | None,
    opinion: str | None,
    data: dict[str, Any] | None,
    uploads: list[dict[str, Any]] | None,
) -> dict[str, Any]:
    with ctx.transaction() as session:
        task, instance = lock_task_instance(session, actor, task_id)
        check_may_complete(actor, task)
        if instance.status in stepping.FINAL_STATUSES:
            raise Conflict("instance_finished", "该事项已办结，不能再办理")
        loaded = stepping.load(ctx, session, instance)
        complete_task(
            ctx,
            session,
            actor,
            loaded,
            task,
            decision=decision,
            opinion=opinion,
            data=data or {},
            uploads=uploads,
            action="submit" if task.role == "applicant" else "complete",
        )
        return views.step_result(session, loaded)

"""加签: people added to one step of one matter, for this matter only.

前加签 (``before``): the signers give their opinion first; the assignee decides once all have.
后加签 (``after``): the assignee approves and the signers countersign that approval; the step moves
on when all agree. A signer who disagrees sends the step back to the assignee, who decides again.

A signer's task is a row of the task projection (inbox, task page, time limit and reminders come
with it) that names its host task; it never moves the workflow. The BPMN stays as deployed: only
the host's completion, released when its signers are done, runs the workflow.
"""

from __future__ import annotations

from typing import Any
from uuid import uuid4

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.context import EngineContext
from engine.models import Instance, Task
from engine.notifications import TASK_KIND, matter_name, notify
from engine.services import stepping, views
from engine.services.access import lock_task_instance, must_recuse, refuse_unit_task
from engine.services.completion import check_may_complete, complete_task
from engine.services.handover import checked_opinion
from engine.vocabulary import FINAL_STATUSES, Decision, TaskStatus
from kernel import audit
from kernel.accounts import User, active_user_named
from kernel.actors import APPROVER, Actor
from kernel.db import as_utc, utcnow
from kernel.errors import Conflict, NotFound, ValidationFailed

BEFORE, AFTER = "before", "after"
POSITIONS = {BEFORE: "前加签", AFTER: "后加签"}
SIGNER_DECISIONS = (Decision.APPROVE, Decision.REJECT)  # 同意 / 不同意
MAX_SIGNERS = 10


def _matter(instance: Instance) -> str:
    return matter_name(instance.title, instance.number)


def add_signers(
    ctx: EngineContext, actor: Actor, task_id: str, *, users: list[str], position: str, opinion: str | None
) -> dict[str, Any]:
    """The holder of a task adds signers before or after themselves; with ``after``, ``opinion`` is their
    approval, which waits for the signers."""
    if position not in POSITIONS:
        raise ValidationFailed("invalid_position", "加签方式应为 before（前加签）或 after（后加签）")
    wanted = list(dict.fromkeys(u.strip() for u in users if u.strip()))
    if not wanted:
        raise ValidationFailed("signers_empty", "请选择加签人员")
    if len(wanted) > MAX_SIGNERS:
        raise ValidationFailed("signers_too_many", f"一次最多加签{MAX_SIGNERS}人")
    text = checked_opinion(opinion, required="请写明加签事由" if position == BEFORE else "后加签须填写您的审批意见")
    with ctx.transaction() as session:
        task, instance, open_rows = lock_task_instance(session, actor, task_id)
        if instance.status in FINAL_STATUSES:
            raise Conflict("instance_finished", "该事项已办结，不能再办理")
        check_may_complete(actor, task, instance)
        refuse_unit_task(task, "加签")
        if task.host_task_id is not None:
            raise Conflict("added_signer", "加签任务由被加签人本人办理，不能再加签、转办或委派")
        info = ctx.specs.get(session, instance.definition_id).user_tasks.get(task.spec_name)
        if info is not None and info.assignee_item:
            raise Conflict("personal_seat", "表决席位只能表明本人意见，不能加签")
        if position == AFTER and info is not None and Decision.APPROVE not in info.decisions:
            raise Conflict("decision_not_allowed", f"“{task.title}”环节不能同意，不能后加签")
        signing = {r.assignee_id for r in open_rows if r.host_task_id == task.id}
        signers = [_signer(session, actor, task, instance, username, signing) for username in wanted]
        now = utcnow()
        for user in signers:
            departments = sorted(user.departments or [])
            session.add(
                Task(
                    id=str(uuid4()),
                    instance_id=instance.id,
                    process_key=instance.process_key,
                    spec_name=task.spec_name,
                    title=f"{task.title}（加签）"[:200],
                    department=departments[0] if departments else task.department,
                    role=APPROVER,
                    state=TaskStatus.OPEN,
                    created_at=now,
                    due_at=task.due_at,
                    assignee_id=user.id,
                    host_task_id=task.id,
                    sign_position=position,
                    form_data={"asked_by": actor.username, "reason": text},
                )
            )
            notify(
                session,
                f"user:{user.id}",
                instance.id,
                TASK_KIND,
                f"{actor.display_name}请您{POSITIONS[position]}“{task.title}”（{_matter(instance)}）：{text}",
            )
        task.awaiting, task.assignee_id = position, task.assignee_id or actor.user_id
        if position == AFTER:  # the holder's approval, held until the signers agree
            task.decision, task.opinion, task.form_data = Decision.APPROVE, text, {}
        audit.record_unchanged(
            session,
            actor=actor.username,
            action="add_signers",
            instance=instance,
            task_id=task.id,
            details={"position": position, "users": [u.username for u in signers], "opinion": text},
        )
        session.flush()
        return views.task_summaries(session, [task], ctx.calendar, instance)[0]


def _signer(
    session: Session, actor: Actor, task: Task, instance: Instance, username: str, signing: set[int | None]
) -> User:
    user = active_user_named(session, username)
    if user.id == actor.user_id:
        raise ValidationFailed("add_signer_self", "不能给自己加签")
    if APPROVER not in user.roles:
        raise ValidationFailed("signer_not_approver", f"“{user.display_name}”不是审批人员，不能加签")
    reason = must_recuse(user.to_actor(), task, instance)
    if reason:
        raise ValidationFailed("handover_recusal", f"“{user.display_name}”须回避：{reason}")
    if user.id in signing:
        raise ValidationFailed("already_signer", f"“{user.display_name}”已在加签人员中")
    return user


def sign(
    ctx: EngineContext,
    session: Session,
    actor: Actor,
    task: Task,
    instance: Instance,
    open_rows: list[Task],
    *,
    decision: str | None,
    opinion: str | None,
) -> dict[str, Any]:
    """A signer's 同意 or 不同意, in the caller's transaction; the host goes on when the last has signed."""
    if decision not in SIGNER_DECISIONS:
        raise ValidationFailed("decision_not_allowed", "加签只能选择同意（approve）或不同意（reject）")
    text = (opinion or "").strip()
    if decision == Decision.REJECT and not text:
        raise ValidationFailed("opinion_required", "不同意时必须写明理由")
    host = next((row for row in open_rows if row.id == task.host_task_id), None)
    if host is None:
        raise NotFound("task_not_found", "加签的原任务已结束")
    now = utcnow()
    task.state, task.completed_at, task.completed_by = TaskStatus.COMPLETED, now, actor.user_id
    task.decision, task.opinion = decision, text[:2000] or None
    audit.record_unchanged(
        session,
        actor=actor.username,
        action="sign",
        instance=instance,
        task_id=task.id,
        details={"host": host.id, "position": task.sign_position, "decision": decision, "opinion": text[:500]},
    )
    pending = [r for r in open_rows if r.host_task_id == host.id and r is not task and r.state == TaskStatus.OPEN]
    held = host.awaiting == AFTER
    if held and decision == Decision.REJECT:
        for row in pending:
            row.state, row.completed_at = TaskStatus.CANCELLED, now
        _release(host)
        _tell_host(session, instance, host, f"{actor.display_name}不同意您的审批意见：{text}。请重新作出决定")
        return _result(ctx, session, instance)
    if pending:
        return _result(ctx, session, instance)
    if not held:
        _release(host)
        _tell_host(session, instance, host, "加签人员已全部办理，请作出决定")
        return _result(ctx, session, instance)
    decided, said, data = host.decision, host.opinion, dict(host.form_data or {})
    _release(host)
    owner = session.get(User, host.assignee_id)
    if owner is None:
        raise NotFound("user_not_found", "原办理人账号不存在")
    loaded = stepping.load(ctx, session, instance)
    loaded.open_rows = [row for row in open_rows if row.state == TaskStatus.OPEN]
    complete_task(ctx, session, owner.to_actor(), loaded, host, decision=decided, opinion=said, data=data)
    return views.step_result(session, loaded, ctx.calendar)


def _release(host: Task) -> None:
    """The host is its holder's again, with no decision waiting."""
    host.awaiting = None
    host.decision, host.opinion, host.form_data = None, None, None


def _tell_host(session: Session, instance: Instance, host: Task, text: str) -> None:
    recipient = f"user:{host.assignee_id}" if host.assignee_id else f"department:{host.department}"
    notify(session, recipient, instance.id, TASK_KIND, f"“{host.title}”（{_matter(instance)}）：{text}")


def _result(ctx: EngineContext, session: Session, instance: Instance) -> dict[str, Any]:
    session.flush()
    open_tasks = list(
        session.scalars(
            select(Task)
            .where(Task.instance_id == instance.id, Task.state == TaskStatus.OPEN)
            .order_by(Task.created_at, Task.id)
        )
    )
    return {
        **views.instance_summary(instance, ctx.calendar),
        "tasks": views.task_summaries(session, open_tasks, ctx.calendar, instance),
    }


def signers_of(session: Session, host: Task) -> list[dict[str, Any]]:
    """Everyone added to a task, with what they said: in the order added, then in the order they signed."""
    rows = sorted(
        session.scalars(select(Task).where(Task.host_task_id == host.id)),
        key=lambda r: (as_utc(r.created_at), r.completed_at is None, as_utc(r.completed_at or r.created_at), r.id),
    )
    names = views.people(session, {r.assignee_id for r in rows})
    return [
        {
            "task_id": r.id,
            "user": names.get(r.assignee_id or 0, (None, None))[0],
            "name": names.get(r.assignee_id or 0, (None, None))[1],
            "position": r.sign_position,
            "state": r.state,
            "decision": r.decision,
            "opinion": r.opinion,
            "at": stepping.iso(r.completed_at),
        }
        for r in rows
    ]


def signing_of(session: Session, task: Task) -> dict[str, Any] | None:
    """On a signer's task: whose step it is, who asked, how, and why."""
    if task.host_task_id is None:
        return None
    asked = dict(task.form_data or {})
    names = views.display_names(session, {str(asked.get("asked_by", ""))})
    return {
        "host_task_id": task.host_task_id,
        "position": task.sign_position,
        "label": POSITIONS.get(task.sign_position or "", ""),
        "asked_by": asked.get("asked_by"),
        "asked_by_name": names.get(str(asked.get("asked_by", ""))),
        "reason": asked.get("reason", ""),
    }

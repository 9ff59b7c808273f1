"""退回到任一环节 and 撤回: a matter goes back to a step already done.

Which steps, and why some are refused, is ``engine.rewind``'s business; here
are the people: who may return or recall, what their task rows keep as
history, whom the change is told to. Each is one transaction with its audit
event; the task rows the reset drops are closed and their holders told.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import rewind
from engine.context import EngineContext
from engine.models import Instance, Task
from engine.notifications import TASK_KIND, holder_of, matter_name, notify
from engine.services import stepping, views
from engine.services.access import lock_task_instance, refuse_unit_task, visible_task
from engine.services.completion import check_may_complete
from engine.services.handover import checked_opinion
from engine.vocabulary import FINAL_STATUSES, Decision, TaskStatus
from kernel import audit
from kernel.actors import Actor
from kernel.db import as_utc, utcnow
from kernel.errors import Conflict, Forbidden, ValidationFailed


def _may_return(ctx: EngineContext, session: Session, actor: Actor, task: Task, instance: Instance) -> None:
    if instance.status in FINAL_STATUSES:
        raise Conflict("instance_finished", "该事项已办结，不能再办理")
    check_may_complete(actor, task, instance)
    refuse_unit_task(task, "退回到其他环节")
    if task.host_task_id is not None:
        raise Conflict("added_signer", "加签人员只对本环节发表意见，不能将事项退回")
    info = ctx.specs.get(session, instance.definition_id).user_tasks.get(task.spec_name)
    if info is not None and info.assignee_item:
        raise Conflict("personal_seat", "表决席位只能表明本人意见，不能将事项退回；如有异议请投反对票并写明理由")


def _step_view(step: rewind.Step) -> dict[str, Any]:
    return {
        "step": step.name,
        "title": step.title,
        "department": step.department,
        "allowed": step.allowed,
        "reason": None if step.allowed else f"其后已办理“{step.blocked_by}”，登记已生效，不能退回到该环节",
    }


def return_steps(ctx: EngineContext, actor: Actor, task_id: str) -> list[dict[str, Any]]:
    """The steps the holder of an open task may return the matter to, nearest first."""
    with ctx.reading() as session:
        task, instance = visible_task(session, actor, task_id)
        _may_return(ctx, session, actor, task, instance)
        loaded = stepping.load(ctx, session, instance)
        try:
            spiff_task = loaded.workflow.tasks.get(UUID(task.id))
            found = rewind.earlier_steps(loaded.compiled, spiff_task, ctx.services) if spiff_task else []
        finally:
            ctx.store.remember(instance.id, instance.row_version, loaded.live)  # only read: keep it cached
        return [_step_view(step) for step in found]


def return_to(ctx: EngineContext, actor: Actor, task_id: str, *, step: str, opinion: str | None) -> dict[str, Any]:
    """退回到任一环节: the matter goes back to ``step``, done before on this task's path; what followed
    it runs again. The returning task is done, with the reason and where it sent the matter."""
    text = checked_opinion(opinion, required="请写明退回理由")
    with ctx.transaction() as session:
        task, instance, open_rows = lock_task_instance(session, actor, task_id)
        _may_return(ctx, session, actor, task, instance)
        loaded = stepping.load(ctx, session, instance)
        loaded.open_rows = open_rows
        spiff_task = stepping.ready_spiff_task(loaded, task.id)
        target = next(
            (s for s in rewind.earlier_steps(loaded.compiled, spiff_task, ctx.services) if s.name == step), None
        )
        if target is None:
            raise ValidationFailed("return_step_unknown", "只能退回到本事项当前环节之前已经办理过的环节")
        if not target.allowed:
            raise Conflict("return_crosses_register", str(_step_view(target)["reason"]))
        task.state, task.completed_at, task.completed_by = TaskStatus.COMPLETED, utcnow(), actor.user_id
        task.assignee_id = task.assignee_id or actor.user_id
        task.decision, task.opinion = Decision.RETURN_TO, text
        task.form_data = {"return_to": target.name, "return_to_title": target.title}
        status_before = instance.status
        rewind.reset_to(loaded.workflow, target.task)
        stepping.advance(ctx, session, loaded, actor=actor.username)
        _tell_dropped(session, actor, instance, open_rows, skip=task, why=f"退回到“{target.title}”")
        audit.record(
            session,
            actor=actor.username,
            action="return_to",
            instance_id=instance.id,
            task_id=task.id,
            status_before=status_before,
            status_after=instance.status,
            opinion=text,
            details={"task": task.title, "step": target.name, "to": target.title},
        )
        return views.step_result(session, loaded, ctx.calendar)


def recall(ctx: EngineContext, actor: Actor, task_id: str, *, opinion: str | None) -> dict[str, Any]:
    """撤回: the approver takes back a decision while what followed has not acted; the task is theirs
    again, on its old time limit (a recall buys no time). The recalled row stays as history."""
    text = checked_opinion(opinion)
    with ctx.transaction() as session:
        task, instance, open_rows = lock_task_instance(session, actor, task_id)
        _may_recall(actor, task, instance)
        loaded = stepping.load(ctx, session, instance)
        loaded.open_rows = open_rows
        spiff_task = loaded.workflow.tasks.get(UUID(task.id))
        _nothing_acted_since(ctx, session, task, instance, open_rows, spiff_task)
        task.state = TaskStatus.RECALLED
        status_before = instance.status
        rewind.reset_to(loaded.workflow, spiff_task)
        stepping.advance(ctx, session, loaded, actor=actor.username, notify=False)
        reopened = next(row for row in loaded.open_tasks if row.id == str(spiff_task.id))
        reopened.assignee_id, reopened.on_behalf_of = actor.user_id, None
        reopened.created_at, reopened.due_at = task.created_at, task.due_at
        _tell_dropped(session, actor, instance, open_rows, skip=task, why=f"撤回了“{task.title}”的决定")
        audit.record(
            session,
            actor=actor.username,
            action="recall",
            instance_id=instance.id,
            task_id=task.id,
            status_before=status_before,
            status_after=instance.status,
            opinion=text or None,
            details={"task": task.title, "decision": task.decision, "reopened": reopened.id},
        )
        session.flush()
        return views.task_summaries(session, [reopened], ctx.calendar, instance)[0]


def _may_recall(actor: Actor, task: Task, instance: Instance) -> None:
    if instance.status in FINAL_STATUSES:
        raise Conflict("instance_finished", "该事项已办结，不能撤回")
    if task.state == TaskStatus.OPEN:
        raise Conflict("task_not_decided", "该任务尚未办理，无需撤回")
    if task.state == TaskStatus.RECALLED:
        raise Conflict("task_already_recalled", "该决定已经撤回")
    if task.state != TaskStatus.COMPLETED or task.completed_by != actor.user_id:
        raise Forbidden("not_your_decision", "只能撤回本人作出的决定")
    if task.role == "applicant":
        raise Conflict("applicant_task", "申请材料提交后不能撤回；如需修改，请撤回整个申请或等待退回补正")
    if task.host_task_id is not None:
        raise Conflict("added_signer", "加签意见提交后不能撤回")


def _nothing_acted_since(
    ctx: EngineContext, session: Session, task: Task, instance: Instance, open_rows: list[Task], spiff_task: Any
) -> None:
    """A decision may be taken back only while it is the last word: no task opened since it was made
    has been decided, every such task is still open and dropped by the reset (not one that continues
    from a join it took part in), and no register write followed it. A parallel colleague's task,
    open before the decision, is not affected."""
    if spiff_task is None or task.completed_at is None:
        raise Conflict("recall_too_late", "该决定之后事项已经变化（已退回或重新办理），不能撤回")
    decided_since = session.scalars(
        select(Task.title)
        .where(
            Task.instance_id == instance.id,
            Task.state == TaskStatus.COMPLETED,
            Task.created_at >= task.completed_at,
            Task.completed_at > task.completed_at,
        )
        .limit(1)
    ).first()
    if decided_since is not None:
        raise Conflict("recall_too_late", f"“{decided_since}”已经办理，不能撤回")
    after = {str(t.id) for t in spiff_task}
    decided = as_utc(task.completed_at)
    if any(row.id not in after and as_utc(row.created_at) >= decided for row in open_rows):
        raise Conflict(
            "recall_not_possible", "该决定已与其他部门或人员的结论汇合，不能单独撤回；如需改变，请由下一环节退回"
        )
    written = rewind.register_write_in(spiff_task, ctx.services)
    if written is not None:
        raise Conflict("recall_crosses_register", f"该决定之后已办理“{written}”，登记已生效，不能撤回")


def _tell_dropped(
    session: Session, actor: Actor, instance: Instance, rows: list[Task], *, skip: Task, why: str
) -> None:
    """Whoever held a task the reset dropped learns it left their inbox, and why."""
    for row in rows:
        if row is skip or row.state != TaskStatus.CANCELLED:
            continue
        notify(
            session,
            holder_of(row, instance),
            instance.id,
            TASK_KIND,
            f"{actor.display_name}{why}，“{row.title}”（{matter_name(instance.title, instance.number)}）暂不需办理",
        )

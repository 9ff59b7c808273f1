"""Who may see what. Invisible objects are reported exactly like absent ones (404)."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, exists, or_, select, true
from sqlalchemy.orm import Session, aliased

from engine.models import CarbonCopy, Instance, Task
from engine.vocabulary import TaskStatus
from kernel.actors import APPLICANT, UNIT_ROLE, UNITS_DEPARTMENTS, Actor
from kernel.errors import Conflict, Forbidden, NotFound

# Aliased: a caller's query may join Task itself. Built once: building an
# alias per request costs more than the query it serves.
involved = aliased(Task, name="involved_task")


def instance_visibility(actor: Actor) -> ColumnElement[bool]:
    """SQL condition on ``Instance`` selecting what ``actor`` may see."""
    if actor.is_admin:
        return true()
    clauses: list[ColumnElement[bool]] = []
    if actor.is_applicant:
        clauses.append(Instance.unit_code == actor.unit_code)
        # another unit's matter that asked this unit to decide a step (调出单位同意调出)
        clauses.append(exists().where(involved.instance_id == Instance.id, involved.unit_code == actor.unit_code))
    if actor.departments:
        clauses.append(exists().where(involved.instance_id == Instance.id, involved.department.in_(actor.departments)))
    clauses.append(exists().where(involved.instance_id == Instance.id, involved.assignee_id == actor.user_id))
    clauses.append(Instance.created_by == actor.user_id)  # a matter a department opened for a unit
    copied_to = [f"user:{actor.user_id}", *(f"department:{d}" for d in sorted(actor.departments))]
    clauses.append(exists().where(CarbonCopy.instance_id == Instance.id, CarbonCopy.recipient.in_(copied_to)))
    return or_(*clauses)


def task_inbox_condition(actor: Actor) -> ColumnElement[bool]:
    """SQL condition on ``Task`` (joined with ``Instance``) for the actor's inbox:
    tasks assigned to the actor, and unassigned tasks of their departments and roles
    (a task a colleague claimed, or a countersign seat of another member, is theirs)."""
    clauses: list[ColumnElement[bool]] = [Task.assignee_id == actor.user_id]
    if actor.departments:
        # Recusal (回避): a department's task of a matter the actor started, or their own unit applied for,
        # stays with their colleagues.
        own: list[ColumnElement[bool]] = [Instance.created_by != actor.user_id]
        if actor.unit_code is not None:
            own.append(Instance.unit_code != actor.unit_code)
        clauses.append(
            and_(
                Task.department.in_(actor.departments),
                Task.role.in_(actor.roles),
                Task.assignee_id.is_(None),
                *own,
            )
        )
    if actor.is_applicant:
        clauses.append(and_(Task.department.in_(UNITS_DEPARTMENTS), Task.unit_code == actor.unit_code))
    return or_(*clauses)


def visible_instance(session: Session, actor: Actor, instance_id: str) -> Instance:
    query = select(Instance).where(Instance.id == instance_id, instance_visibility(actor))
    instance = session.scalars(query).first()
    if instance is None:
        raise NotFound("instance_not_found", "事项不存在或无权查看")
    return instance


def visible_task(session: Session, actor: Actor, task_id: str) -> tuple[Task, Instance]:
    task = session.get(Task, task_id)
    if task is None:
        raise NotFound("task_not_found", "任务不存在或无权查看")
    try:
        instance = visible_instance(session, actor, task.instance_id)
    except NotFound:
        raise NotFound("task_not_found", "任务不存在或无权查看") from None
    return task, instance


def lock_task_instance(session: Session, actor: Actor, task_id: str) -> tuple[Task, Instance, list[Task]]:
    """A visible task, its instance (row locked for this step) and the instance's open tasks.

    Locked first, read after: once the lock is held, the task rows read here are
    the latest committed ones (PostgreSQL row lock; SQLite has one writer). The
    task and the open ones come in one query, which the step reuses.
    """
    query = (
        select(Instance)
        .join(Task, Task.instance_id == Instance.id)
        .where(Task.id == task_id, instance_visibility(actor))
        .with_for_update(of=Instance)
        .execution_options(populate_existing=True)
    )
    instance = session.scalars(query).first()
    if instance is None:
        raise NotFound("task_not_found", "任务不存在或无权查看")
    rows = session.scalars(
        select(Task)
        .where(Task.instance_id == instance.id, or_(Task.state == TaskStatus.OPEN, Task.id == task_id))
        .execution_options(populate_existing=True)
    ).all()
    task = next((row for row in rows if row.id == task_id), None)
    if task is None:
        raise NotFound("task_not_found", "任务不存在或无权查看")
    return task, instance, [row for row in rows if row.state == TaskStatus.OPEN]


def lock_instance(session: Session, instance: Instance) -> None:
    """Queue writers of one instance (PostgreSQL row lock; SQLite has one writer anyway)
    and re-read the row, so the step starts from the latest committed state."""
    session.execute(select(Instance.id).where(Instance.id == instance.id).with_for_update())
    session.refresh(instance)


def must_recuse(actor: Actor, task: Task, instance: Instance) -> str | None:
    """Separation of duties (回避): nobody decides a step of a matter they started
    or that their own unit applied for; the applicant's own step is theirs. The reason, if so."""
    return recusal_reason(actor, task.role, instance)


def recusal_reason(actor: Actor, role: str, instance: Instance) -> str | None:
    """``must_recuse`` for a step of ``role`` (before its task exists)."""
    if role == "applicant":
        return None
    if instance.created_by == actor.user_id:
        return "您是该事项的申请人，依回避规定不能审批本事项"
    if actor.unit_code is not None and actor.unit_code == instance.unit_code:
        return "该事项由您所在单位申请，依回避规定不能审批本事项"
    return None


def of_actors_unit(actor: Actor, task: Task) -> bool:
    """A unit's task is for that unit's clerks only (the matter's unit for its submission, the named
    unit for its decision on another unit's matter); a department's task is not a unit's."""
    return task.department not in UNITS_DEPARTMENTS or task.unit_code == actor.unit_code


def check_unit(actor: Actor, task: Task) -> None:
    if not of_actors_unit(actor, task):
        raise Forbidden("not_your_unit", "该任务应由其他单位办理")


def refuse_unit_task(task: Task, doing: str) -> None:
    """A unit's own step is not passed on, returned elsewhere or signed by others: the applicant's
    submission (补正) and another unit's decision (调出单位同意调出) alike."""
    if task.role == APPLICANT:
        raise Conflict("applicant_task", f"补正环节由申请单位办理，不能{doing}")
    if task.role == UNIT_ROLE:
        raise Conflict("unit_task", f"单位意见环节由该单位经办人办理，不能{doing}")


def check_recusal(actor: Actor, task: Task, instance: Instance) -> None:
    reason = must_recuse(actor, task, instance)
    if reason:
        raise Forbidden("recusal_required", reason)

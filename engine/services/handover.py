"""Passing work on without deciding it: 转办 (transfer), 委派 (delegate) and its return,
抄送 (copy), 催办 (urge).

None of these moves the workflow: they change who holds a task, who may read
a matter, or who is reminded. Each is one transaction with its audit event
and the notifications it owes (notifications are rows, written in the same
transaction).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.context import EngineContext
from engine.models import CarbonCopy, Instance, Task
from engine.notifications import COPY_KIND, TASK_KIND, URGE_KIND, holder_of, matter_name, notify
from engine.services import deputies, views
from engine.services.access import lock_task_instance, must_recuse, refuse_unit_task, visible_instance
from engine.services.completion import check_may_complete
from engine.vocabulary import FINAL_STATUSES, TaskStatus
from kernel import audit, throttle
from kernel.accounts import Department, User, active_user_named
from kernel.actors import APPROVER, Actor
from kernel.errors import Conflict, Forbidden, NotFound, TooManyRequests, ValidationFailed

MAX_OPINION = 500
MAX_COPIES = 20
URGE_WINDOW = timedelta(hours=4)


def checked_opinion(opinion: str | None, *, required: str | None = None) -> str:
    """An operation's opinion, stripped; refused when required and empty, or longer than MAX_OPINION."""
    text = (opinion or "").strip()
    if required and not text:
        raise ValidationFailed("opinion_required", required)
    if len(text) > MAX_OPINION:
        raise ValidationFailed("opinion_too_long", f"意见不能超过{MAX_OPINION}字")
    return text


def _matter(instance: Instance) -> str:
    return matter_name(instance.title, instance.number)


def _held(session: Session, actor: Actor, task_id: str) -> tuple[Task, Instance]:
    """The task the actor holds now (claimed by them, or theirs to claim), under the matter's lock."""
    task, instance, _open = lock_task_instance(session, actor, task_id)
    if instance.status in FINAL_STATUSES:
        raise Conflict("instance_finished", "该事项已办结，不能再办理")
    check_may_complete(actor, task, instance)
    refuse_unit_task(task, "转办、委派或抄送")
    return task, instance


def _not_a_seat(ctx: EngineContext, session: Session, task: Task, instance: Instance) -> None:
    """A seat meant for one person (an 编委 vote) is theirs to cast: not transferred, not delegated;
    nor is a task one was added to as a signer (加签)."""
    if task.host_task_id is not None:
        raise Conflict("added_signer", "加签任务由被加签人本人办理，不能再加签、转办或委派")
    info = ctx.specs.get(session, instance.definition_id).user_tasks.get(task.spec_name)
    if info is not None and info.assignee_item:
        raise Conflict("personal_seat", "该表决席位属于本人，不能转办或委派；不在岗时请设置代理")


def _colleague(session: Session, actor: Actor, task: Task, instance: Instance, username: str) -> User:
    """Someone who could decide this task in the actor's place (same department and role, no recusal)."""
    user = active_user_named(session, username)
    if user.id == actor.user_id:
        raise ValidationFailed("handover_to_self", "不能转交给自己")
    if not user.to_actor().can_act_for(task.department, task.role):
        raise ValidationFailed("handover_outside_department", f"“{user.display_name}”不是本环节所属部门的审批人员")
    _no_recusal(user, task, instance)
    return user


def _no_recusal(user: User, task: Task, instance: Instance) -> None:
    reason = must_recuse(user.to_actor(), task, instance)
    if reason:
        raise ValidationFailed("handover_recusal", f"“{user.display_name}”须回避：{reason}")


def transfer(ctx: EngineContext, actor: Actor, task_id: str, *, to: str, opinion: str | None) -> dict[str, Any]:
    """转办: the task becomes ``to``'s (a colleague of the same department); the actor is done with it."""
    with ctx.transaction() as session:
        task, instance = _held(session, actor, task_id)
        _not_a_seat(ctx, session, task, instance)
        user = _colleague(session, actor, task, instance, to)
        text = checked_opinion(opinion)
        task.assignee_id, task.on_behalf_of = user.id, None
        deputy = deputies.stand_in(session, user.id, task.department, task.role, instance)
        if deputy is not None:  # 代理: the colleague is away; their deputy takes it on their behalf
            task.assignee_id, task.on_behalf_of = deputy, user.id
        audit.record_unchanged(
            session,
            actor=actor.username,
            action="transfer",
            instance=instance,
            task_id=task.id,
            details={"to": user.username, "opinion": text},
        )
        notify(
            session,
            f"user:{task.assignee_id}",
            instance.id,
            TASK_KIND,
            f"{actor.display_name}将“{task.title}”（{_matter(instance)}）转办给"
            + ("您" if deputy is None else f"{user.display_name}，由您代理")
            + (f"：{text}" if text else ""),
        )
        return views.task_summaries(session, [task], ctx.calendar, instance)[0]


def delegate(ctx: EngineContext, actor: Actor, task_id: str, *, to: str, opinion: str | None) -> dict[str, Any]:
    """委派: ``to`` (any approver who need not recuse) handles the task and gives it back with their
    opinion; the actor decides afterwards."""
    with ctx.transaction() as session:
        task, instance = _held(session, actor, task_id)
        _not_a_seat(ctx, session, task, instance)
        user = active_user_named(session, to)
        if user.id == actor.user_id:
            raise ValidationFailed("handover_to_self", "不能委派给自己")
        if APPROVER not in user.roles:
            raise ValidationFailed("delegate_not_approver", f"“{user.display_name}”不是审批人员，不能受托办理")
        _no_recusal(user, task, instance)
        text = checked_opinion(opinion, required="请写明委派事项（需要受托人办理什么）")
        task.owner_id, task.assignee_id = actor.user_id, user.id
        audit.record_unchanged(
            session,
            actor=actor.username,
            action="delegate",
            instance=instance,
            task_id=task.id,
            details={"to": user.username, "opinion": text},
        )
        notify(
            session,
            f"user:{user.id}",
            instance.id,
            TASK_KIND,
            f"{actor.display_name}委派您办理“{task.title}”（{_matter(instance)}）：{text}",
        )
        return views.task_summaries(session, [task], ctx.calendar, instance)[0]


def resolve(ctx: EngineContext, actor: Actor, task_id: str, *, opinion: str | None) -> dict[str, Any]:
    """The delegate hands the task back to its owner with their opinion; the owner decides."""
    with ctx.transaction() as session:
        task, instance, _open = lock_task_instance(session, actor, task_id)
        if task.state != TaskStatus.OPEN:
            raise Conflict("task_already_completed", "该任务已办理完毕")
        if task.owner_id is None:
            raise Conflict("task_not_delegated", "该任务没有委派，无需回复")
        if task.assignee_id != actor.user_id:
            raise Forbidden("not_your_task", "只有受托人可以办理委派并交回")
        text = checked_opinion(opinion, required="请填写办理意见后交回委派人")
        owner = task.owner_id
        task.assignee_id, task.owner_id = owner, None
        audit.record_unchanged(
            session,
            actor=actor.username,
            action="delegate_resolved",
            instance=instance,
            task_id=task.id,
            details={"opinion": text},
        )
        notify(
            session,
            f"user:{owner}",
            instance.id,
            TASK_KIND,
            f"{actor.display_name}已办理您委派的“{task.title}”（{_matter(instance)}）：{text}",
        )
        return views.task_summaries(session, [task], ctx.calendar, instance)[0]


def copy(ctx: EngineContext, actor: Actor, task_id: str, *, users: list[str], departments: list[str]) -> dict[str, Any]:
    """抄送/知会: people or departments may read the matter and are told so; nobody gets a task.
    Copying twice to the same recipient informs them once."""
    wanted_users, wanted_departments = list(dict.fromkeys(users)), list(dict.fromkeys(departments))
    if not wanted_users and not wanted_departments:
        raise ValidationFailed("copy_empty", "请选择抄送的人员或部门")
    if len(wanted_users) + len(wanted_departments) > MAX_COPIES:
        raise ValidationFailed("copy_too_many", f"一次最多抄送{MAX_COPIES}个人员或部门")
    with ctx.transaction() as session:
        task, instance = _held(session, actor, task_id)
        recipients: dict[str, str] = {}
        for username in wanted_users:
            user = active_user_named(session, username)
            if user.id == actor.user_id:
                raise ValidationFailed("copy_to_self", "不能抄送给自己")
            recipients[f"user:{user.id}"] = user.display_name
        for code in wanted_departments:
            department = session.get(Department, code)
            if department is None:
                raise ValidationFailed("unknown_department", f"没有代码为“{code}”的部门")
            recipients[f"department:{code}"] = department.name
        already = set(
            session.scalars(
                select(CarbonCopy.recipient).where(
                    CarbonCopy.instance_id == instance.id, CarbonCopy.recipient.in_(recipients)
                )
            )
        )
        added = [r for r in recipients if r not in already]
        for recipient in added:
            session.add(
                CarbonCopy(instance_id=instance.id, recipient=recipient, task_id=task.id, copied_by=actor.user_id)
            )
            notify(
                session,
                recipient,
                instance.id,
                COPY_KIND,
                f"{actor.display_name}将{_matter(instance)}抄送给您（“{task.title}”环节），请知悉",
            )
        audit.record_unchanged(
            session,
            actor=actor.username,
            action="copy",
            instance=instance,
            task_id=task.id,
            details={"to": [recipients[r] for r in added], "already": [recipients[r] for r in already]},
        )
        return {
            "task_id": task.id,
            "copied": [recipients[r] for r in added],
            "already": sorted(recipients[r] for r in already),
        }


def urge(ctx: EngineContext, actor: Actor, instance_id: str, *, opinion: str | None) -> dict[str, Any]:
    """催办: remind whoever holds the matter's open steps. Once per person and matter every four
    hours (429 with the wait); nobody urges a step they hold themselves."""
    with ctx.transaction() as session:
        instance = visible_instance(session, actor, instance_id)
        if instance.status in FINAL_STATUSES:
            raise Conflict("instance_finished", "该事项已办结，无需催办")
        open_tasks = list(
            session.scalars(
                select(Task)
                .where(Task.instance_id == instance.id, Task.state == TaskStatus.OPEN)
                .order_by(Task.created_at)
            )
        )
        others = [
            t
            for t in open_tasks
            if t.assignee_id != actor.user_id
            and not (t.assignee_id is None and actor.can_act_for(t.department, t.role))
        ]
        if not others:
            raise Conflict("nothing_to_urge", "当前没有可催办的环节（待办在您自己手中或事项正等待补正）")
        text = checked_opinion(opinion)
        wait = throttle.spend(session, "urge", f"{actor.user_id}:{instance.id}", limit=1, window=URGE_WINDOW)
        if wait is not None:
            hours, minutes = divmod((wait + 59) // 60, 60)
            later = f"{hours}小时{minutes}分钟" if hours else f"{minutes}分钟"
            raise TooManyRequests("urge_too_often", f"您刚催办过该事项，请{later}后再催办", retry_after=wait)
        told: list[str] = []
        for task in others:
            recipient = holder_of(task, instance)
            notify(
                session,
                recipient,
                instance.id,
                URGE_KIND,
                f"{actor.display_name}催办“{task.title}”（{_matter(instance)}），请尽快办理"
                + (f"：{text}" if text else ""),
            )
            told.append(task.title)
        audit.record_unchanged(
            session, actor=actor.username, action="urge", instance=instance, details={"steps": told, "opinion": text}
        )
        return {"instance_id": instance.id, "urged": told}


def copied_to(session: Session, instance_id: str) -> list[str]:
    """Who a matter was copied to, as notifications name them (``user:7``, ``department:zuzhi``)."""
    return list(
        session.scalars(
            select(CarbonCopy.recipient).where(CarbonCopy.instance_id == instance_id).order_by(CarbonCopy.id)
        )
    )


def delegation_of(session: Session, task: Task) -> dict[str, Any] | None:
    """While a task is delegated: who owns it and what they asked."""
    if task.owner_id is None:
        return None
    owner = session.get(User, task.owner_id)
    asked = session.scalar(
        select(audit.AuditEvent.details)
        .where(audit.AuditEvent.task_id == task.id, audit.AuditEvent.action == "delegate")
        .order_by(audit.AuditEvent.id.desc())
        .limit(1)
    )
    if owner is None:
        raise NotFound("user_not_found", "委派人账号不存在")
    return {"owner": owner.username, "owner_name": owner.display_name, "opinion": (asked or {}).get("opinion", "")}


def choices(ctx: EngineContext, actor: Actor, task: dict[str, Any]) -> dict[str, list[dict[str, str]]]:
    """Whom the task page offers: colleagues for 转办, approvers for 委派, people and departments for 抄送.
    (A recusal is checked when the choice is made, with its reason.)"""
    with ctx.reading() as session:
        departments = {d.code: d.name for d in session.scalars(select(Department).order_by(Department.code))}
        people = [
            u.to_actor()
            for u in session.scalars(select(User).where(User.active.is_(True)).order_by(User.username))
            if u.id != actor.user_id and APPROVER in u.roles
        ]

    def entry(person: Actor) -> dict[str, str]:
        where = "、".join(departments.get(d, d) for d in sorted(person.departments))
        return {
            "username": person.username,
            "name": f"{person.display_name}（{where}）" if where else person.display_name,
        }

    return {
        "colleagues": [entry(p) for p in people if p.can_act_for(task["department"], task["role"])],
        "approvers": [entry(p) for p in people],
        "departments": [{"code": c, "name": n} for c, n in departments.items() if c != "applicant"],
    }

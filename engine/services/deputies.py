"""代理: while an approver is away, the tasks meant for them go to the deputy they named.

What is routed: a task created for that person (a multi-instance seat such as an 编委 vote) and a
task transferred to them (转办). A department's pool tasks are the department's, not a person's,
so they stay where colleagues see them. The deputy must be able to act for the task's department
and must not need to recuse; otherwise the task stays with the person it was meant for.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.context import EngineContext
from engine.models import Absence, Instance
from engine.services.access import recusal_reason
from kernel import audit, clock
from kernel.accounts import User, active_user_named
from kernel.actors import APPROVER, Actor
from kernel.errors import Forbidden, NotFound, ValidationFailed

LONGEST = timedelta(days=366)


def _view(session: Session, absence: Absence) -> dict[str, Any]:
    deputy = session.get_one(User, absence.deputy_id)
    today = clock.today()
    return {
        "deputy": deputy.username,
        "deputy_name": deputy.display_name,
        "from": absence.starts_on.isoformat(),
        "to": absence.ends_on.isoformat(),
        "active": absence.starts_on <= today <= absence.ends_on,
    }


def _approver(actor: Actor) -> None:
    if APPROVER not in actor.roles:
        raise Forbidden("approver_only", "只有审批人员可以设置代理")


def get_deputy(ctx: EngineContext, actor: Actor) -> dict[str, Any] | None:
    with ctx.reading() as session:
        absence = session.get(Absence, actor.user_id)
        return _view(session, absence) if absence is not None else None


def set_deputy(ctx: EngineContext, actor: Actor, *, deputy: str, starts_on: date, ends_on: date) -> dict[str, Any]:
    """Name a deputy for the days away (replacing an earlier setting)."""
    _approver(actor)
    if ends_on < starts_on:
        raise ValidationFailed("invalid_period", "结束日期不能早于开始日期")
    if ends_on < clock.today():
        raise ValidationFailed("invalid_period", "代理期间已经过去")
    if ends_on - starts_on > LONGEST:
        raise ValidationFailed("invalid_period", "代理期间最长一年")
    with ctx.transaction() as session:
        user = active_user_named(session, deputy)
        if user.id == actor.user_id:
            raise ValidationFailed("deputy_self", "不能指定自己为代理人")
        if APPROVER not in user.roles or not set(user.departments) & actor.departments:
            raise ValidationFailed("deputy_outside_department", f"“{user.display_name}”不是本部门的审批人员，不能代理")
        absence = session.get(Absence, actor.user_id) or Absence(user_id=actor.user_id)
        absence.deputy_id, absence.starts_on, absence.ends_on = user.id, starts_on, ends_on
        absence.set_at = clock.now()
        session.add(absence)
        session.flush()
        audit.record(
            session,
            actor=actor.username,
            action="deputy_set",
            details={"deputy": user.username, "from": starts_on.isoformat(), "to": ends_on.isoformat()},
        )
        return _view(session, absence)


def clear_deputy(ctx: EngineContext, actor: Actor) -> None:
    with ctx.transaction() as session:
        absence = session.get(Absence, actor.user_id)
        if absence is None:
            raise NotFound("deputy_not_set", "尚未设置代理")
        session.delete(absence)
        audit.record(session, actor=actor.username, action="deputy_cleared")


def stand_in(session: Session, user_id: int, department: str, role: str, instance: Instance) -> int | None:
    """The deputy who takes a task meant for ``user_id`` today, if that person is away and the deputy
    may take it; else None."""
    absence = session.get(Absence, user_id)
    today = clock.today()
    if absence is None or not absence.starts_on <= today <= absence.ends_on:
        return None
    deputy = session.get(User, absence.deputy_id)
    if deputy is None or not deputy.active:
        return None
    stand = deputy.to_actor()
    if not stand.can_act_for(department, role) or recusal_reason(stand, role, instance):
        return None
    return deputy.id


def candidates(ctx: EngineContext, actor: Actor) -> list[dict[str, str]]:
    """Who may stand in for the actor: active approvers of one of their departments."""
    with ctx.reading() as session:
        users = session.scalars(select(User).where(User.active.is_(True)).order_by(User.username))
        return [
            {"username": u.username, "name": u.display_name}
            for u in users
            if u.id != actor.user_id and APPROVER in u.roles and set(u.departments) & actor.departments
        ]

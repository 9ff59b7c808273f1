"""Administering accounts: who may sign in, with which roles, for which
departments or unit. Every change is one audited transaction.

Two guards keep the platform administrable: an administrator cannot take the
administrator role from, or deactivate, their own account. A deactivated
account or a reset password ends every open session of that user at once.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from engine.context import EngineContext
from engine.services.views import display_names
from kernel import audit, throttle
from kernel.accounts import (
    ApiToken,
    Department,
    User,
    check_password,
    check_separation_of_duties,
    create_user,
    set_password,
)
from kernel.actors import ADMIN, APPLICANT, APPROVER, ROLES, Actor
from kernel.db import utcnow
from kernel.errors import Conflict, Forbidden, NotFound, ValidationFailed

USERNAME = re.compile(r"^[a-z][a-z0-9_.-]{2,63}$")


def names_of(ctx: EngineContext, usernames: set[str]) -> dict[str, str]:
    """People's names for the usernames a record keeps (an archived dossier's audit trail)."""
    with ctx.reading() as session:
        return display_names(session, usernames)


def _admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise Forbidden("admin_only", "只有管理员可以管理用户与角色")


def _view(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "username": user.username,
        "display_name": user.display_name,
        "roles": sorted(user.roles),
        "departments": sorted(user.departments),
        "unit_code": user.unit_code,
        "active": user.active,
    }


def list_users(ctx: EngineContext, actor: Actor) -> list[dict[str, Any]]:
    _admin(actor)
    with ctx.reading() as session:
        return [_view(u) for u in session.scalars(select(User).order_by(User.username))]


def list_departments(ctx: EngineContext, actor: Actor) -> list[dict[str, str]]:
    """The departments an account may be given."""
    _admin(actor)
    with ctx.reading() as session:
        return [{"code": d.code, "name": d.name} for d in session.scalars(select(Department).order_by(Department.code))]


def get_user(ctx: EngineContext, actor: Actor, user_id: int) -> dict[str, Any]:
    _admin(actor)
    with ctx.reading() as session:
        user = _user(session, user_id)
        locked_until = throttle.blocked_until(session, throttle.ACCOUNT, user.username)
        return {**_view(user), "locked_until": locked_until.isoformat() if locked_until else None}


def unlock_user(ctx: EngineContext, actor: Actor, user_id: int) -> dict[str, Any]:
    """Lift the sign-in lock of an account and forget its failed tries."""
    _admin(actor)
    with ctx.transaction() as session:
        user = _user(session, user_id)
        throttle.clear(session, throttle.ACCOUNT, user.username)
        audit.record(session, actor=actor.username, action="login_unlocked", details={"username": user.username})
        return {**_view(user), "locked_until": None}


def _user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("user_not_found", "用户不存在")
    return user


def _check_grant(
    ctx: EngineContext, session: Session, roles: list[str], departments: list[str], unit_code: str | None
) -> None:
    """The roles must exist, departments must be known, and an applicant belongs to a registered unit."""
    if not roles:
        raise ValidationFailed(
            "roles_required", "至少选择一个角色", [{"field": "roles", "message": "至少选择一个角色"}]
        )
    unknown = set(roles) - ROLES
    if unknown:
        raise ValidationFailed("unknown_role", f"未知角色：{'、'.join(sorted(unknown))}")
    known = set(session.scalars(select(Department.code)))
    missing = set(departments) - known
    if missing:
        raise ValidationFailed("unknown_department", f"未知部门：{'、'.join(sorted(missing))}")
    check_separation_of_duties(roles)
    if APPLICANT in roles and not unit_code:
        message = "申请单位经办人必须填写所属单位代码"
        raise ValidationFailed("unit_required", message, [{"field": "unit_code", "message": message}])
    if unit_code and ctx.unit_known is not None and not ctx.unit_known(session, unit_code):
        message = f"单位代码“{unit_code}”不在实名制登记的单位中"
        raise ValidationFailed("unknown_unit", message, [{"field": "unit_code", "message": message}])
    if APPROVER in roles and not departments:
        message = "审批人员必须选择所在部门"
        raise ValidationFailed("department_required", message, [{"field": "departments", "message": message}])


def add_user(
    ctx: EngineContext,
    actor: Actor,
    *,
    username: str,
    display_name: str,
    password: str,
    roles: list[str],
    departments: list[str],
    unit_code: str | None,
) -> dict[str, Any]:
    _admin(actor)
    if not USERNAME.match(username):
        message = "用户名应以小写字母开头，由 3–64 位小写字母、数字、点、下划线或连字符组成"
        raise ValidationFailed("invalid_username", message, [{"field": "username", "message": message}])
    if not display_name.strip():
        raise ValidationFailed("name_required", "请填写姓名", [{"field": "display_name", "message": "请填写姓名"}])
    check_password(password)
    with ctx.transaction() as session:
        if session.scalars(select(User.id).where(User.username == username)).first() is not None:
            message = "该用户名已被使用"
            raise Conflict("username_taken", message, [{"field": "username", "message": message}])
        _check_grant(ctx, session, roles, departments, unit_code)
        user = create_user(
            session,
            username=username,
            password=password,
            display_name=display_name.strip(),
            roles=roles,
            departments=departments,
            unit_code=unit_code or None,
        )
        view = _view(user)
        audit.record(session, actor=actor.username, action="user_added", details=_public(view))
        return view


def change_user(
    ctx: EngineContext,
    actor: Actor,
    user_id: int,
    *,
    display_name: str,
    roles: list[str],
    departments: list[str],
    unit_code: str | None,
    active: bool,
) -> dict[str, Any]:
    _admin(actor)
    with ctx.transaction() as session:
        user = _user(session, user_id)
        if user.id == actor.user_id and (ADMIN not in roles or not active):
            raise Conflict("self_lockout", "不能停用自己的账号或取消自己的管理员角色")
        _check_grant(ctx, session, roles, departments, unit_code)
        before = _view(user)
        user.display_name = display_name.strip() or user.display_name
        user.roles, user.departments, user.unit_code, user.active = (
            sorted(roles),
            sorted(departments),
            unit_code or None,
            active,
        )
        if not active:
            _revoke_sessions(session, user.id)
        after = _view(user)
        changed = {k: {"from": before[k], "to": after[k]} for k in after if before[k] != after[k]}
        audit.record(
            session, actor=actor.username, action="user_changed", details={"username": user.username, **changed}
        )
        return after


def reset_password(ctx: EngineContext, actor: Actor, user_id: int, password: str) -> dict[str, Any]:
    _admin(actor)
    check_password(password)
    with ctx.transaction() as session:
        user = _user(session, user_id)
        set_password(user, password)
        _revoke_sessions(session, user.id)
        throttle.clear(session, throttle.ACCOUNT, user.username)
        audit.record(session, actor=actor.username, action="password_reset", details={"username": user.username})
        return _view(user)


def _revoke_sessions(session: Session, user_id: int) -> None:
    session.execute(
        update(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None)).values(revoked_at=utcnow())
    )


def _public(view: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in view.items() if k != "id"}

"""Local accounts (argon2 password hashes) and opaque bearer tokens.

Tokens are random strings; only their SHA-256 is stored, so a database leak
does not leak usable tokens, and logout or expiry revokes them at once.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from kernel.actors import APPLICANT, APPROVER, ROLES, Actor
from kernel.db import Base, as_utc, utcnow
from kernel.errors import Unauthorized, ValidationFailed

_hasher = PasswordHasher()
MIN_PASSWORD = 8


@cache
def _dummy_hash() -> str:
    """A hash to check unknown users' passwords against, so that they take as long as known ones.
    Made on first use, not at import (hashing costs ~100 ms)."""
    return _hasher.hash("onestop-timing-equaliser")


class Department(Base):
    __tablename__ = "departments"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(200))
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    departments: Mapped[list[str]] = mapped_column(JSON, default=list)
    unit_code: Mapped[str | None] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    def to_actor(self) -> Actor:
        return Actor(
            user_id=self.id,
            username=self.username,
            display_name=self.display_name,
            roles=frozenset(self.roles),
            departments=frozenset(self.departments),
            unit_code=self.unit_code,
        )


class ApiToken(Base):
    __tablename__ = "api_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def check_password(password: str) -> None:
    """The one password rule, for the command line and the administrators' page."""
    if len(password) < MIN_PASSWORD:
        message = f"密码至少 {MIN_PASSWORD} 位"
        raise ValidationFailed("password_too_short", message, [{"field": "password", "message": message}])


def set_password(user: User, password: str) -> None:
    user.password_hash = _hasher.hash(password)


SEPARATION_MESSAGE = "同一账号不能既是申请单位经办人又是审批人员（职责分离），请分设账号"


def check_separation_of_duties(roles: list[str] | set[str]) -> None:
    """One account applies for its unit or approves for a department, never both."""
    if APPLICANT in roles and APPROVER in roles:
        raise ValidationFailed(
            "conflicting_roles", SEPARATION_MESSAGE, [{"field": "roles", "message": SEPARATION_MESSAGE}]
        )


def create_user(
    session: Session,
    *,
    username: str,
    password: str,
    display_name: str,
    roles: list[str],
    departments: list[str] | None = None,
    unit_code: str | None = None,
) -> User:
    unknown = set(roles) - ROLES
    if unknown:
        raise ValidationFailed("unknown_role", f"未知角色：{', '.join(sorted(unknown))}")
    check_separation_of_duties(roles)
    user = User(
        username=username,
        display_name=display_name,
        password_hash=_hasher.hash(password),
        roles=list(roles),
        departments=list(departments or []),
        unit_code=unit_code,
    )
    session.add(user)
    session.flush()
    return user


def active_user_named(session: Session, username: str) -> User:
    """The account in use with this username, for an action that names a person (转办, 代理…)."""
    user = session.scalars(select(User).where(User.username == username, User.active.is_(True))).first()
    if user is None:
        raise ValidationFailed("unknown_user", f"没有名为“{username}”的在用账号")
    return user


def authenticate(session: Session, *, username: str, password: str) -> User:
    user = session.scalars(select(User).where(User.username == username)).first()
    try:
        _hasher.verify(user.password_hash if user else _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        user = None
    if user is None or not user.active:
        raise Unauthorized("invalid_credentials", "用户名或密码错误")
    return user


def issue_token(session: Session, *, user: User, ttl: timedelta) -> str:
    token = secrets.token_urlsafe(32)
    session.add(ApiToken(token_hash=_digest(token), user_id=user.id, expires_at=utcnow() + ttl))
    return token


def resolve_token(session: Session, token: str) -> Actor:
    found = session.execute(
        select(User, ApiToken.expires_at)
        .join(ApiToken, ApiToken.user_id == User.id)
        .where(ApiToken.token_hash == _digest(token), ApiToken.revoked_at.is_(None), User.active.is_(True))
    ).first()
    if found is None or as_utc(found[1]) <= utcnow():
        raise Unauthorized("invalid_token", "登录已失效，请重新登录")
    user: User = found[0]
    return user.to_actor()


def revoke_token(session: Session, token: str) -> None:
    row = session.get(ApiToken, _digest(token))
    if row is not None and row.revoked_at is None:
        row.revoked_at = utcnow()

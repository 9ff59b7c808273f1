"""Logging in and out, each attempt audited, wrong passwords slowed down.

A wrong password costs the guesser time, not the server: after a few
failures an account (and, separately, a client address) must wait before
its next try is even checked, twice as long after each further failure
(``kernel.throttle``). Locking, the refusals while locked and an
administrator's unlock are audited. Password hashing is bounded per
process, so a flood of sign-ins cannot take every thread.
"""

from __future__ import annotations

import math
import threading
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from engine.context import EngineContext
from kernel import audit, clock, throttle
from kernel.accounts import authenticate, issue_token, revoke_token
from kernel.actors import Actor
from kernel.db import utcnow
from kernel.errors import TooManyRequests, Unauthorized

HASHING_SLOTS = 4
HASHING_WAIT_SECONDS = 5.0
_hashing = threading.BoundedSemaphore(HASHING_SLOTS)


def login(ctx: EngineContext, *, username: str, password: str, ttl: timedelta, address: str | None = None) -> str:
    with ctx.transaction() as session:
        refusal = _refusal_while_waiting(session, username, address)
    if refusal is not None:  # the refused try is recorded and committed first
        raise refusal
    if not _hashing.acquire(timeout=HASHING_WAIT_SECONDS):
        raise TooManyRequests("sign_in_busy", "登录请求较多，请稍后重试", retry_after=5)
    try:
        token = _check_password(ctx, username=username, password=password, ttl=ttl, address=address)
    finally:
        _hashing.release()
    if token is None:  # the failure is recorded and committed first
        raise Unauthorized("invalid_credentials", "用户名或密码错误")
    return token


def _check_password(
    ctx: EngineContext, *, username: str, password: str, ttl: timedelta, address: str | None
) -> str | None:
    with ctx.transaction() as session:
        try:
            user = authenticate(session, username=username, password=password)
        except Unauthorized:
            _count_failure(session, username, address)
            return None
        throttle.clear(session, throttle.ACCOUNT, user.username)
        audit.record(session, actor=user.username, action="login", details=_where(address))
        return issue_token(session, user=user, ttl=ttl)


def _where(address: str | None) -> dict[str, str] | None:
    return {"address": address} if address else None


def _refusal_while_waiting(session: Session, username: str, address: str | None) -> TooManyRequests | None:
    account_until = throttle.blocked_until(session, throttle.ACCOUNT, username)
    address_until = throttle.blocked_until(session, throttle.ADDRESS, address) if address else None
    if account_until is None and address_until is None:
        return None
    actor = username[:100] or "-"
    audit.record(session, actor=actor, action="login_refused_locked", details=_where(address))
    if account_until is not None:
        return TooManyRequests(
            "account_locked",
            f"该账户登录失败次数过多，已暂时锁定，请于 {_china(account_until)} 后重试，或请管理员解锁",
            {"retry_at": account_until.isoformat()},
            retry_after=_seconds_until(account_until),
        )
    assert address_until is not None
    return TooManyRequests(
        "address_locked",
        f"来自您所在网络地址的登录失败次数过多，请于 {_china(address_until)} 后重试",
        {"retry_at": address_until.isoformat()},
        retry_after=_seconds_until(address_until),
    )


def _count_failure(session: Session, username: str, address: str | None) -> None:
    actor = username[:100] or "-"
    failures, until = throttle.fail(session, throttle.ACCOUNT, actor)
    audit.record(session, actor=actor, action="login_failed", details=_where(address))
    if until is not None:
        details = {"failures": failures, "until": until.isoformat(), "address": address or ""}
        audit.record(session, actor=actor, action="login_locked", details=details)
    if address:
        failures, until = throttle.fail(session, throttle.ADDRESS, address)
        if until is not None:
            details = {"failures": failures, "until": until.isoformat(), "address": address}
            audit.record(session, actor=actor, action="login_address_locked", details=details)


def _china(moment: datetime) -> str:
    return clock.local(moment).strftime("%Y-%m-%d %H:%M:%S")


def _seconds_until(moment: datetime) -> int:
    return max(1, math.ceil((moment - utcnow()).total_seconds()))


def logout(ctx: EngineContext, actor: Actor, token: str) -> None:
    with ctx.transaction() as session:
        revoke_token(session, token)
        audit.record(session, actor=actor.username, action="logout")

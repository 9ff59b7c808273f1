"""Logging in and out, each attempt audited."""

from __future__ import annotations

from datetime import timedelta

from engine import audit
from engine.accounts import authenticate, issue_token, revoke_token
from engine.actors import Actor
from engine.context import EngineContext
from engine.errors import Unauthorized


def login(ctx: EngineContext, *, username: str, password: str, ttl: timedelta) -> str:
    token: str | None = None
    with ctx.transaction() as session:
        try:
            user = authenticate(session, username=username, password=password)
        except Unauthorized:
            audit.record(session, actor=username[:100] or "-", action="login_failed")
        else:
            token = issue_token(session, user=user, ttl=ttl)
            audit.record(session, actor=user.username, action="login")
    if token is None:  # the failure is recorded and committed first
        raise Unauthorized("invalid_credentials", "用户名或密码错误")
    return token


def logout(ctx: EngineContext, actor: Actor, token: str) -> None:
    with ctx.transaction() as session:
        revoke_token(session, token)
        audit.record(session, actor=actor.username, action="logout")

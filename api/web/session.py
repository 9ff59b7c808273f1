"""Browser sessions and CSRF protection for the web pages.

The session cookie holds the same opaque token the API issues (stored hashed,
revoked at logout), HTTP-only, SameSite=Lax, Secure over HTTPS. Every form
that changes something carries a CSRF token derived from the session token
with HMAC, which a page of another site can neither read nor compute; the
login form, before there is a session, uses a double-submit cookie.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from fastapi import Request, Response

from engine.context import EngineContext
from kernel.accounts import resolve_token
from kernel.actors import Actor
from kernel.errors import Forbidden, Unauthorized

SESSION_COOKIE = "onestop_session"
LOGIN_CSRF_COOKIE = "onestop_login_csrf"


def csrf_for(session_token: str) -> str:
    return hmac.new(session_token.encode(), b"onestop-csrf", hashlib.sha256).hexdigest()[:40]


def secure_cookies(request: Request) -> bool:
    """``ONESTOP_SECURE_COOKIES`` decides when set (a TLS proxy in front: the server sees
    plain HTTP); otherwise the request's own scheme."""
    configured: bool | None = request.app.state.config.secure_cookies
    return configured if configured is not None else request.url.scheme == "https"


def set_session(request: Request, response: Response, token: str, max_age: int) -> None:
    response.set_cookie(
        SESSION_COOKIE, token, max_age=max_age, httponly=True, samesite="lax", secure=secure_cookies(request), path="/"
    )


def clear_session(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/")


def session_token(request: Request) -> str | None:
    return request.cookies.get(SESSION_COOKIE) or None


def current_actor(ctx: EngineContext, request: Request) -> Actor | None:
    token = session_token(request)
    if not token:
        return None
    try:
        with ctx.reading() as session:
            return resolve_token(session, token)
    except Unauthorized:
        return None


def check_csrf(request: Request, submitted: str | None) -> None:
    token = session_token(request)
    if not token or not submitted or not hmac.compare_digest(csrf_for(token), submitted):
        raise Forbidden("csrf_failed", "页面已过期或来源不明，请刷新页面后重试")


def login_csrf(request: Request) -> str:
    return request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(24)


def set_login_csrf(request: Request, response: Response, value: str) -> None:
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        value,
        httponly=True,
        samesite="strict",
        secure=secure_cookies(request),
        path="/login",
        max_age=3600,
    )


def check_login_csrf(request: Request, submitted: str | None) -> None:
    expected = request.cookies.get(LOGIN_CSRF_COOKIE)
    if not expected or not submitted or not hmac.compare_digest(expected, submitted):
        raise Forbidden("csrf_failed", "页面已过期，请刷新登录页后重试")

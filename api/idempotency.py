"""``Idempotency-Key``: a client whose reply was lost retries and gets the first answer.

On ``POST /api/v1/instances`` and the task and matter operations, a request
carrying the header is remembered per user and key. The first one runs;
its answer (any status below 500) is stored with a fingerprint of the
request (method, path, body). A retry with the same key and the same request
gets that answer again, marked ``Idempotent-Replayed: true``, and nothing runs
twice; the same key on a different request is refused (422), and a retry
while the first is still running is told so (409). The first transaction the
request commits also marks the key committed (``kernel.uow.CommitMark``), so
if the process dies before the answer is stored, a retry is told the request
was done (409 ``idempotency_already_done``) instead of doing it again; a
request that died before committing anything runs again after 30 seconds.
A 5xx answer is not kept unless something was committed. Keys are kept for a day.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Any

from anyio import to_thread
from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import error_body
from engine.context import EngineContext
from kernel.accounts import resolve_token
from kernel.db import as_utc, utcnow
from kernel.errors import Unauthorized
from kernel.records import IdempotencyKey
from kernel.uow import CommitMark, current_mark

HEADER = b"idempotency-key"
KEPT_FOR = timedelta(hours=24)
ABANDONED_AFTER = timedelta(seconds=30)  # a first request that died before committing anything
_KEY = re.compile(r"^[\x21-\x7e]{1,200}$")
_PATHS = re.compile(
    r"^/api/v1/(instances|instances/[^/]+/(withdraw|cancel|urge)|tasks/batch-approve|processes/[^/]+/migration"
    r"|tasks/[^/]+/(claim|unclaim|complete|transfer|delegate|resolve|copy|return-to|recall|add-signers))$"
)


@dataclass(frozen=True)
class _Stored:
    status: int
    content_type: str
    body: bytes
    replayed: bool = False  # the stored first answer, not a refusal


def _error(status: int, code: str, message: str) -> _Stored:
    body = json.dumps(error_body(code, message), ensure_ascii=False).encode()
    return _Stored(status, "application/json", body)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return str(value.decode("latin-1"))
    return None


class Idempotency:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        key = _header(scope, HEADER) if scope["type"] == "http" and scope["method"] == "POST" else None
        if key is None or not _PATHS.match(scope["path"]):
            await self.app(scope, receive, send)
            return
        if not _KEY.match(key):
            await _send(send, _error(400, "idempotency_key_invalid", "幂等键须为 1 至 200 个可见 ASCII 字符"))
            return
        body = await _read_body(receive)
        ctx: EngineContext = scope["app"].state.ctx
        username = await to_thread.run_sync(_username, ctx, _header(scope, b"authorization"))
        if username is None:  # not signed in: the operation itself says so
            await self.app(scope, _replay_body(body), send)
            return
        fingerprint = hashlib.sha256(b"%s %s\n" % (scope["method"].encode(), scope["path"].encode()) + body).hexdigest()
        earlier = await to_thread.run_sync(_begin, ctx, username, key, fingerprint)
        if earlier is not None:
            await _send(send, earlier)
            return
        captured = _Capture(send)
        mark = current_mark.set(CommitMark(partial(_mark_committed, username, key)))
        try:
            await self.app(scope, _replay_body(body), captured.send)
        finally:
            current_mark.reset(mark)
            await to_thread.run_sync(_finish, ctx, username, key, captured.stored())


def _username(ctx: EngineContext, authorization: str | None) -> str | None:
    if not authorization or not authorization.lower().startswith("bearer "):
        return None
    try:
        with ctx.reading() as session:
            return resolve_token(session, authorization[7:].strip()).username
    except Unauthorized:
        return None


def _begin(ctx: EngineContext, username: str, key: str, fingerprint: str) -> _Stored | None:
    """``None``: run the request (the key is now ours); else what to answer instead."""
    now = utcnow()
    try:
        with ctx.transaction() as session:
            session.execute(
                delete(IdempotencyKey).where(
                    IdempotencyKey.username == username, IdempotencyKey.created_at < now - KEPT_FOR
                )
            )
            row = session.get(IdempotencyKey, (username, key), with_for_update=True)
            if row is None:
                session.add(IdempotencyKey(username=username, key=key, fingerprint=fingerprint, created_at=now))
                return None
            if row.fingerprint != fingerprint:
                return _error(422, "idempotency_key_reused", "该幂等键已用于另一个请求，请为新请求换一个键")
            if row.state == "done" and row.status_code is not None:
                return _Stored(row.status_code, row.content_type or "application/json", row.body or b"", replayed=True)
            if row.state == "committed":  # it changed what it had to; only its answer was lost
                return _error(
                    409, "idempotency_already_done", "该请求已办理完成（第一次的应答未能送达），请刷新查看结果"
                )
            if as_utc(row.created_at) > now - ABANDONED_AFTER:
                return _error(409, "idempotency_request_in_progress", "相同的请求正在处理，请稍后再试")
            row.created_at = now  # the first run died without an answer: this one runs instead
            return None
    except IntegrityError:  # a twin request took the key a moment ago
        return _error(409, "idempotency_request_in_progress", "相同的请求正在处理，请稍后再试")


def _mark_committed(username: str, key: str, session: Session) -> None:
    """In the request's own transaction: from now on a retry must not run it again."""
    session.execute(
        update(IdempotencyKey)
        .where(IdempotencyKey.username == username, IdempotencyKey.key == key)
        .values(state="committed")
    )


def _finish(ctx: EngineContext, username: str, key: str, answer: _Stored | None) -> None:
    with ctx.transaction() as session:
        row = session.get(IdempotencyKey, (username, key))
        if row is None:
            return
        if answer is None or answer.status >= 500:
            if row.state == "committed":
                return  # it did change something: a retry must be told so, not run again
            session.delete(row)  # nothing happened and no answer worth repeating: a retry runs again
            return
        row.state, row.status_code, row.content_type, row.body = "done", answer.status, answer.content_type, answer.body


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay_body(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}

    return receive


class _Capture:
    """Passes the answer through and keeps a copy of it."""

    def __init__(self, send: Send) -> None:
        self._send = send
        self.status: int | None = None
        self.content_type = "application/json"
        self.chunks: list[bytes] = []

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = int(message["status"])
            for name, value in message.get("headers", []):
                if name.lower() == b"content-type":
                    self.content_type = value.decode("latin-1")
        elif message["type"] == "http.response.body":
            self.chunks.append(message.get("body", b""))
        await self._send(message)

    def stored(self) -> _Stored | None:
        return None if self.status is None else _Stored(self.status, self.content_type, b"".join(self.chunks))


async def _send(send: Send, answer: _Stored) -> None:
    headers: list[tuple[bytes, bytes]] = [
        (b"content-type", answer.content_type.encode("latin-1")),
        (b"content-length", str(len(answer.body)).encode()),
    ]
    if answer.replayed:
        headers.append((b"idempotent-replayed", b"true"))
    await send({"type": "http.response.start", "status": answer.status, "headers": headers})
    await send({"type": "http.response.body", "body": answer.body})


HEADER_DOC = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": (
        "幂等键：应答丢失后用同一个键重试，得到第一次的应答（响应头 Idempotent-Replayed: true），"
        "操作不会执行两次；同一个键用于不同的请求时拒绝（422）。保留一天。"
    ),
    "schema": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": "^[\\x21-\\x7e]+$"},
}


def document(schema: dict[str, Any]) -> dict[str, Any]:
    """Name the header on every operation it applies to in the OpenAPI document."""
    for path, operations in schema.get("paths", {}).items():
        post = operations.get("post")
        if post is not None and _PATHS.match(re.sub(r"\{[^}]+\}", "x", path)):
            post.setdefault("parameters", []).append(HEADER_DOC)
    return schema

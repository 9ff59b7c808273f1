"""Transactional outbox: side effects recorded with the state change, performed later.

``emit`` adds a row in the caller's transaction. ``drain`` takes pending rows
one at a time and runs the handler for its topic **in the same transaction
that marks the row done**, so a handler's own database effects and the mark
commit together; a crash between them redoes both, never one. Handlers that
touch the outside world must be idempotent by message id.

Long work (an export of thousands of files) must not run inside that
transaction: on SQLite it holds the only write lock. Such a handler marks its
job started and hands the work to ``engine.uow.after_commit``; ``drain`` runs
it once the mark is committed, and the work commits its own progress.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from engine.db import utcnow
from engine.models import Incident
from engine.records import OutboxMessage

log = logging.getLogger(__name__)

Handler = Callable[[Session, OutboxMessage], None]


def chain(*handlers: Handler) -> Handler:
    """Several handlers for one topic, run in order in the same transaction."""

    def run_all(session: Session, message: OutboxMessage) -> None:
        for handler in handlers:
            handler(session, message)

    return run_all


def emit(session: Session, topic: str, payload: dict[str, Any]) -> None:
    session.add(OutboxMessage(topic=topic, payload=payload))
    wake(session)


def wake(session: Session) -> None:
    """Ask for a worker pass once this transaction commits."""
    hooks = session.info.setdefault("after_commit", [])
    kick = session.info.get("outbox_kick")
    if kick is not None and kick not in hooks:
        hooks.append(kick)


@dataclass
class DrainReport:
    done: int = 0
    failed: int = 0
    retried: int = 0


def _claim_next(session: Session) -> OutboxMessage | None:
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.status == "pending", OutboxMessage.available_at <= utcnow())
        .order_by(OutboxMessage.id)
        .limit(1)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return session.scalars(query).first()


def drain(
    session_factory: sessionmaker[Session],
    handlers: dict[str, Handler],
    *,
    max_attempts: int = 8,
    limit: int = 500,
) -> DrainReport:
    report = DrainReport()
    for _ in range(limit):
        hooks: list[Callable[[], None]] = []
        with session_factory() as session:
            message = _claim_next(session)
            if message is None:
                return report
            handler = handlers.get(message.topic)
            try:
                if handler is None:
                    raise LookupError(f"no handler for topic {message.topic!r}")
                with session.begin_nested():
                    handler(session, message)
                message.status, message.done_at = "done", utcnow()
                report.done += 1
            except Exception as exc:  # a failing side effect must not stop the others
                log.exception("outbox message %s failed", message.id)
                session.info.pop("after_commit", None)  # its work was rolled back: nothing to follow up
                message.attempts += 1
                message.last_error = f"{type(exc).__name__}: {exc}"
                if message.attempts >= max_attempts:
                    message.status = "failed"
                    session.add(
                        Incident(
                            instance_id=message.payload.get("instance_id"),
                            source="outbox",
                            error_type=type(exc).__name__,
                            message=f"副作用“{message.topic}”多次执行失败：{exc}",
                        )
                    )
                    report.failed += 1
                else:
                    message.available_at = utcnow() + timedelta(seconds=min(2**message.attempts, 3600))
                    report.retried += 1
            session.commit()
            hooks = session.info.pop("after_commit", [])
        _after_commit(hooks)
    return report


def _after_commit(hooks: list[Callable[[], None]]) -> None:
    for hook in hooks:
        try:
            hook()
        except Exception:  # the work records its own failure; the message is done
            log.exception("after-commit work of an outbox message failed")

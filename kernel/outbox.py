"""Transactional outbox: side effects recorded with the state change, performed later.

``emit`` adds a row in the caller's transaction, on the queue of its topic
(documents, archive, notifications, exports, default), so a slow or failing
kind never delays another: each queue is drained on its own, by its own
worker thread.

A plain handler runs **in the transaction that marks the row done**, so its
database effects and the mark commit together; a crash between them redoes
both, never one. A :class:`Staged` handler has slow outside work (render,
sign, timestamp, upload): the message is leased in a short transaction,
``prepare`` runs with no transaction open, and ``apply`` records the result
in a second short transaction that marks the row done. A worker killed in
between leaves the lease to expire and another worker redoes ``prepare``, so
``prepare`` must be idempotent (content-addressed keys, stat before put).

A handler that finds its message early (the archive before the documents
are issued) raises :class:`NotYet`: it runs again later, no attempt counted.
A dependency that is away (:class:`~kernel.errors.Transient`: the archive's
S3 down) does not use up attempts either: the message waits a short,
jittered while and that queue's pass ends there, since the next message would
find the dependency away too; when it is back, the queue catches up on its
own. Other failures back off exponentially with jitter; after
``max_attempts`` the message fails and opens an incident, which is resolved
when a retry of the message succeeds, not when the retry is asked for.

Long work (an export of thousands of files) hands itself to
``kernel.uow.after_commit``; ``drain`` runs it once the mark is committed.
"""

from __future__ import annotations

import logging
import random
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Any, Generic, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kernel import audit
from kernel.db import utcnow
from kernel.errors import Transient
from kernel.records import Incident, OutboxMessage
from kernel.uow import transaction

log = logging.getLogger(__name__)

Handler = Callable[[Session, OutboxMessage], None]
Prepared = TypeVar("Prepared")

QUEUES = ("documents", "archive", "notifications", "exports", "default")
_TOPIC_QUEUES: dict[str, str] = {}
LEASE = timedelta(minutes=2)  # a worker killed mid-way: another takes the message over after this
OUTAGE_RETRY_SECONDS = 15.0
SYSTEM_ACTOR = "system"


class NotYet(Exception):
    """The message came too early; run it again after ``seconds``."""

    def __init__(self, seconds: float, why: str) -> None:
        super().__init__(why)
        self.seconds = seconds


@dataclass(frozen=True)
class Staged(Generic[Prepared]):
    """A side effect whose slow part runs outside any transaction."""

    prepare: Callable[[OutboxMessage], Prepared]
    apply: Callable[[Session, OutboxMessage, Prepared], object]  # what it returns is not used


AnyHandler = Handler | Staged[Any]


def route(topic: str, queue: str) -> None:
    """Put ``topic`` on ``queue`` (the default queue otherwise)."""
    if queue not in QUEUES:
        raise ValueError(f"unknown outbox queue {queue!r}")
    _TOPIC_QUEUES[topic] = queue


def queue_of(topic: str) -> str:
    return _TOPIC_QUEUES.get(topic, "default")


def chain(*handlers: Handler) -> Handler:
    """Several handlers for one topic, run in order in the same transaction."""

    def run_all(session: Session, message: OutboxMessage) -> None:
        for handler in handlers:
            handler(session, message)

    return run_all


def emit(session: Session, topic: str, payload: dict[str, Any]) -> None:
    queue = queue_of(topic)
    session.add(OutboxMessage(topic=topic, payload=payload, queue=queue))
    wake(session, queue)


def wake(session: Session, queue: str | None = None) -> None:
    """Ask for a worker pass on ``queue`` once this transaction commits."""
    hooks = session.info.setdefault("after_commit", [])
    kick = session.info.get("outbox_kick")
    if kick is None:
        return
    woken = session.info.setdefault("outbox_woken", set())
    if queue not in woken:
        woken.add(queue)
        hooks.append(partial(kick, queue))


@dataclass
class DrainReport:
    done: int = 0
    failed: int = 0
    retried: int = 0
    deferred: int = 0
    waiting_on_outage: int = 0


def _claim_next(session: Session, queue: str | None) -> OutboxMessage | None:
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.status == "pending", OutboxMessage.available_at <= utcnow())
        .order_by(OutboxMessage.id)
        .limit(1)
    )
    if queue is not None:
        query = query.where(OutboxMessage.queue == queue)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return session.scalars(query).first()


def backoff(attempts: int) -> timedelta:
    """2, 4, 8 … seconds up to an hour, each ±50 % so retries of many messages spread out."""
    return timedelta(seconds=min(2**attempts, 3600) * random.uniform(0.5, 1.5))


def drain(
    session_factory: sessionmaker[Session],
    handlers: dict[str, AnyHandler],
    *,
    queue: str | None = None,
    max_attempts: int = 8,
    limit: int = 500,
) -> DrainReport:
    """Run due messages of ``queue`` (every queue when ``None``) until none is due."""
    report = DrainReport()
    for _ in range(limit):
        leased: OutboxMessage | None = None
        with transaction(session_factory) as session:
            message = _claim_next(session, queue)
            if message is None:
                return report
            handler = handlers.get(message.topic)
            if isinstance(handler, Staged):
                leased = _lease(session, message)
            else:
                failure = _attempt(session, partial(_run_plain, handler, session, message))
                _settle(session, message, failure, report, max_attempts)
        if isinstance(handler, Staged) and leased is not None:
            _run_staged(session_factory, handler, leased, report, max_attempts)
        if report.waiting_on_outage:
            return report  # the dependency is away: the rest of this queue would only find it away too
    return report


def _run_plain(handler: Handler | None, session: Session, message: OutboxMessage) -> None:
    if handler is None:
        raise LookupError(f"no handler for topic {message.topic!r}")
    handler(session, message)


def _attempt(session: Session, run: Callable[[], object]) -> Exception | None:
    """Run a handler inside a savepoint: its failure undoes its own writes, not the message's bookkeeping."""
    try:
        with session.begin_nested():
            run()
    except Exception as exc:  # a failing side effect must not stop the others
        session.info.pop("after_commit", None)  # its work was rolled back: nothing to follow up
        return exc
    return None


def _settle(
    session: Session, message: OutboxMessage, failure: Exception | None, report: DrainReport, max_attempts: int
) -> None:
    if failure is None:
        _done(session, message, report)
    else:
        _failed(session, message, failure, report, max_attempts)


def _lease(session: Session, message: OutboxMessage) -> OutboxMessage:
    """Mark the message taken for ``LEASE``; the detached copy carries the lease's token."""
    message.claimed_by, message.available_at = secrets.token_hex(8), utcnow() + LEASE
    session.flush()
    session.expunge(message)
    return message


def _run_staged(
    session_factory: sessionmaker[Session],
    handler: Staged[Any],
    leased: OutboxMessage,
    report: DrainReport,
    max_attempts: int,
) -> None:
    failure: Exception | None = None
    prepared: Any = None
    try:
        prepared = handler.prepare(leased)  # no transaction open
    except Exception as exc:
        failure = exc
    with transaction(session_factory) as session:
        message = session.scalars(
            select(OutboxMessage).where(OutboxMessage.id == leased.id, OutboxMessage.claimed_by == leased.claimed_by)
        ).first()
        if message is None or message.status != "pending":
            log.warning("outbox message %s: lease lost before its result was recorded", leased.id)
            return
        message.claimed_by = None
        if failure is None:
            failure = _attempt(session, partial(handler.apply, session, message, prepared))
        _settle(session, message, failure, report, max_attempts)


def _done(session: Session, message: OutboxMessage, report: DrainReport) -> None:
    message.status, message.done_at = "done", utcnow()
    report.done += 1
    if message.incident_id is not None:
        _resolve(session, message)


def _resolve(session: Session, message: OutboxMessage) -> None:
    """The retry an administrator asked for has now succeeded: the incident is over."""
    incident = session.get(Incident, message.incident_id)
    if incident is None or incident.resolved_at is not None:
        return
    incident.resolved_at = utcnow()
    incident.resolved_by = incident.retry_requested_by or SYSTEM_ACTOR
    audit.record(
        session,
        actor=SYSTEM_ACTOR,
        action="incident_resolved",
        instance_id=incident.instance_id,
        details={"incident_id": incident.id, "topic": message.topic},
    )


def _failed(session: Session, message: OutboxMessage, exc: Exception, report: DrainReport, max_attempts: int) -> None:
    if isinstance(exc, NotYet):
        message.available_at = utcnow() + timedelta(seconds=exc.seconds)
        report.deferred += 1
        return
    if isinstance(exc, Transient):
        log.warning("outbox message %s (%s) waits: %s", message.id, message.topic, exc)
        message.last_error = f"{type(exc).__name__}: {exc}"[:4000]
        message.available_at = utcnow() + timedelta(seconds=OUTAGE_RETRY_SECONDS * random.uniform(0.5, 1.5))
        report.waiting_on_outage += 1
        return
    log.error("outbox message %s (%s) failed: %s", message.id, message.topic, exc, exc_info=exc)
    message.attempts += 1
    message.last_error = f"{type(exc).__name__}: {exc}"[:4000]
    if message.attempts < max_attempts:
        message.available_at = utcnow() + backoff(message.attempts)
        report.retried += 1
        return
    message.status = "failed"
    report.failed += 1
    text = f"副作用“{message.topic}”多次执行失败：{exc}"[:4000]
    incident = session.get(Incident, message.incident_id) if message.incident_id else None
    if incident is not None and incident.resolved_at is None:
        incident.error_type, incident.message = type(exc).__name__, text  # the retry failed again: same incident
        return
    incident = Incident(
        instance_id=message.payload.get("instance_id"), source="outbox", error_type=type(exc).__name__, message=text
    )
    session.add(incident)
    session.flush()
    message.incident_id = incident.id


def requeue(session: Session, messages: list[OutboxMessage]) -> None:
    """Failed messages run again from their first attempt (an administrator's retry)."""
    for message in messages:
        message.status, message.attempts, message.available_at, message.claimed_by = "pending", 0, utcnow(), None
        wake(session, message.queue)

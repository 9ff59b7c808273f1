"""Append-only records written beside every state change: audit, outbox, notifications."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kernel.db import Base, utcnow


class AuditEvent(Base):
    """One action, a link in its chain: ``hash`` covers the event and ``prev_hash``.

    ``id`` orders all events; ``seq`` is the position in ``chain`` (a matter's
    chain, or an actor's for what is not a matter's change). Events written
    before chains existed form the chain ``""``.
    """

    __tablename__ = "audit_events"
    __table_args__ = (UniqueConstraint("chain", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    chain: Mapped[str] = mapped_column(String(120), default="")
    seq: Mapped[int] = mapped_column(Integer)
    instance_id: Mapped[str | None] = mapped_column(String(36), index=True)
    task_id: Mapped[str | None] = mapped_column(String(36))
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(40))
    status_before: Mapped[str | None] = mapped_column(String(20))
    status_after: Mapped[str | None] = mapped_column(String(20))
    opinion: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """The last link of each chain; its row lock is the only lock an append takes."""

    __tablename__ = "audit_heads"

    chain: Mapped[str] = mapped_column(String(120), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    prev_hash: Mapped[str] = mapped_column(String(64))  # the link before it (what the append returns)
    hash: Mapped[str] = mapped_column(String(64))


class AuditCheckpoint(Base):
    """The heads that moved since the previous checkpoint, sealed by a Merkle root and chained."""

    __tablename__ = "audit_checkpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    heads: Mapped[list[Any]] = mapped_column(JSON)
    root: Mapped[str] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditSealed(Base):
    """Where each chain stood at the last checkpoint (the checkpointer's own memory)."""

    __tablename__ = "audit_sealed"

    chain: Mapped[str] = mapped_column(String(120), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)


class OutboxMessage(Base):
    """A side effect to perform after commit; drained idempotently by the worker."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "queue", "status", "available_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    topic: Mapped[str] = mapped_column(String(60))
    queue: Mapped[str] = mapped_column(String(20), default="default")
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    available_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    claimed_by: Mapped[str | None] = mapped_column(String(16))  # the lease of a staged handler's run
    incident_id: Mapped[int | None] = mapped_column(Integer)  # the open incident its retry should resolve


class Notification(Base):
    """A message for a user or a department inbox (new task, matter finished, urge)."""

    __tablename__ = "notifications"
    __table_args__ = (UniqueConstraint("outbox_id", "recipient", name="uq_notifications_outbox_recipient"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox.id"))
    # "user:<id>", "department:<code>" or "unit:<code>"
    recipient: Mapped[str] = mapped_column(String(80), index=True)
    instance_id: Mapped[str | None] = mapped_column(String(36))
    kind: Mapped[str] = mapped_column(String(40))
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class NotificationRead(Base):
    """That one user has read one notification: a department's notification is read person by person."""

    __tablename__ = "notification_reads"

    notification_id: Mapped[int] = mapped_column(ForeignKey("notifications.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    read_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class IdempotencyKey(Base):
    """A client's ``Idempotency-Key`` and the first answer it got, replayed to its retries for a day."""

    __tablename__ = "idempotency_keys"

    username: Mapped[str] = mapped_column(String(100), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))  # method, path and body of the first request
    state: Mapped[str] = mapped_column(String(12), default="running")  # running | done
    status_code: Mapped[int | None] = mapped_column(Integer)
    content_type: Mapped[str | None] = mapped_column(String(100))
    body: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)


class Incident(Base):
    """A failure inside a process (script error, failed side effect) awaiting an administrator."""

    __tablename__ = "incidents"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[str | None] = mapped_column(ForeignKey("instances.id"), index=True)
    source: Mapped[str] = mapped_column(String(40))
    task_spec: Mapped[str | None] = mapped_column(String(100))
    error_type: Mapped[str] = mapped_column(String(100))
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolved_by: Mapped[str | None] = mapped_column(String(100))
    retry_requested_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    retry_requested_by: Mapped[str | None] = mapped_column(String(100))

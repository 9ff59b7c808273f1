"""The audit trail: append-only events chained by SHA-256.

Each event's hash covers its own fields and the previous event's hash, so
changing, removing or reordering any event breaks every later link.
Appends are serialised (PostgreSQL advisory lock; SQLite's single writer)
and ``seq`` is unique, so two transactions can never fork the chain.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from engine.db import as_utc, utcnow
from engine.models import Instance
from engine.records import AuditEvent

GENESIS = "0" * 64
_PG_LOCK_KEY = 0x0AD17  # any constant shared by all writers


def _canonical(event: AuditEvent) -> bytes:
    created = as_utc(event.created_at).isoformat(timespec="microseconds")
    fields = {
        "seq": event.seq,
        "instance_id": event.instance_id,
        "task_id": event.task_id,
        "actor": event.actor,
        "action": event.action,
        "status_before": event.status_before,
        "status_after": event.status_after,
        "opinion": event.opinion,
        "details": event.details,
        "created_at": created,
        "prev_hash": event.prev_hash,
    }
    return json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def compute_hash(event: AuditEvent) -> str:
    return hashlib.sha256(_canonical(event)).hexdigest()


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    instance_id: str | None = None,
    task_id: str | None = None,
    status_before: str | None = None,
    status_after: str | None = None,
    opinion: str | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
    last = session.execute(select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)).first()
    event = AuditEvent(
        seq=(last.seq + 1) if last else 1,
        instance_id=instance_id,
        task_id=task_id,
        actor=actor,
        action=action,
        status_before=status_before,
        status_after=status_after,
        opinion=opinion,
        details=json.loads(json.dumps(details or {}, ensure_ascii=False, default=str)),
        created_at=utcnow(),
        prev_hash=last.hash if last else GENESIS,
    )
    event.hash = compute_hash(event)
    session.add(event)
    session.flush()
    return event


def record_unchanged(
    session: Session,
    *,
    actor: str,
    action: str,
    instance: Instance,
    task_id: str | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """An action on a matter that leaves its status as it was (claim, download...)."""
    return record(
        session,
        actor=actor,
        action=action,
        instance_id=instance.id,
        task_id=task_id,
        status_before=instance.status,
        status_after=instance.status,
        details=details,
    )


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    events: int
    broken_at: int | None = None
    reason: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "events": self.events, "broken_at": self.broken_at, "reason": self.reason}


def _events(session: Session, batch: int = 1000) -> Iterator[AuditEvent]:
    last_seq = 0
    while True:
        rows = list(
            session.scalars(select(AuditEvent).where(AuditEvent.seq > last_seq).order_by(AuditEvent.seq).limit(batch))
        )
        if not rows:
            return
        yield from rows
        last_seq = rows[-1].seq
        session.expunge_all()


def verify_chain(session: Session) -> ChainReport:
    """Recompute every link; report the first event whose link is broken."""
    prev_hash, expected_seq, count = GENESIS, 1, 0
    for event in _events(session):
        count += 1
        if event.seq != expected_seq:
            return ChainReport(False, count, event.seq, f"序号不连续：应为 {expected_seq}，实为 {event.seq}")
        if event.prev_hash != prev_hash:
            return ChainReport(False, count, event.seq, "前一事件摘要不匹配（事件被删除、插入或改动）")
        if compute_hash(event) != event.hash:
            return ChainReport(False, count, event.seq, "事件内容与摘要不符（事件被改动）")
        prev_hash, expected_seq = event.hash, expected_seq + 1
    return ChainReport(True, count)


def history(session: Session, instance_id: str) -> list[dict[str, Any]]:
    events = session.scalars(select(AuditEvent).where(AuditEvent.instance_id == instance_id).order_by(AuditEvent.seq))
    return [event_view(e) for e in events]


def event_view(event: AuditEvent) -> dict[str, Any]:
    return {
        "seq": event.seq,
        "at": _iso(event.created_at),
        "actor": event.actor,
        "action": event.action,
        "task_id": event.task_id,
        "status_before": event.status_before,
        "status_after": event.status_after,
        "opinion": event.opinion,
        "details": event.details,
    }


def _iso(value: datetime) -> str:
    return as_utc(value).isoformat()

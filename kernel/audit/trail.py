"""Appending to the audit trail: every action is a link in one chain.

A matter's changes form the matter's chain (``matter:<id>``); everything
else, and every *look* at a matter (search, view, download), forms the
actor's chain (``actor:<name>``). An append locks only its chain's head row
(``audit_heads``), so no request waits on another matter's audit, and a
download never waits on the approval of the matter it reads. On PostgreSQL
the append is one statement: it moves the head, computes the link and
inserts the event.
Checkpoints (``kernel.audit.checkpoints``) seal all heads periodically.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import select, text, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from kernel.audit.links import GENESIS, content_digest, link
from kernel.db import as_utc, utcnow
from kernel.records import AuditEvent, AuditHead


def matter_chain(instance_id: str) -> str:
    return f"matter:{instance_id}"


def actor_chain(actor: str) -> str:
    return f"actor:{actor}"


# PostgreSQL: take the head's row lock, move it and insert the event in one statement (one round trip).
_APPEND_PG = text(
    """
WITH head AS (
    INSERT INTO audit_heads (chain, seq, prev_hash, hash) VALUES (:chain, 1, :genesis, :first_link)
    ON CONFLICT (chain) DO UPDATE SET
        seq = audit_heads.seq + 1,
        prev_hash = audit_heads.hash,
        hash = encode(
            sha256(convert_to(audit_heads.hash || ':' || (audit_heads.seq + 1) || ':' || :digest, 'UTF8')), 'hex'
        )
    RETURNING seq, prev_hash, hash
)
INSERT INTO audit_events (chain, seq, instance_id, task_id, actor, action, status_before, status_after,
                          opinion, details, created_at, prev_hash, hash)
SELECT :chain, seq, :instance_id, :task_id, :actor, :action, :status_before, :status_after,
       :opinion, CAST(:details AS JSON), :created_at, prev_hash, hash
FROM head
"""
)


def _append(session: Session, chain: str, **fields: Any) -> None:
    details = json.loads(json.dumps(fields.pop("details", None) or {}, ensure_ascii=False, default=str))
    event = AuditEvent(chain=chain, details=details, created_at=utcnow(), **fields)
    digest = content_digest(event)
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            _APPEND_PG,
            {
                **fields,
                "chain": chain,
                "details": json.dumps(details, ensure_ascii=False),
                "created_at": event.created_at,
                "genesis": GENESIS,
                "first_link": link(GENESIS, 1, digest),
                "digest": digest,
            },
        )
        return
    _append_in_python(session, event, digest)


def _append_in_python(session: Session, event: AuditEvent, digest: str) -> None:
    """The same link computed here (SQLite: one writer at a time, round trips cost nothing)."""
    values = sqlite_insert(AuditHead).values(chain=event.chain, seq=0, prev_hash=GENESIS, hash=GENESIS)
    take = values.on_conflict_do_update(
        index_elements=[AuditHead.chain], set_={"chain": values.excluded.chain}
    ).returning(AuditHead.seq, AuditHead.hash)
    seq, prev_hash = session.execute(take).one()
    event.seq, event.prev_hash = int(seq) + 1, str(prev_hash)
    event.hash = link(event.prev_hash, event.seq, digest)
    session.add(event)
    session.execute(
        update(AuditHead)
        .where(AuditHead.chain == event.chain)
        .values(seq=event.seq, prev_hash=event.prev_hash, hash=event.hash)
    )


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
) -> None:
    """A change: on the matter's chain when it concerns a matter, else on the actor's."""
    chain = matter_chain(instance_id) if instance_id else actor_chain(actor)
    _append(
        session,
        chain,
        instance_id=instance_id,
        task_id=task_id,
        actor=actor,
        action=action,
        status_before=status_before,
        status_after=status_after,
        opinion=opinion,
        details=details,
    )


class Matter(Protocol):
    """What the trail reads of a matter (the engine's ``Instance``)."""

    id: str
    status: str


def record_unchanged(
    session: Session,
    *,
    actor: str,
    action: str,
    instance: Matter,
    task_id: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """An action on a matter that leaves its status as it was (claim, unclaim)."""
    record(
        session,
        actor=actor,
        action=action,
        instance_id=instance.id,
        task_id=task_id,
        status_before=instance.status,
        status_after=instance.status,
        details=details,
    )


def access(
    session: Session,
    *,
    actor: str,
    action: str,
    instance_id: str | None = None,
    status: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """A look (search, view, download): on the actor's chain, never the matter's."""
    _append(
        session,
        actor_chain(actor),
        instance_id=instance_id,
        task_id=None,
        actor=actor,
        action=action,
        status_before=status,
        status_after=status,
        opinion=None,
        details=details,
    )


def history(session: Session, instance_id: str) -> list[dict[str, Any]]:
    events = session.scalars(select(AuditEvent).where(AuditEvent.instance_id == instance_id).order_by(AuditEvent.id))
    return [event_view(e) for e in events]


def event_view(event: AuditEvent) -> dict[str, Any]:
    return {
        "seq": event.id,
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

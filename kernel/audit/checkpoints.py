"""Checkpoints: every chain head that moved, sealed by a Merkle root and chained.

A checkpoint records ``[chain, seq, hash]`` for each chain that grew since
the last one, the Merkle root of those heads, and the previous checkpoint's
hash. Once sealed, truncating a chain below its sealed head, dropping a whole
chain, or rewriting any sealed link is caught by ``verify``; only links
written after the newest checkpoint rely on their chain alone, so the beat
seals every minute.

Sealing reads the heads without locking them: an append that commits after
the read is simply in the next checkpoint. Checkpointers exclude each other
(a PostgreSQL advisory lock that appends never take).
"""

from __future__ import annotations

import logging

from sqlalchemy import insert, select, text, update
from sqlalchemy.orm import Session

from kernel.audit.links import GENESIS, checkpoint_hash, merkle_root
from kernel.db import utcnow
from kernel.records import AuditCheckpoint, AuditHead, AuditSealed

log = logging.getLogger(__name__)

_CHECKPOINT_LOCK = 0x0AD18


def checkpoint(session: Session) -> AuditCheckpoint | None:
    """Seal the heads that moved; ``None`` when nothing moved since the last seal."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _CHECKPOINT_LOCK})
    moved = session.execute(
        select(AuditHead.chain, AuditHead.seq, AuditHead.hash, AuditSealed.seq.label("sealed"))
        .outerjoin(AuditSealed, AuditSealed.chain == AuditHead.chain)
        .where(AuditHead.seq > 0, (AuditSealed.seq.is_(None)) | (AuditSealed.seq != AuditHead.seq))
        .order_by(AuditHead.chain)
    ).all()
    if not moved:
        return None
    heads = [[row.chain, row.seq, row.hash] for row in moved]
    previous = session.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.id.desc()).limit(1)).first()
    sealed = AuditCheckpoint(
        id=(previous.id + 1) if previous else 1,
        created_at=utcnow(),
        heads=heads,
        root=merkle_root(heads),
        prev_hash=previous.hash if previous else GENESIS,
    )
    sealed.hash = checkpoint_hash(sealed)
    session.add(sealed)
    first_seals = [{"chain": row.chain, "seq": row.seq} for row in moved if row.sealed is None]
    later_seals = [{"chain": row.chain, "seq": row.seq} for row in moved if row.sealed is not None]
    if first_seals:
        session.execute(insert(AuditSealed), first_seals)
    if later_seals:
        session.execute(update(AuditSealed), later_seals)
    session.flush()
    # One line per seal in the service log: kept off this database, it shows if the newest seals vanish.
    log.info("audit checkpoint #%s heads=%s root=%s hash=%s", sealed.id, len(heads), sealed.root, sealed.hash)
    return sealed

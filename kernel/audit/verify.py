"""``onestop audit verify``: recompute every link, every head and every checkpoint.

Caught: a changed event (its hash), a deleted or inserted one (the next
link, or a gap in ``seq``), reordering (``seq`` and ``prev_hash`` are inside
the hash), a truncated chain (its head row, and below the newest checkpoint
the sealed head, which must still be in the chain), a dropped chain (its
sealed head), and a changed, removed or reordered checkpoint (their own chain
and Merkle roots). The first break, in the order events were written, is
reported.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from kernel.audit.links import GENESIS, checkpoint_hash, event_hash, merkle_root
from kernel.records import AuditCheckpoint, AuditEvent, AuditHead, AuditSealed

_BATCH = 1000


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    events: int
    broken_at: int | None = None
    reason: str | None = None
    chains: int = 0
    checkpoints: int = 0
    broken_chain: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "events": self.events,
            "broken_at": self.broken_at,
            "reason": self.reason,
            "chains": self.chains,
            "checkpoints": self.checkpoints,
            "broken_chain": self.broken_chain,
        }


@dataclass(frozen=True)
class _Break:
    event_id: int | None
    chain: str | None
    reason: str

    def sort_key(self) -> tuple[int, int]:
        return (0, self.event_id) if self.event_id is not None else (1, 0)


def _events(session: Session) -> Iterator[AuditEvent]:
    """All events by chain then position, read in pages (no lock taken)."""
    after: tuple[str, int] | None = None
    while True:
        query = select(AuditEvent).order_by(AuditEvent.chain, AuditEvent.seq).limit(_BATCH)
        if after is not None:
            query = query.where(tuple_(AuditEvent.chain, AuditEvent.seq) > tuple_(*after))
        rows = list(session.scalars(query))
        if not rows:
            return
        yield from rows
        after = (rows[-1].chain, rows[-1].seq)
        session.expunge_all()


def _check_chains(session: Session) -> tuple[int, dict[str, tuple[int, str]], list[_Break]]:
    count, ends, breaks = 0, {}, []
    chain: str | None = None
    expected, prev_hash, broken = 1, GENESIS, False
    for event in _events(session):
        count += 1
        if event.chain != chain:
            chain, expected, prev_hash, broken = event.chain, 1, GENESIS, False
        if not broken:
            reason = None
            if event.seq != expected:
                reason = f"序号不连续：应为 {expected}，实为 {event.seq}"
            elif event.prev_hash != prev_hash:
                reason = "前一事件摘要不匹配（事件被删除、插入或改动）"
            elif event_hash(event) != event.hash:
                reason = "事件内容与摘要不符（事件被改动）"
            if reason is not None:
                breaks.append(_Break(event.id, event.chain, reason))
                broken = True
        expected, prev_hash = event.seq + 1, event.hash
        ends[event.chain] = (event.seq, event.hash)
    return count, ends, breaks


def _check_heads(session: Session, ends: dict[str, tuple[int, str]]) -> list[_Break]:
    rows = session.execute(select(AuditHead.chain, AuditHead.seq, AuditHead.hash))
    heads = {chain: (seq, head_hash) for chain, seq, head_hash in rows}
    breaks = []
    for chain, end in ends.items():
        if heads.get(chain) != end:
            breaks.append(_Break(None, chain, "链尾与登记的链头不符（链尾事件被删除或链头被改动）"))
    for chain, (seq, _) in heads.items():
        if seq > 0 and chain not in ends:
            breaks.append(_Break(None, chain, "登记的链头没有对应事件（整条链被删除）"))
    return breaks


def _sealed_links_missing(session: Session, heads: list[list[Any]]) -> list[str]:
    """Chains whose sealed head is no longer the same link."""
    missing: list[str] = []
    for start in range(0, len(heads), 500):
        page = heads[start : start + 500]
        found = {
            (chain, seq): link_hash
            for chain, seq, link_hash in session.execute(
                select(AuditEvent.chain, AuditEvent.seq, AuditEvent.hash).where(
                    tuple_(AuditEvent.chain, AuditEvent.seq).in_([(h[0], h[1]) for h in page])
                )
            )
        }
        missing.extend(str(chain) for chain, seq, link_hash in page if found.get((chain, seq)) != link_hash)
    return missing


def _check_checkpoints(session: Session) -> tuple[int, list[_Break]]:
    count, prev_hash = 0, GENESIS
    sealed_at: dict[str, int] = {}
    for checkpoint in session.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.id)):
        count += 1
        label = f"检查点 #{checkpoint.id}"
        if checkpoint.id != count:
            return count, [_Break(None, None, f"{label}：检查点序号不连续（检查点被删除）")]
        if checkpoint.prev_hash != prev_hash or checkpoint_hash(checkpoint) != checkpoint.hash:
            return count, [_Break(None, None, f"{label}：检查点被改动、删除或重排")]
        if merkle_root(checkpoint.heads) != checkpoint.root:
            return count, [_Break(None, None, f"{label}：链头清单与默克尔根不符")]
        for chain, seq, _ in checkpoint.heads:
            if seq < sealed_at.get(chain, 0):
                return count, [_Break(None, chain, f"{label}：链头倒退")]
            sealed_at[chain] = seq
        missing = _sealed_links_missing(session, checkpoint.heads)
        if missing:
            return count, [_Break(None, missing[0], f"{label}：已封存的事件不在链中（链被截断或删除）")]
        prev_hash = checkpoint.hash
    recorded = {chain: seq for chain, seq in session.execute(select(AuditSealed.chain, AuditSealed.seq))}
    if recorded != sealed_at:
        return count, [_Break(None, None, "检查点与封存记录不符（最近的检查点被删除或改动）")]
    return count, []


def verify_chain(session: Session) -> ChainReport:
    """Every chain, head and checkpoint; the first break in writing order."""
    events, ends, breaks = _check_chains(session)
    breaks += _check_heads(session, ends)
    checkpoints, checkpoint_breaks = _check_checkpoints(session)
    breaks += checkpoint_breaks
    if not breaks:
        return ChainReport(True, events, chains=len(ends), checkpoints=checkpoints)
    first = min(breaks, key=_Break.sort_key)
    return ChainReport(
        False,
        events,
        first.event_id,
        first.reason,
        chains=len(ends),
        checkpoints=checkpoints,
        broken_chain=first.chain,
    )

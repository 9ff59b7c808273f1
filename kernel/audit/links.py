"""What an audit link and a checkpoint hash: canonical bytes, SHA-256, Merkle roots.

An event's ``hash`` is its link: ``SHA-256(prev_hash ":" seq ":" digest)``,
where ``digest`` is the SHA-256 of the event's own fields (canonical JSON).
The digest needs nothing from the chain, so the link is computed where the
chain's head is locked: in PostgreSQL, in the one statement that appends
(``kernel.audit.trail``); anywhere else, in Python. Both give the same hex.

Events written before chains existed (chain ``""``) keep their original
form (one hash over the fields and ``prev_hash``), so their hashes stay valid
without rewriting history.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

from kernel.db import as_utc
from kernel.records import AuditCheckpoint, AuditEvent

GENESIS = "0" * 64


def _json(fields: dict[str, Any]) -> bytes:
    return json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def _iso(value: Any) -> str:
    return as_utc(value).isoformat(timespec="microseconds")


def content_digest(event: AuditEvent) -> str:
    """The event's own fields: who, what, when, on which chain; not its place in it."""
    fields = {
        "chain": event.chain,
        "instance_id": event.instance_id,
        "task_id": event.task_id,
        "actor": event.actor,
        "action": event.action,
        "status_before": event.status_before,
        "status_after": event.status_after,
        "opinion": event.opinion,
        "details": event.details,
        "created_at": _iso(event.created_at),
    }
    return hashlib.sha256(_json(fields)).hexdigest()


def link(prev_hash: str, seq: int, digest: str) -> str:
    return hashlib.sha256(f"{prev_hash}:{seq}:{digest}".encode()).hexdigest()


def event_hash(event: AuditEvent) -> str:
    if event.chain:
        return link(event.prev_hash, event.seq, content_digest(event))
    return _legacy_hash(event)


def _legacy_hash(event: AuditEvent) -> str:
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
        "created_at": _iso(event.created_at),
        "prev_hash": event.prev_hash,
    }
    return hashlib.sha256(_json(fields)).hexdigest()


def leaf(chain: str, seq: int, head_hash: str) -> bytes:
    """One chain's head as a Merkle leaf (prefix 0x00 keeps leaves and nodes apart)."""
    return hashlib.sha256(b"\x00" + _json({"chain": chain, "seq": seq, "hash": head_hash})).digest()


def merkle_root(heads: Sequence[Sequence[Any]]) -> str:
    """The root over ``[chain, seq, hash]`` triples sorted by chain (RFC 6962 shape)."""
    level = [leaf(str(c), int(s), str(h)) for c, s, h in sorted(heads, key=lambda head: str(head[0]))]
    if not level:
        return GENESIS
    while len(level) > 1:
        paired = [hashlib.sha256(b"\x01" + level[i] + level[i + 1]).digest() for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0].hex()


def checkpoint_hash(checkpoint: AuditCheckpoint) -> str:
    fields = {
        "id": checkpoint.id,
        "created_at": _iso(checkpoint.created_at),
        "root": checkpoint.root,
        "heads": len(checkpoint.heads),
        "prev_hash": checkpoint.prev_hash,
    }
    return hashlib.sha256(_json(fields)).hexdigest()

"""The audit trail: per-chain SHA-256 links, sealed by chained checkpoints.

See ``docs/audit.md`` for the design and why it detects tampering without a
database-wide lock.
"""

from kernel.audit.checkpoints import checkpoint
from kernel.audit.links import GENESIS, event_hash
from kernel.audit.trail import access, actor_chain, event_view, history, matter_chain, record, record_unchanged
from kernel.audit.verify import ChainReport, verify_chain
from kernel.records import AuditEvent

__all__ = [
    "GENESIS",
    "AuditEvent",
    "ChainReport",
    "access",
    "actor_chain",
    "checkpoint",
    "event_hash",
    "event_view",
    "history",
    "matter_chain",
    "record",
    "record_unchanged",
    "verify_chain",
]

"""Renewing archive timestamps before their certificates expire (the
scheduled job). Each renewal is a new object version under its own content
address; the record moves to it and the audit trail keeps the old hash."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from archive import lta
from archive.ingest import SYSTEM_ACTOR, ArchiveContext
from archive.models import DOCUMENT, ArchiveRecord
from engine import audit
from engine.context import EngineContext
from storage.archive import Retention, RetentionClass, sha256_hex


def renew_due(ctx: EngineContext, actx: ArchiveContext, today: date, limit: int = 200) -> int:
    with ctx.reading() as session:
        due = list(
            session.scalars(
                select(ArchiveRecord)
                .where(ArchiveRecord.kind == DOCUMENT, ArchiveRecord.lta_renew_by <= today)
                .order_by(ArchiveRecord.lta_renew_by)
                .limit(limit)
            )
        )
        session.expunge_all()
    return sum(_renew(ctx, actx, record) for record in due)


def _renew(ctx: EngineContext, actx: ArchiveContext, record: ArchiveRecord) -> bool:
    """Timestamp and store with no transaction open; then one short one moves the record,
    unless it moved meanwhile. A failure stops only this record."""
    current = actx.store.get(record.object_key, record.version_id)
    renewed = lta.renew(current, actx.timestamper, actx.validation)
    digest = sha256_hex(renewed)
    key = f"records/{record.record_date.year}/{digest}.pdf"
    retention = Retention(
        RetentionClass(record.retention_class),
        record.retain_until,
        record.retention_class == RetentionClass.PERMANENT.value,
    )
    stored = actx.store.put(
        key,
        renewed,
        content_type=record.mime,
        retention=retention,
        metadata={"instance": record.instance_id or "", "kind": record.kind},
    )
    with ctx.transaction() as session:
        row = session.get(ArchiveRecord, record.id, with_for_update=True)
        if row is None or row.sha256 != record.sha256:
            return False  # renewed by another run meanwhile: this version stays unreferenced, under retention
        row.object_key, row.version_id, row.sha256, row.size = key, stored.version_id, digest, len(renewed)
        row.lta_renew_by = lta.renew_by(renewed)
        audit.record(
            session,
            actor=SYSTEM_ACTOR,
            action="archive_lta_renew",
            instance_id=row.instance_id,
            details={"record_id": row.id, "previous_sha256": record.sha256, "sha256": digest},
        )
    return True

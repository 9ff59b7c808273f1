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
                select(ArchiveRecord.id)
                .where(ArchiveRecord.kind == DOCUMENT, ArchiveRecord.lta_renew_by <= today)
                .order_by(ArchiveRecord.lta_renew_by)
                .limit(limit)
            )
        )
    for record_id in due:
        with ctx.transaction() as session:  # one record per transaction: a failure stops only itself
            record = session.get(ArchiveRecord, record_id, with_for_update=True)
            if record is None or record.lta_renew_by is None or record.lta_renew_by > today:
                continue
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
            previous = record.sha256
            record.object_key, record.version_id, record.sha256, record.size = (
                key,
                stored.version_id,
                digest,
                len(renewed),
            )
            record.lta_renew_by = lta.renew_by(renewed)
            audit.record(
                session,
                actor=SYSTEM_ACTOR,
                action="archive_lta_renew",
                instance_id=record.instance_id,
                details={"record_id": record.id, "previous_sha256": previous, "sha256": digest},
            )
    return len(due)

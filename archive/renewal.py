"""Renewing archive timestamps before their certificates expire (the
scheduled job). Each renewal is a new object version under its own content
address; the record moves to it and the audit trail keeps the old hash."""

from __future__ import annotations

from datetime import date

from sqlalchemy import delete, select

from archive import lta
from archive.ingest import SYSTEM_ACTOR, ArchiveContext, stage
from archive.models import DOCUMENT, ArchiveRecord, ArchiveStaging
from engine.context import EngineContext
from kernel import audit
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
    unless it moved meanwhile. The renewed bytes are staged first (a new timestamp makes new
    bytes each time), so a run killed after its upload uploads the same object again on retry
    instead of leaving a retained, unreferenced version. A failure stops only this record."""
    staged = _staged(ctx, actx, record)
    retention = Retention(
        RetentionClass(record.retention_class),
        record.retain_until,
        record.retention_class == RetentionClass.PERMANENT.value,
    )
    stored = actx.store.put(
        staged.key,
        staged.data,
        content_type=record.mime,
        retention=retention,
        metadata={"instance": record.instance_id or "", "kind": record.kind},
    )
    with ctx.transaction() as session:
        row = session.get(ArchiveRecord, record.id, with_for_update=True)
        session.execute(delete(ArchiveStaging).where(ArchiveStaging.id == staged.id))
        if row is None or row.sha256 != record.sha256:
            return False  # renewed by another run meanwhile
        row.object_key, row.version_id, row.sha256, row.size = (
            staged.key,
            stored.version_id,
            staged.sha256,
            len(staged.data),
        )
        row.lta_renew_by = lta.renew_by(staged.data)
        audit.record(
            session,
            actor=SYSTEM_ACTOR,
            action="archive_lta_renew",
            instance_id=row.instance_id,
            details={"record_id": row.id, "previous_sha256": record.sha256, "sha256": staged.sha256},
        )
    return True


def _staged(ctx: EngineContext, actx: ArchiveContext, record: ArchiveRecord) -> ArchiveStaging:
    """The renewal of the record's current version staged by an earlier, killed run, or a new one."""
    prefix = f"renew:{record.id}:"
    item = prefix + record.sha256[:16]  # the version it renews
    with ctx.reading() as session:
        rows = list(
            session.scalars(
                select(ArchiveStaging).where(
                    ArchiveStaging.instance_id == (record.instance_id or ""), ArchiveStaging.item.startswith(prefix)
                )
            )
        )
        session.expunge_all()
    earlier = next((row for row in rows if row.item == item), None)
    stale = [row.id for row in rows if row.item != item]  # staged for a version the record has since left
    if stale:
        with ctx.transaction() as session:
            session.execute(delete(ArchiveStaging).where(ArchiveStaging.id.in_(stale)))
    if earlier is not None:
        return earlier
    renewed = lta.renew(actx.store.get(record.object_key, record.version_id), actx.timestamper, actx.validation)
    digest = sha256_hex(renewed)
    return stage(
        ctx,
        ArchiveStaging(
            instance_id=record.instance_id or "",
            item=item,
            kind=record.kind,
            document_id=record.document_id,
            title=record.title,
            number=record.number,
            persons=record.persons,
            record_date=record.record_date,
            retention_class=record.retention_class,
            key=f"records/{record.record_date.year}/{digest}.pdf",
            sha256=digest,
            mime=record.mime,
            data=renewed,
            text="",
        ),
    )

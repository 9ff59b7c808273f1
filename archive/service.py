"""Archive use cases: search, read a record, download, verify now.

Archivists and admins reach the whole archive; an applicant reaches its own
unit's records; nobody else. Every search, view, download and check is an
audit event, with the reason the user gave (optional).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive import checks, manifest
from archive.ingest import ArchiveContext, attachment_archived
from archive.models import DOCUMENT, DOSSIER, ArchiveRecord
from archive.search import COUNT_CAP, ArchiveQuery, search
from engine.context import EngineContext
from engine.models import Instance
from kernel import audit
from kernel.actors import ARCHIVIST, Actor
from kernel.db import as_utc, utcnow
from kernel.errors import Conflict, Forbidden, NotFound

DOWNLOAD_URL_LIFETIME = timedelta(minutes=5)


def unit_scope(actor: Actor) -> str | None:
    """None: the whole archive. A unit code: that unit's records only."""
    if actor.is_admin or ARCHIVIST in actor.roles:
        return None
    if actor.is_applicant and actor.unit_code:
        return actor.unit_code
    raise Forbidden("archive_forbidden", "只有档案管理员、管理员和申请单位本单位经办人可以查阅档案")


def summary(record: ArchiveRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "kind": record.kind,
        "title": record.title,
        "number": record.number,
        "archival_code": record.archival_code,
        "process_key": record.process_key,
        "instance_id": record.instance_id,
        "unit_code": record.unit_code,
        "unit_name": record.unit_name,
        "credit_code": record.credit_code,
        "record_date": record.record_date.isoformat(),
        "retention_class": record.retention_class,
        "checks_passed": record.checks_passed,
        "failures": list(record.checks.get("failures", [])),
    }


def detail(record: ArchiveRecord) -> dict[str, Any]:
    return {
        **summary(record),
        "persons": record.persons,
        "departments": record.departments.split(),
        "archived_at": as_utc(record.archived_at).isoformat(),
        "retain_until": as_utc(record.retain_until).isoformat() if record.retain_until else None,
        "object": {
            "key": record.object_key,
            "version_id": record.version_id,
            "sha256": record.sha256,
            "size": record.size,
            "mime": record.mime,
        },
        "checks": record.checks,
        "checked_at": as_utc(record.checked_at).isoformat(),
        "lta_renew_by": record.lta_renew_by.isoformat() if record.lta_renew_by else None,
    }


def _visible(session: Session, actor: Actor, record_id: int) -> ArchiveRecord:
    scope = unit_scope(actor)
    record = session.get(ArchiveRecord, record_id)
    if record is None or (scope is not None and record.unit_code != scope):
        raise NotFound("archive_record_not_found", "档案不存在或无权查阅")
    return record


def audit_action(
    session: Session, actor: Actor, action: str, record: ArchiveRecord | None, reason: str | None, **details: Any
) -> None:
    audit.access(
        session,
        actor=actor.username,
        action=action,
        instance_id=record.instance_id if record else None,
        details={
            **details,
            **({"record_id": record.id, "archival_code": record.archival_code} if record else {}),
            "reason": (reason or "").strip()[:500] or None,
        },
    )


def find(ctx: EngineContext, actor: Actor, query: ArchiveQuery, reason: str | None = None) -> dict[str, Any]:
    scope = unit_scope(actor)
    with ctx.transaction() as session:
        total, records = search(session, query, unit_scope=scope)
        audit_action(session, actor, "archive_search", None, reason, query=query.describe(), total=total)
        more = total > COUNT_CAP
        return {
            "total": min(total, COUNT_CAP),
            "total_is_lower_bound": more,  # "1000+": more hits than are counted
            "page": query.page,
            "size": len(records),
            "items": [summary(r) for r in records],
        }


def read(ctx: EngineContext, actor: Actor, record_id: int, reason: str | None = None) -> dict[str, Any]:
    """One record, with the matter it came from (受理编号, title) and the other records of that matter."""
    with ctx.transaction() as session:
        record = _visible(session, actor, record_id)
        audit_action(session, actor, "archive_view", record, reason)
        matter = session.get(Instance, record.instance_id) if record.instance_id else None
        siblings: list[ArchiveRecord] = []
        if record.instance_id:
            others = ArchiveRecord.instance_id == record.instance_id, ArchiveRecord.id != record.id
            siblings = list(session.scalars(select(ArchiveRecord).where(*others).order_by(ArchiveRecord.id)))
        return {
            **detail(record),
            "matter": {"id": matter.id, "number": matter.number, "title": matter.title} if matter else None,
            "siblings": [summary(s) for s in siblings],
        }


def _intact(ctx: EngineContext, actor: Actor, record: ArchiveRecord, data: bytes) -> bytes:
    """The bytes read back, when they are what was registered; else the record is flagged and nothing is served."""
    found_sha256 = hashlib.sha256(data).hexdigest()
    if found_sha256 != record.sha256:
        _flag_altered(ctx, actor, record.id, found_sha256)
        raise Conflict(
            "archive_integrity_failed", "档案文件与登记的摘要不一致，可能已被改动：已停止下载，并将该档案标记为待核查"
        )
    return data


def read_dossier(
    actx: ArchiveContext, ctx: EngineContext, actor: Actor, record_id: int, reason: str | None = None
) -> dict[str, Any]:
    """The dossier's signed manifest as data, for a page people can read (the JSON stays downloadable);
    its bytes are checked against the registered digest first."""
    with ctx.transaction() as session:
        record = _visible(session, actor, record_id)
        if record.kind != DOSSIER:
            raise NotFound("archive_record_not_found", "该档案不是案卷")
        audit_action(session, actor, "archive_view", record, reason, sha256=record.sha256)
        found = detail(record)
    envelope = json.loads(_intact(ctx, actor, record, actx.store.get(record.object_key, record.version_id)))
    return {"record": found, "manifest": envelope.get("manifest", {}), "signed": "signature" in envelope}


@dataclass(frozen=True)
class Download:
    record: dict[str, Any]
    url: str | None  # a presigned URL pinned to the version, or None: stream ``data``
    data: bytes | None


def download(
    actx: ArchiveContext, ctx: EngineContext, actor: Actor, record_id: int, reason: str | None = None
) -> Download:
    with ctx.transaction() as session:
        record = _visible(session, actor, record_id)
        audit_action(session, actor, "archive_download", record, reason, sha256=record.sha256)
        found = detail(record)
    url = actx.store.download_url(record.object_key, record.version_id, DOWNLOAD_URL_LIFETIME)
    if url is not None:  # the object store serves the locked version itself
        return Download(found, url, None)
    data = _intact(ctx, actor, record, actx.store.get(record.object_key, record.version_id))
    return Download(found, None, data)


def _flag_altered(ctx: EngineContext, actor: Actor, record_id: int, found_sha256: str) -> None:
    """The stored bytes are not the ones archived: the record's report says so until it is checked again."""
    failure = checks.Check("integrity", "sha256", False, f"下载时发现文件摘要为 {found_sha256}，与登记不符")
    with ctx.transaction() as session:
        row = session.get_one(ArchiveRecord, record_id)
        row.checks, row.checks_passed, row.checked_at = checks.report([failure]), False, utcnow()
        audit_action(session, actor, "archive_integrity_failed", row, None, found_sha256=found_sha256)


def verify_now(
    actx: ArchiveContext, ctx: EngineContext, actor: Actor, record_id: int, reason: str | None = None
) -> dict[str, Any]:
    """Run the four checks again against what the store holds now (reading the store with no
    transaction open), then record the report in a short one."""
    with ctx.reading() as session:
        record = _visible(session, actor, record_id)
        session.expunge(record)
    if record.kind == DOCUMENT:
        report = checks.check_document(actx.store, record.object_key, record.version_id, record.sha256, actx.roots)
    else:
        report = checks.check_dossier(
            actx.store,
            record.object_key,
            record.version_id,
            record.sha256,
            lambda data: manifest.verify(data, actx.roots),
            lambda entry: attachment_archived(actx, entry),
        )
    with ctx.transaction() as session:
        row = session.get_one(ArchiveRecord, record.id)
        row.checks, row.checks_passed, row.checked_at = report, bool(report["passed"]), utcnow()
        audit_action(
            session, actor, "archive_verify", row, reason, passed=row.checks_passed, failures=report["failures"]
        )
        session.flush()
        return detail(row)

"""Ingest at the end of each matter: every issued document (upgraded to
B-LTA) and the matter's dossier become archive records, each stored with its
retention, described, indexed, and checked.

Runs on the outbox's archive queue, after the matter's documents are issued,
as a staged side effect: the slow part (timestamp, sign, upload, check) runs
with no transaction open, so a slow or absent store holds no lock anyone
else needs; the bytes are staged in the database before they are uploaded,
so a retry uploads the same object again instead of leaving an orphan; one
short transaction then records each record with its 档号 and audit event.
A record is never made twice: one per document, one dossier per matter.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from asn1crypto import x509 as asn1_x509
from pyhanko.sign.timestamps import TimeStamper
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from archive import checks, lta, manifest
from archive.models import DOCUMENT, DOSSIER, ArchiveRecord, ArchiveStaging
from archive.text import search_text
from documents.models import ISSUED, Document
from engine.context import EngineContext
from engine.models import Instance, Task
from engine.vocabulary import FINAL_STATUSES
from kernel import audit, clock
from kernel.db import as_utc, utcnow
from kernel.outbox import NotYet, Staged, emit, route
from kernel.sequences import next_number
from signatures.pki import SigningIdentity
from signatures.signing import ValidationData
from storage import LocalAttachmentStore
from storage.archive import RETENTION_CODES, ArchiveRefused, ArchiveStore, Retention, RetentionClass, sha256_hex

SYSTEM_ACTOR = "system"
TOPIC = "archive.ingest"
route(TOPIC, "archive")


@dataclass(frozen=True)
class ArchiveClasses:
    """Each matter's 档号 code and 保管期限, from the matters' manifests; a matter or a
    document kind no manifest names is filed as 其他 (QT), its dossier kept 10 years,
    its documents 30."""

    matter_codes: Mapping[str, str] = field(default_factory=dict)
    dossier_retention: Mapping[str, RetentionClass] = field(default_factory=dict)
    document_retention: Mapping[str, RetentionClass] = field(default_factory=dict)

    def matter_code(self, process_key: str) -> str:
        return self.matter_codes.get(process_key, "QT")

    def of_dossier(self, process_key: str) -> RetentionClass:
        return self.dossier_retention.get(process_key, RetentionClass.YEARS_10)

    def of_document(self, kind: str) -> RetentionClass:
        return self.document_retention.get(kind, RetentionClass.YEARS_30)


UnitFacts = Callable[[Session, str], dict[str, Any]]


@dataclass
class ArchiveContext:
    store: ArchiveStore
    documents: LocalAttachmentStore
    attachments: LocalAttachmentStore
    timestamper: TimeStamper
    validation: ValidationData
    identity: Callable[[], SigningIdentity]  # the archive's own signing key (dossier manifests)
    unit_facts: UnitFacts
    fonds: str = "J001"  # 全宗号
    exports_dir: Path = Path("data") / "exports"  # the ZIPs of archivists' exports (shared by web and worker)
    classes: ArchiveClasses = field(default_factory=ArchiveClasses)

    @property
    def roots(self) -> list[asn1_x509.Certificate]:
        return list(self.validation.trust_roots)


def archival_code(
    session: Session, actx: ArchiveContext, retention: RetentionClass, process_key: str, year: int
) -> str:
    """档号: 全宗号-年度-保管期限-事项-件号, the 件号 counting per year, period and matter."""
    matter = actx.classes.matter_code(process_key)
    code = RETENTION_CODES[retention]
    number = next_number(session, f"archive:{code}:{matter}", year)
    return f"{actx.fonds}-{year}-{code}-{matter}-{number:04d}"


def persons_in(facts: dict[str, Any]) -> list[dict[str, str]]:
    """The people a record names (staff entering or leaving, a legal representative)."""
    found: list[dict[str, str]] = []
    app = facts.get("application") or {}
    for person in (facts.get("entry") or {}).get("placed") or app.get("persons") or []:
        found.append({"name": str(person.get("name", "")), "id_number": str(person.get("id_number", ""))})
    if facts.get("exit") or (app.get("name") and app.get("id_number")):
        found.append(
            {
                "name": str((facts.get("exit") or {}).get("name") or app.get("name")),
                "id_number": str(app.get("id_number", "")),
            }
        )
    legal = app.get("legal_person") or {}
    if legal.get("representative"):
        found.append({"name": str(legal["representative"]), "id_number": str(legal.get("representative_id", ""))})
    unique = {(p["name"], p["id_number"]): p for p in found if p["name"]}
    return list(unique.values())


def _departments(session: Session, instance_id: str) -> str:
    names = sorted(set(session.scalars(select(Task.department).where(Task.instance_id == instance_id))))
    return " " + " ".join(n for n in names if n) + " "


@dataclass(frozen=True)
class Uploaded:
    """A staged record's bytes in the archive store, checked."""

    staging_id: int
    version_id: str
    checks: dict[str, Any]
    lta_renew_by: date | None


def stage(ctx: EngineContext, row: ArchiveStaging) -> ArchiveStaging:
    """Keep the bytes before uploading them; a row staged earlier (a killed run) wins."""
    try:
        with ctx.transaction() as session:
            session.add(row)
            session.flush()
            session.expunge(row)
            return row
    except IntegrityError:
        with ctx.reading() as session:
            earlier = session.scalars(
                select(ArchiveStaging).where(
                    ArchiveStaging.instance_id == row.instance_id, ArchiveStaging.item == row.item
                )
            ).one()
            session.expunge(earlier)
            return earlier


def _staged_document(actx: ArchiveContext, instance: Instance, document: Document) -> ArchiveStaging:
    assert document.sha256 is not None
    upgraded = lta.upgrade(actx.documents.path(document.sha256).read_bytes(), actx.timestamper, actx.validation)
    digest = sha256_hex(upgraded)
    return ArchiveStaging(
        instance_id=instance.id,
        item=document.id,
        kind=DOCUMENT,
        document_id=document.id,
        title=f"{document.title}（{document.number}）",
        number=document.number,
        persons=persons_in(document.facts),
        record_date=document.issued_on,
        retention_class=actx.classes.of_document(document.kind).value,
        key=f"records/{document.issued_on.year}/{digest}.pdf",
        sha256=digest,
        mime="application/pdf",
        data=upgraded,
        text=checks.pdf_text(upgraded)[:100_000],
    )


def _archive_attachments(actx: ArchiveContext, content: dict[str, Any], retention: Retention) -> None:
    """Copy every attachment into the archive store (same retention as the dossier)
    and note where it went in the manifest, so the dossier stands on its own."""
    for attachment in content["attachments"]:
        data = actx.attachments.path(attachment["sha256"]).read_bytes()
        stored = actx.store.put(
            f"attachments/{attachment['sha256']}",
            data,
            content_type=attachment["content_type"],
            retention=retention,
            metadata={"kind": "attachment"},
        )
        attachment["archived"] = {"key": stored.key, "version_id": stored.version_id}


def attachment_archived(actx: ArchiveContext, entry: dict[str, Any]) -> bool:
    archived = entry.get("archived") or {}
    try:
        stored = actx.store.stat(str(archived.get("key")), str(archived.get("version_id")))
    except ArchiveRefused:
        return False
    return bool(stored.sha256 == entry["sha256"])


def _staged_dossier(actx: ArchiveContext, instance: Instance, content: dict[str, Any]) -> ArchiveStaging:
    finished = clock.business_day(as_utc(instance.finished_at or utcnow()))
    retention_class = actx.classes.of_dossier(instance.process_key)
    _archive_attachments(actx, content, Retention.of(retention_class, finished))
    signed = manifest.sign(content, actx.identity())
    digest = sha256_hex(signed)
    facts: dict[str, Any] = {"application": instance.application, **(instance.results or {})}
    return ArchiveStaging(
        instance_id=instance.id,
        item=DOSSIER,
        kind=DOSSIER,
        document_id=None,
        title=f"{instance.title}（案卷）",
        number=None,
        persons=persons_in(facts),
        record_date=finished,
        retention_class=retention_class.value,
        key=f"records/{finished.year}/{digest}.json",
        sha256=digest,
        mime="application/json",
        data=signed,
        text=" ".join(f"{o['task']} {o['opinion'] or ''}" for o in content["opinions"])[:100_000],
    )


def _upload(actx: ArchiveContext, staged: ArchiveStaging) -> Uploaded:
    """Store and check (no transaction open: the store may be slow or away)."""
    retention = Retention.of(RetentionClass(staged.retention_class), staged.record_date)
    stored = actx.store.put(
        staged.key,
        staged.data,
        content_type=staged.mime,
        retention=retention,
        metadata={"instance": staged.instance_id, "kind": staged.kind},
    )
    if staged.kind == DOCUMENT:
        report = checks.check_document(actx.store, staged.key, stored.version_id, staged.sha256, actx.roots)
        renew_by = lta.renew_by(staged.data)
    else:
        report = checks.check_dossier(
            actx.store,
            staged.key,
            stored.version_id,
            staged.sha256,
            lambda data: manifest.verify(data, actx.roots),
            lambda entry: attachment_archived(actx, entry),
        )
        renew_by = None
    return Uploaded(staged.id, stored.version_id, report, renew_by)


def prepare(ctx: EngineContext, actx: ArchiveContext, instance_id: str) -> list[Uploaded]:
    """Make, stage, upload and check every record the matter still lacks, outside any transaction."""
    with ctx.reading() as session:
        instance = session.get(Instance, instance_id)
        if instance is None or instance.status not in FINAL_STATUSES:
            return []
        if session.scalar(
            select(Document.id).where(Document.instance_id == instance_id, Document.status != ISSUED).limit(1)
        ):
            raise NotYet(30, "文书尚未全部出具，稍后归档")
        done = set(session.scalars(select(ArchiveRecord.document_id).where(ArchiveRecord.instance_id == instance_id)))
        has_dossier = session.scalar(select(ArchiveRecord.id).where(ArchiveRecord.dossier_of == instance_id))
        staged = {
            row.item: row
            for row in session.scalars(select(ArchiveStaging).where(ArchiveStaging.instance_id == instance_id))
        }
        documents = session.scalars(
            select(Document).where(Document.instance_id == instance_id).order_by(Document.number)
        ).all()
        content = manifest.build(session, instance) if has_dossier is None and DOSSIER not in staged else None
        session.expunge_all()
    rows: list[ArchiveStaging] = []
    for document in documents:
        if document.id not in done:
            rows.append(staged.get(document.id) or stage(ctx, _staged_document(actx, instance, document)))
    if has_dossier is None:
        rows.append(staged.get(DOSSIER) or stage(ctx, _staged_dossier(actx, instance, content or {})))
    return [_upload(actx, row) for row in rows]


def record(session: Session, actx: ArchiveContext, uploaded: list[Uploaded]) -> list[ArchiveRecord]:
    """One short transaction: the records, their 档号 and their audit; the staged bytes go."""
    made = []
    for done in uploaded:
        staged = session.get(ArchiveStaging, done.staging_id)
        if staged is None:  # another run recorded it first
            continue
        instance = session.get_one(Instance, staged.instance_id)
        made.append(_record(session, actx, instance, staged, done))
        session.delete(staged)
    session.flush()
    return made


def _record(
    session: Session, actx: ArchiveContext, instance: Instance, staged: ArchiveStaging, done: Uploaded
) -> ArchiveRecord:
    unit = actx.unit_facts(session, instance.unit_code)
    retention_class = RetentionClass(staged.retention_class)
    persons = staged.persons
    record = ArchiveRecord(
        kind=staged.kind,
        document_id=staged.document_id,
        dossier_of=instance.id if staged.kind == DOSSIER else None,
        instance_id=instance.id,
        process_key=instance.process_key,
        title=staged.title,
        number=staged.number,
        unit_code=instance.unit_code,
        unit_name=str(unit.get("unit_name") or instance.unit_code),
        credit_code=unit.get("credit_code"),
        persons=persons,
        departments=_departments(session, instance.id),
        record_date=staged.record_date,
        retention_class=retention_class.value,
        retain_until=Retention.of(retention_class, staged.record_date).until,
        archival_code=archival_code(session, actx, retention_class, instance.process_key, staged.record_date.year),
        object_key=staged.key,
        version_id=done.version_id,
        sha256=staged.sha256,
        size=len(staged.data),
        mime=staged.mime,
        content_text=staged.text,
        search_text=search_text(
            staged.title,
            staged.number or "",
            str(unit.get("unit_name") or ""),
            str(unit.get("credit_code") or ""),
            " ".join(f"{p['name']} {p['id_number']}" for p in persons),
            instance.title,
            staged.text,
        ),
        person_text=search_text(*(f"{p['name']} {p['id_number']}" for p in persons)),
        unit_text=search_text(str(unit.get("unit_name") or "")),
        checks=done.checks,
        checks_passed=bool(done.checks["passed"]),
        checked_at=utcnow(),
        lta_renew_by=done.lta_renew_by,
    )
    session.add(record)
    session.flush()
    audit.record(
        session,
        actor=SYSTEM_ACTOR,
        action="archive_ingest",
        instance_id=instance.id,
        details={
            "record_id": record.id,
            "kind": staged.kind,
            "archival_code": record.archival_code,
            "sha256": staged.sha256,
            "checks_passed": record.checks_passed,
            "failures": record.checks["failures"],
        },
    )
    return record


def ingest_instance(ctx: EngineContext, actx: ArchiveContext, instance_id: str) -> list[ArchiveRecord]:
    """Archive a finished matter now (what the worker does through the outbox)."""
    uploaded = prepare(ctx, actx, instance_id)
    with ctx.transaction() as session:
        return record(session, actx, uploaded)


def outbox_handler(ctx: EngineContext, actx: ArchiveContext) -> Staged[list[Uploaded]]:
    return Staged(
        prepare=lambda message: prepare(ctx, actx, str(message.payload["instance_id"])),
        apply=lambda session, _message, uploaded: record(session, actx, uploaded),
    )


def request_on_end(session: Session, instance: Instance) -> None:
    """The matter ended: archive it (on the archive queue, once its documents are issued)."""
    emit(session, TOPIC, {"instance_id": instance.id})

"""Ingest at the end of each matter: every issued document (upgraded to
B-LTA) and the matter's dossier become archive records, each stored with its
retention, described, indexed, and checked.

Runs in the worker's transaction for ``instance.finished``: a failure leaves
no record (the transaction rolls back; an object already written stays in the
store, unreferenced and harmless, since keys are content addresses) and the
outbox retries. A record is never made twice: one per document, one dossier
per matter.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from asn1crypto import x509 as asn1_x509
from pyhanko.sign.timestamps import TimeStamper
from sqlalchemy import select
from sqlalchemy.orm import Session

from archive import checks, lta, manifest
from archive.models import DOCUMENT, DOSSIER, ArchiveRecord
from archive.text import search_text
from engine import audit, clock
from engine.db import as_utc, utcnow
from engine.models import Instance, Task
from engine.outbox import Handler
from engine.records import OutboxMessage
from engine.sequences import next_number
from signatures.models import ISSUED, Document
from signatures.pki import SigningIdentity
from signatures.signing import ValidationData
from storage import LocalAttachmentStore
from storage.archive import RETENTION_CODES, ArchiveRefused, ArchiveStore, Retention, RetentionClass, sha256_hex

SYSTEM_ACTOR = "system"
FINAL = ("completed", "rejected", "withdrawn", "cancelled")
# 保管期限: approvals and certificates that found a body are kept forever, staff records 30 years.
DOCUMENT_RETENTION = {
    "institution_approval": RetentionClass.PERMANENT,
    "legal_person_certificate": RetentionClass.PERMANENT,
    "credit_code_notice": RetentionClass.PERMANENT,
    "domain_confirmation": RetentionClass.YEARS_10,
    "staff_quota_notice": RetentionClass.YEARS_30,
    "staff_entry_notice": RetentionClass.YEARS_30,
    "staff_exit_notice": RetentionClass.YEARS_30,
}
DOSSIER_RETENTION = {
    "institution_setup": RetentionClass.PERMANENT,
    "credit_code": RetentionClass.PERMANENT,
    "staff_entry": RetentionClass.YEARS_30,
    "staff_exit": RetentionClass.YEARS_30,
}
MATTER_CODES = {
    "institution_setup": "JGSL",
    "credit_code": "FM",
    "domain_name": "YM",
    "staff_entry": "RB",
    "staff_exit": "CB",
}

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

    @property
    def roots(self) -> list[asn1_x509.Certificate]:
        return list(self.validation.trust_roots)


def archival_code(
    session: Session, actx: ArchiveContext, retention: RetentionClass, process_key: str, year: int
) -> str:
    """档号: 全宗号-年度-保管期限-事项-件号, the 件号 counting per year, period and matter."""
    matter = MATTER_CODES.get(process_key, "QT")
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


def _record(
    session: Session,
    actx: ArchiveContext,
    instance: Instance,
    *,
    kind: str,
    title: str,
    data: bytes,
    mime: str,
    extension: str,
    retention_class: RetentionClass,
    record_date: date,
    number: str | None,
    persons: list[dict[str, str]],
    text: str,
    document_id: str | None,
    report: Callable[[str, str, str], dict[str, Any]],
) -> ArchiveRecord:
    unit = actx.unit_facts(session, instance.unit_code)
    digest = sha256_hex(data)
    key = f"records/{record_date.year}/{digest}.{extension}"
    retention = Retention.of(retention_class, record_date)
    stored = actx.store.put(
        key, data, content_type=mime, retention=retention, metadata={"instance": instance.id, "kind": kind}
    )
    departments = _departments(session, instance.id)
    record = ArchiveRecord(
        kind=kind,
        document_id=document_id,
        dossier_of=instance.id if kind == DOSSIER else None,
        instance_id=instance.id,
        process_key=instance.process_key,
        title=title,
        number=number,
        unit_code=instance.unit_code,
        unit_name=str(unit.get("unit_name") or instance.unit_code),
        credit_code=unit.get("credit_code"),
        persons=persons,
        departments=departments,
        record_date=record_date,
        retention_class=retention_class.value,
        retain_until=retention.until,
        archival_code=archival_code(session, actx, retention_class, instance.process_key, record_date.year),
        object_key=key,
        version_id=stored.version_id,
        sha256=digest,
        size=len(data),
        mime=mime,
        content_text=text[:100_000],
        search_text=search_text(
            title,
            number or "",
            str(unit.get("unit_name") or ""),
            str(unit.get("credit_code") or ""),
            " ".join(f"{p['name']} {p['id_number']}" for p in persons),
            instance.title,
            text,
        ),
        person_text=search_text(*(f"{p['name']} {p['id_number']}" for p in persons)),
        unit_text=search_text(str(unit.get("unit_name") or "")),
    )
    record.checks = report(key, stored.version_id, digest)
    record.checks_passed = bool(record.checks["passed"])
    record.checked_at = utcnow()
    session.add(record)
    session.flush()
    audit.record(
        session,
        actor=SYSTEM_ACTOR,
        action="archive_ingest",
        instance_id=instance.id,
        details={
            "record_id": record.id,
            "kind": kind,
            "archival_code": record.archival_code,
            "sha256": digest,
            "checks_passed": record.checks_passed,
            "failures": record.checks["failures"],
        },
    )
    return record


def ingest_document(session: Session, actx: ArchiveContext, instance: Instance, document: Document) -> ArchiveRecord:
    assert document.sha256 is not None
    upgraded = lta.upgrade(actx.documents.path(document.sha256).read_bytes(), actx.timestamper, actx.validation)
    record = _record(
        session,
        actx,
        instance,
        kind=DOCUMENT,
        title=f"{document.title}（{document.number}）",
        data=upgraded,
        mime="application/pdf",
        extension="pdf",
        retention_class=DOCUMENT_RETENTION.get(document.kind, RetentionClass.YEARS_30),
        record_date=document.issued_on,
        number=document.number,
        persons=persons_in(document.facts),
        text=checks.pdf_text(upgraded),
        document_id=document.id,
        report=lambda key, version, digest: checks.check_document(actx.store, key, version, digest, actx.roots),
    )
    record.lta_renew_by = lta.renew_by(upgraded)
    return record


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


def ingest_dossier(session: Session, actx: ArchiveContext, instance: Instance) -> ArchiveRecord:
    content = manifest.build(session, instance)
    finished = clock.business_day(as_utc(instance.finished_at or utcnow()))
    retention_class = DOSSIER_RETENTION.get(instance.process_key, RetentionClass.YEARS_10)
    _archive_attachments(actx, content, Retention.of(retention_class, finished))
    signed = manifest.sign(content, actx.identity())
    facts: dict[str, Any] = {"application": instance.application, **(instance.results or {})}
    text = " ".join(f"{o['task']} {o['opinion'] or ''}" for o in content["opinions"])
    return _record(
        session,
        actx,
        instance,
        kind=DOSSIER,
        title=f"{instance.title}（案卷）",
        data=signed,
        mime="application/json",
        extension="json",
        retention_class=retention_class,
        record_date=finished,
        number=None,
        persons=persons_in(facts),
        text=text,
        document_id=None,
        report=lambda key, version, digest: checks.check_dossier(
            actx.store,
            key,
            version,
            digest,
            lambda data: manifest.verify(data, actx.roots),
            lambda entry: attachment_archived(actx, entry),
        ),
    )


def ingest_instance(session: Session, actx: ArchiveContext, instance_id: str) -> list[ArchiveRecord]:
    instance = session.get(Instance, instance_id)
    if instance is None or instance.status not in FINAL:
        return []
    made = []
    archived = set(session.scalars(select(ArchiveRecord.document_id).where(ArchiveRecord.instance_id == instance_id)))
    documents = session.scalars(
        select(Document).where(Document.instance_id == instance_id, Document.status == ISSUED).order_by(Document.number)
    ).all()
    for document in documents:
        if document.id not in archived:
            made.append(ingest_document(session, actx, instance, document))
    if session.scalar(select(ArchiveRecord.id).where(ArchiveRecord.dossier_of == instance_id)) is None:
        made.append(ingest_dossier(session, actx, instance))
    return made


def outbox_handler(actx: ArchiveContext) -> Handler:
    def on_finished(session: Session, message: OutboxMessage) -> None:
        ingest_instance(session, actx, str(message.payload["instance_id"]))

    return on_finished

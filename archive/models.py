"""Archive records: one per issued document and one per matter dossier; and the
exports of a search's records that archivists ask for (run by the worker)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from kernel.db import Base, utcnow

DOCUMENT, DOSSIER = "document", "dossier"
QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"


class ArchiveRecord(Base):
    __tablename__ = "archive_records"
    __table_args__ = (
        Index("ix_archive_records_unit_date", "unit_code", "record_date"),
        Index("ix_archive_records_date", "record_date", "id"),
        # Each equality filter with the newest-first order, so a page reads only its own rows.
        Index("ix_archive_records_matter_date", "process_key", "record_date"),
        Index("ix_archive_records_retention_date", "retention_class", "record_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))  # document | dossier
    # One record per document and one dossier per matter, however often ingest runs.
    document_id: Mapped[str | None] = mapped_column(ForeignKey("documents.id"), unique=True)
    dossier_of: Mapped[str | None] = mapped_column(String(36), unique=True)
    instance_id: Mapped[str | None] = mapped_column(String(36), index=True)
    process_key: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(300))
    number: Mapped[str | None] = mapped_column(String(60), index=True)  # 文号
    unit_code: Mapped[str] = mapped_column(String(64))
    unit_name: Mapped[str] = mapped_column(String(200))
    credit_code: Mapped[str | None] = mapped_column(String(18), index=True)
    persons: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    departments: Mapped[str] = mapped_column(String(300), default="")  # " bianban caizheng "
    record_date: Mapped[date] = mapped_column(Date)
    archived_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    retention_class: Mapped[str] = mapped_column(String(8))
    retain_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    archival_code: Mapped[str] = mapped_column(String(80), unique=True)  # 档号
    object_key: Mapped[str] = mapped_column(String(300))
    version_id: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(Integer)
    mime: Mapped[str] = mapped_column(String(100))
    content_text: Mapped[str] = mapped_column(Text, default="")
    search_text: Mapped[str] = mapped_column(Text, default="")
    person_text: Mapped[str] = mapped_column(Text, default="")
    unit_text: Mapped[str] = mapped_column(Text, default="")
    checks: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    checks_passed: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    checked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    lta_renew_by: Mapped[date | None] = mapped_column(Date, index=True)


class ArchiveStaging(Base):
    """The bytes of a record about to be archived, kept until its record exists.

    The archive copy of a document carries a fresh timestamp and a dossier a
    fresh signature, so making them again gives different bytes and a new
    object key. Keeping the first bytes here, before uploading, means a job
    killed after its upload uploads the same object again on retry (the store
    returns the stored version) and never leaves a retention-locked orphan.
    """

    __tablename__ = "archive_staging"
    __table_args__ = (UniqueConstraint("instance_id", "item"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[str] = mapped_column(String(36))
    item: Mapped[str] = mapped_column(String(36))  # the document's id, or "dossier"
    kind: Mapped[str] = mapped_column(String(12))
    document_id: Mapped[str | None] = mapped_column(String(36))
    title: Mapped[str] = mapped_column(String(300))
    number: Mapped[str | None] = mapped_column(String(60))
    persons: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    record_date: Mapped[date] = mapped_column(Date)
    retention_class: Mapped[str] = mapped_column(String(8))
    key: Mapped[str] = mapped_column(String(300))
    sha256: Mapped[str] = mapped_column(String(64))
    mime: Mapped[str] = mapped_column(String(100))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ArchiveExport(Base):
    """One export of a search's records into a ZIP (files and manifests), made by
    the worker; ``done`` of ``total`` is its progress, committed as it goes."""

    __tablename__ = "archive_exports"
    __table_args__ = (Index("ix_archive_exports_requester", "requested_by", "requested_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    requested_by: Mapped[str] = mapped_column(String(100))  # username
    unit_scope: Mapped[str | None] = mapped_column(String(64))  # None: the whole archive
    query: Mapped[dict[str, Any]] = mapped_column(JSON)
    reason: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(12), default=QUEUED, index=True)  # queued|running|done|failed
    attempt: Mapped[int] = mapped_column(Integer, default=0)  # each (re)start; an older run stops
    total: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)
    mismatched: Mapped[int] = mapped_column(Integer, default=0)
    file_name: Mapped[str | None] = mapped_column(String(200))  # under the exports folder
    size: Mapped[int | None] = mapped_column(BigInteger)
    sha256: Mapped[str | None] = mapped_column(String(64))
    error: Mapped[str | None] = mapped_column(Text)
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    progress_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # the running export's heartbeat
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

"""Reading issued documents: a matter's list, the audited download, and the
public lookup behind a document's QR code.

Who may read: whoever may see the matter (its unit, the departments that
acted on it, admins) and archivists. The public lookup by verification code
shows only what the document itself shows anyone holding it, never its
personal data.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from documents.models import ISSUED, Document
from engine.context import EngineContext
from engine.models import Instance
from engine.services.access import visible_instance
from kernel import audit
from kernel.actors import ARCHIVIST, Actor
from kernel.db import as_utc
from kernel.errors import NotFound
from storage import LocalAttachmentStore

STATUS_TEXT = {"pending": "出具中", "issued": "已出具"}


def summary(document: Document) -> dict[str, Any]:
    return {
        "id": document.id,
        "instance_id": document.instance_id,
        "kind": document.kind,
        "title": document.title,
        "number": document.number,
        "issuer": document.issuer,
        "issued_on": document.issued_on.isoformat(),
        "status": document.status,
        "status_text": STATUS_TEXT.get(document.status, document.status),
        "sha256": document.sha256,
        "size": document.size,
        "signer": document.signer,
        "signed_at": as_utc(document.signed_at).isoformat() if document.signed_at else None,
    }


def _readable_instance(session: Session, actor: Actor, instance_id: str) -> Instance:
    if ARCHIVIST in actor.roles:
        instance = session.get(Instance, instance_id)
        if instance is None:
            raise NotFound("instance_not_found", "事项不存在或无权查看")
        return instance
    return visible_instance(session, actor, instance_id)


def list_for_instance(ctx: EngineContext, actor: Actor, instance_id: str) -> list[dict[str, Any]]:
    with ctx.reading() as session:
        instance = _readable_instance(session, actor, instance_id)
        documents = session.scalars(
            select(Document).where(Document.instance_id == instance.id).order_by(Document.requested_at, Document.number)
        ).all()
        return [summary(d) for d in documents]


def for_download(ctx: EngineContext, actor: Actor, document_id: str, store: LocalAttachmentStore) -> dict[str, Any]:
    """The issued document's summary if ``actor`` may read it; the download is audited."""
    with ctx.transaction() as session:
        document = session.get(Document, document_id)
        if document is None:
            raise NotFound("document_not_found", "文书不存在或无权查看")
        try:
            instance = _readable_instance(session, actor, document.instance_id)
        except NotFound:
            raise NotFound("document_not_found", "文书不存在或无权查看") from None
        if document.status != ISSUED or document.sha256 is None or not store.exists(document.sha256):
            raise NotFound("document_not_ready", "文书正在出具，请稍后再试")
        audit.access(
            session,
            actor=actor.username,
            action="download_document",
            instance_id=instance.id,
            status=instance.status,
            details={"document_id": document.id, "number": document.number, "sha256": document.sha256},
        )
        return summary(document)


def public_record(ctx: EngineContext, *, code: str | None = None, sha256: str | None = None) -> dict[str, Any] | None:
    """What the platform recorded for a document, found by its QR code or its hash."""
    with ctx.reading() as session:
        query = select(Document).where(Document.status == ISSUED)
        if code is not None:
            query = query.where(Document.verify_code == code)
        elif sha256 is not None:
            query = query.where(Document.sha256 == sha256)
        else:
            return None
        document = session.scalars(query).first()
        if document is None:
            return None
        return {
            "number": document.number,
            "title": document.title,
            "issuer": document.issuer,
            "issued_on": document.issued_on.isoformat(),
            "sha256": document.sha256,
            "size": document.size,
            "signed_at": as_utc(document.signed_at).isoformat() if document.signed_at else None,
        }

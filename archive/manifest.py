"""The dossier of a finished matter as one signed JSON manifest: the matter,
the application as submitted, every opinion, the attachments (by hash) and
the audit trail. The archive signs the canonical JSON with a detached CMS
signature (CAdES-style) carried next to it in the same file."""

from __future__ import annotations

import asyncio
import base64
import json
from typing import Any

from asn1crypto import cms
from asn1crypto import x509 as asn1_x509
from pyhanko.sign import signers
from pyhanko.sign.validation.generic_cms import async_validate_detached_cms
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore
from sqlalchemy import select
from sqlalchemy.orm import Session

from documents.models import Document
from engine import replay
from engine.models import Attachment, Instance, Task
from engine.vocabulary import TaskStatus
from kernel.db import as_utc
from kernel.records import AuditEvent
from signatures.pki import SigningIdentity


def canonical(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def _iso(value: Any) -> str | None:
    return as_utc(value).isoformat() if value is not None else None


def build(session: Session, instance: Instance) -> dict[str, Any]:
    tasks = session.scalars(
        select(Task)
        .where(Task.instance_id == instance.id, Task.state == TaskStatus.COMPLETED)
        .order_by(Task.completed_at)
    ).all()
    events = session.scalars(select(AuditEvent).where(AuditEvent.instance_id == instance.id).order_by(AuditEvent.id))
    files = session.scalars(select(Attachment).where(Attachment.instance_id == instance.id).order_by(Attachment.id))
    documents = session.scalars(select(Document).where(Document.instance_id == instance.id).order_by(Document.number))
    return {
        "matter": {
            "instance_id": instance.id,
            "number": instance.number,
            "process_key": instance.process_key,
            "version": instance.process_version,
            "title": instance.title,
            "unit_code": instance.unit_code,
            "status": instance.status,
            "outcome": instance.outcome,
            "created_at": _iso(instance.created_at),
            "finished_at": _iso(instance.finished_at),
        },
        "application": instance.application,
        "results": instance.results,
        "opinions": [
            {
                "task": t.title,
                "department": t.department,
                "decision": t.decision,
                "opinion": t.opinion,
                "completed_at": _iso(t.completed_at),
            }
            for t in tasks
        ],
        "attachments": [
            {"name": f.name, "sha256": f.sha256, "size": f.size, "content_type": f.content_type} for f in files
        ],
        "documents": [{"kind": d.kind, "number": d.number, "sha256": d.sha256} for d in documents],
        "audit": [
            {"seq": e.id, "at": _iso(e.created_at), "actor": e.actor, "action": e.action, "hash": e.hash}
            for e in events
        ],
        # 案卷回放: the matter's history frame by frame (each step's state at each event)
        "replay": replay.frames(session, instance.id),
    }


def sign(manifest: dict[str, Any], identity: SigningIdentity) -> bytes:
    signer = signers.SimpleSigner(
        signing_cert=identity.certificate,
        signing_key=identity.key,
        cert_registry=SimpleCertificateStore.from_certs(list(identity.chain)),  # type: ignore[no-untyped-call]
    )
    signed = asyncio.run(signer.async_sign_general_data(canonical(manifest), "sha256", detached=True))
    envelope = {
        "manifest": manifest,
        "signature": {
            "format": "CMS detached, SHA-256, over the canonical JSON",
            "cms": base64.b64encode(signed.dump()).decode(),
        },
    }
    return json.dumps(envelope, ensure_ascii=False, indent=1).encode()


def verify(data: bytes, roots: list[asn1_x509.Certificate]) -> tuple[bool, str]:
    try:
        envelope = json.loads(data)
        content = cms.ContentInfo.load(base64.b64decode(envelope["signature"]["cms"]))
        status = asyncio.run(
            async_validate_detached_cms(
                canonical(envelope["manifest"]), content["content"], ValidationContext(trust_roots=roots)
            )
        )
    except (ValueError, KeyError, TypeError) as exc:
        return False, f"案卷清单签名无法读取：{exc}"
    if not (status.intact and status.valid):
        return False, "案卷清单签名后被改动"
    if not status.trusted:
        return False, "案卷清单签名证书不受信任"
    return True, "案卷清单签名有效"


def unwrap(data: bytes) -> dict[str, Any]:
    manifest: dict[str, Any] = json.loads(data)["manifest"]
    return manifest

"""Issuing a matter's documents, idempotently.

1. **Request** (a BPMN service task, inside the step's transaction): each
   kind gets its row with a 文号 from its department's yearly series and a
   snapshot of the facts it states. A rolled-back step gives the number back;
   a committed one keeps it until the document exists, so there are no gaps,
   and the (matter, kind) key means a repeated request numbers nothing twice.
2. **Issue** (a staged outbox handler on the documents queue): every pending
   row of the matter is rendered, sealed, signed, timestamped and stored with
   no transaction open; then one short transaction marks each issued with its
   hash and the audit trail records it. A failure records nothing and the
   outbox retries; the number stays the same.
3. When nothing is pending, the matter's waiting catch event receives the
   ``documents_issued`` message and the matter ends. The applicant's 办结
   notice waits for that too (:func:`after_documents`).
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from documents.kinds import Kinds, kind_of
from documents.models import ISSUED, PENDING, Document
from documents.pipeline import DocumentPipeline
from documents.render import DocumentOrder
from engine import step_context
from engine.context import EngineContext
from engine.models import Instance, Task
from engine.services import messages
from engine.vocabulary import TaskStatus
from kernel import audit, clock, outbox
from kernel.accounts import Department
from kernel.actors import UNITS_DEPARTMENTS
from kernel.db import utcnow
from kernel.outbox import AnyHandler, Handler, Staged
from kernel.records import OutboxMessage
from kernel.sequences import next_number

DOCUMENTS_ISSUED = "documents_issued"  # the BPMN message a matter waits for
REQUESTED_TOPIC = "documents.requested"
outbox.route(REQUESTED_TOPIC, "documents")
SYSTEM_ACTOR = "system"

UnitFacts = Callable[[Session, str], dict[str, Any]]
"""What the register knows of a matter's unit: name, credit code."""


@dataclass(frozen=True)
class Naming:
    """How this installation names its issuer and numbers (示范市, 示编〔2026〕1号)."""

    region: str = "示范市"
    prefix: str = "示"
    public_base_url: str = "http://127.0.0.1:8000"

    def issuer(self, department_name: str) -> str:
        return department_name if department_name.startswith(self.region) else f"{self.region}{department_name}"

    def verify_url(self, code: str) -> str:
        return f"{self.public_base_url.rstrip('/')}/verify/{code}"


def request(
    session: Session, instance: Instance, wanted: list[str], facts: dict[str, Any], naming: Naming, kinds: Kinds
) -> list[Document]:
    """Number and record the documents ``wanted`` (kind keys) of ``instance`` (once per kind)."""
    today = clock.business_day(utcnow())
    existing = {d.kind: d for d in session.scalars(select(Document).where(Document.instance_id == instance.id))}
    made = []
    for key in wanted:
        if key in existing:
            made.append(existing[key])
            continue
        kind = kind_of(kinds, key)
        department = session.get(Department, kind.department)
        issuer = naming.issuer(department.name if department else kind.department)
        number = kind.number(naming.prefix, today.year, next_number(session, kind.sequence_name, today.year))
        stated = {
            **facts,
            "document": {
                "kind": kind.key,
                "title": kind.title,
                "number": number,
                "issuer": issuer,
                "issued_on": today.isoformat(),
                # 版记: the other departments that acted on the matter are copied (抄送).
                "copied_to": [naming.issuer(name) for name in _acting_departments(session, instance, kind.department)],
            },
        }
        document = Document(
            id=str(uuid.uuid4()),
            instance_id=instance.id,
            kind=kind.key,
            title=kind.title,
            number=number,
            department=kind.department,
            issuer=issuer,
            issued_on=today,
            facts=stated,
            verify_code=secrets.token_urlsafe(16),
            status=PENDING,
        )
        session.add(document)
        made.append(document)
    session.flush()
    outbox.emit(session, REQUESTED_TOPIC, {"instance_id": instance.id, "kinds": list(kinds)})
    return made


def _acting_departments(session: Session, instance: Instance, issuing: str) -> list[str]:
    """Names of the departments that decided a step of the matter, in the order they first acted."""
    codes = session.scalars(
        select(Task.department)
        .where(
            Task.instance_id == instance.id,
            Task.state == TaskStatus.COMPLETED,
            Task.department.not_in(UNITS_DEPARTMENTS),
        )
        .order_by(Task.completed_at)
    ).all()
    ordered = [code for code in dict.fromkeys(codes) if code != issuing]
    names = dict(
        session.execute(select(Department.code, Department.name).where(Department.code.in_(ordered))).tuples().all()
    )
    return [names.get(code, code) for code in ordered]


def request_service(naming: Naming, unit_facts: UnitFacts, kinds: Kinds) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """The ``documents.request`` operation for BPMN service tasks: parameter
    ``kinds`` names the documents, every other parameter is a fact they state."""

    def request_documents(params: dict[str, Any]) -> dict[str, Any]:
        step = step_context.current()
        instance = step.instance
        facts = {k: v for k, v in params.items() if k != "kinds"}
        facts["matter"] = {
            "instance_id": instance.id,
            "process_key": instance.process_key,
            "title": instance.title,
            "unit_code": instance.unit_code,
            **unit_facts(step.session, instance.unit_code),
        }
        made = request(step.session, instance, [str(k) for k in params["kinds"]], facts, naming, kinds)
        return {"requested": [{"kind": d.kind, "title": d.title, "number": d.number} for d in made]}

    return request_documents


@dataclass(frozen=True)
class Issued:
    """A document produced outside the transaction, to be recorded."""

    document_id: str
    sha256: str
    size: int
    signer: str
    signed_at: Any


def produce_pending(
    ctx: EngineContext, pipeline: DocumentPipeline, naming: Naming, kinds: Kinds, instance_id: str
) -> list[Issued]:
    """Render, seal, sign, timestamp and store every pending document, with no transaction open."""
    with ctx.reading() as session:
        pending = session.scalars(
            select(Document)
            .where(Document.instance_id == instance_id, Document.status == PENDING)
            .order_by(Document.number)
        ).all()
        session.expunge_all()
    made = []
    for document in pending:
        order = DocumentOrder(
            kind=kind_of(kinds, document.kind),
            number=document.number,
            issuer=document.issuer,
            issued_on=document.issued_on,
            facts=document.facts,
            verify_url=naming.verify_url(document.verify_code),
        )
        produced = pipeline.produce(order, seal_name=document.issuer)
        made.append(Issued(document.id, produced.sha256, len(produced.pdf), produced.signer, produced.signed_at))
    return made


def record_issued(ctx: EngineContext, session: Session, instance_id: str, made: list[Issued]) -> list[Document]:
    """One short transaction: each still-pending document is issued; then the matter is told."""
    produced = {m.document_id: m for m in made}
    pending = session.scalars(
        select(Document)
        .where(Document.instance_id == instance_id, Document.status == PENDING)
        .order_by(Document.number)
        .with_for_update()
    ).all()
    issued = []
    for document in pending:
        result = produced.get(document.id)
        if result is None:  # requested after this run read the pending ones: the next run issues it
            continue
        document.status, document.sha256, document.size = ISSUED, result.sha256, result.size
        document.storage_key, document.signer, document.signed_at = result.sha256, result.signer, result.signed_at
        issued.append(document)
        audit.record(
            session,
            actor=SYSTEM_ACTOR,
            action="document_issued",
            instance_id=instance_id,
            details={
                "kind": document.kind,
                "number": document.number,
                "sha256": result.sha256,
                "size": result.size,
                "signer": result.signer,
            },
        )
    session.flush()
    if len(issued) < len(pending):
        outbox.emit(session, REQUESTED_TOPIC, {"instance_id": instance_id, "kinds": []})
    elif issued:
        every = session.scalars(select(Document).where(Document.instance_id == instance_id)).all()
        payload = {"documents": [{"kind": d.kind, "number": d.number, "sha256": d.sha256} for d in every]}
        messages.deliver(ctx, session, instance_id, DOCUMENTS_ISSUED, payload, label="文书已出具")
    return issued


def issue_pending(
    ctx: EngineContext, pipeline: DocumentPipeline, naming: Naming, kinds: Kinds, instance_id: str
) -> list[Document]:
    """Produce and record every pending document of the matter now (what the worker does)."""
    made = produce_pending(ctx, pipeline, naming, kinds, instance_id)
    with ctx.transaction() as session:
        return record_issued(ctx, session, instance_id, made)


def after_documents(handler: Handler) -> Handler:
    """``handler`` once the matter's documents are all issued (the 办结 notice points at them)."""

    def when_issued(session: Session, message: OutboxMessage) -> None:
        instance_id = message.payload.get("instance_id")
        waiting = session.scalar(
            select(Document.id).where(Document.instance_id == instance_id, Document.status == PENDING).limit(1)
        )
        if waiting is not None:
            raise outbox.NotYet(15, "文书尚未出具")
        handler(session, message)

    return when_issued


def outbox_handlers(
    ctx: EngineContext, pipeline: DocumentPipeline, naming: Naming, kinds: Kinds
) -> dict[str, AnyHandler]:
    return {
        REQUESTED_TOPIC: Staged(
            prepare=lambda message: produce_pending(ctx, pipeline, naming, kinds, str(message.payload["instance_id"])),
            apply=lambda session, message, made: record_issued(ctx, session, str(message.payload["instance_id"]), made),
        )
    }

"""A finished matter's documents: numbered once, issued by the worker, the
matter told; retries issue nothing twice; numbers have no gaps under load."""

from __future__ import annotations

import io
import json
import threading
import uuid
from typing import Any

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select, update

from documents.issuance import REQUESTED_TOPIC, Naming, request
from documents.models import ISSUED, PENDING, Document
from documents.render import ATTACHMENT_NAME, attachment_bytes
from engine import services
from engine.models import Instance
from engine.services.instances import acceptance_number
from kernel import clock
from kernel.db import utcnow
from kernel.outbox import drain, emit
from kernel.records import AuditEvent, Incident, OutboxMessage
from kernel.sequences import Sequence
from onestop.bootstrap import Platform
from processes import catalogue as matters
from signatures.verification import verify_pdf
from tests.conftest import actors_of
from tests.engine.helpers import add_clerk, decide, issue_documents

BASE = {"approval_doc_no": "示编〔2026〕21号", "contact_person": "刘洋", "contact_phone": "13900139000"}


KINDS = matters.load().document_kinds()


def approved_credit_code_matter(platform: Platform) -> str:
    add_clerk(platform, "bureau_clerk", "demo-unit-002")
    actors = actors_of(platform)
    iid = str(
        services.start(platform.ctx, actors["bureau_clerk"], process_key="credit_code", data={**BASE, "action": "new"})[
            "id"
        ]
    )
    assert decide(platform.ctx, actors["bianban"], iid)["status"] == "running"
    return iid


def documents_of(platform: Platform, iid: str) -> list[Document]:
    with platform.ctx.reading() as session:
        found = list(session.scalars(select(Document).where(Document.instance_id == iid)))
        session.expunge_all()  # keep the loaded values past the read-only transaction
        return found


def issued_events(platform: Platform, iid: str) -> int:
    with platform.ctx.reading() as session:
        return int(
            session.scalar(
                select(func.count()).where(AuditEvent.instance_id == iid, AuditEvent.action == "document_issued")
            )
            or 0
        )


def test_a_finished_matter_issues_its_document_and_then_ends(platform: Platform) -> None:
    iid = approved_credit_code_matter(platform)
    [waiting] = documents_of(platform, iid)
    assert waiting.status == PENDING and waiting.number == f"示编码〔{clock.today().year}〕1号"
    assert services.get(platform.ctx, actors_of(platform)["admin"], iid)["status"] == "running"

    assert issue_documents(platform, iid) == "completed"
    [document] = documents_of(platform, iid)
    assert document.status == ISSUED and document.number == waiting.number and document.sha256
    pdf = platform.documents.path(document.sha256).read_bytes()
    assert len(pdf) == document.size
    report = verify_pdf(pdf, list(platform.pipeline.validation.trust_roots))
    assert report.valid and report.document_number == document.number
    attached = PdfReader(io.BytesIO(pdf)).attachments[ATTACHMENT_NAME][0]
    assert attached == attachment_bytes(document.facts)
    facts = json.loads(attached)
    code = services.get(platform.ctx, actors_of(platform)["admin"], iid)["data"]["results"]["credit_code"]["code"]
    assert facts["credit_code"]["code"] == code and facts["document"]["number"] == document.number
    assert facts["matter"]["unit_code"] == "demo-unit-002"
    assert issued_events(platform, iid) == 1
    with platform.ctx.reading() as session:
        history = [e.action for e in session.scalars(select(AuditEvent).where(AuditEvent.instance_id == iid))]
    assert history[history.index("document_issued") + 1] == "message"  # issued, then the matter is told
    assert history[-2:] == ["archive_ingest", "archive_ingest"]  # then archived: the notice and the dossier


def test_a_failed_job_is_retried_with_the_same_number_and_nothing_twice(
    sqlite_platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    platform = sqlite_platform
    iid = approved_credit_code_matter(platform)
    real_produce = platform.pipeline.produce
    calls: list[str] = []

    def failing_once(order: Any, **kwargs: Any) -> Any:
        calls.append(order.number)
        produced = real_produce(order, **kwargs)  # rendered, signed and even stored...
        if len(calls) == 1:
            raise OSError("存储暂时不可用")  # ...then the job dies before it is recorded
        return produced

    monkeypatch.setattr(platform.pipeline, "produce", failing_once)
    sf, handlers = platform.ctx.session_factory, platform.ctx.outbox_handlers
    first = drain(sf, handlers)
    assert first.retried == 1 and first.done >= 0
    [document] = documents_of(platform, iid)
    assert document.status == PENDING and issued_events(platform, iid) == 0
    with platform.ctx.transaction() as session:  # the back-off has passed
        session.execute(update(OutboxMessage).values(available_at=utcnow()))
    assert drain(sf, handlers).retried == 0
    [document] = documents_of(platform, iid)
    assert document.status == ISSUED and calls == [document.number, document.number]

    # The same request delivered again (a redelivered message) changes nothing.
    with platform.ctx.transaction() as session:
        emit(session, REQUESTED_TOPIC, {"instance_id": iid, "kinds": ["credit_code_notice"]})
    assert drain(sf, handlers).done == 1
    assert len(documents_of(platform, iid)) == 1 and issued_events(platform, iid) == 1
    with platform.ctx.reading() as session:
        series = (Sequence.name == "docno:bianban:编码", Sequence.year == clock.today().year)
        last = session.scalar(select(Sequence.last).where(*series))
        assert last == 1
        assert session.get(Instance, iid).status == "completed"  # type: ignore[union-attr]


def _bare_instance(platform: Platform) -> str:
    """A matter row to hang documents on (the numbering is under test, not the process)."""
    with platform.ctx.transaction() as session:
        template = session.scalars(select(Instance)).first()
        assert template is not None
        iid = str(uuid.uuid4())
        session.add(
            Instance(
                id=iid,
                definition_id=template.definition_id,
                process_key="staff_exit",
                process_version=1,
                number=acceptance_number(session),
                title="出编",
                status="running",
                unit_code="demo-unit-001",
                created_by=template.created_by,
                serializer_version=template.serializer_version,
                workflow_meta={},
                application={},
                results={},
            )
        )
    return iid


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)  # SQLite has one writer anyway
def test_numbers_have_no_gaps_under_concurrent_issuance(platform: Platform) -> None:
    assert platform.db.dialect.name == "postgresql"
    approved_credit_code_matter(platform)  # gives a template instance row
    instances = [_bare_instance(platform) for _ in range(24)]
    naming = Naming()
    errors: list[BaseException] = []

    def issue(iid: str, index: int) -> None:
        try:
            with platform.ctx.transaction() as session:
                instance = session.get(Instance, iid)
                assert instance is not None
                request(session, instance, ["staff_exit_notice"], {"matter": {"instance_id": iid}}, naming, KINDS)
                if index % 5 == 0:
                    raise RuntimeError("rolled back: its number goes back")
        except RuntimeError:
            pass
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=issue, args=(iid, i)) for i, iid in enumerate(instances)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    with platform.ctx.reading() as session:
        numbers = sorted(
            int(n.split("〕")[1].rstrip("号"))
            for n in session.scalars(select(Document.number).where(Document.kind == "staff_exit_notice"))
        )
    committed = len([i for i in range(24) if i % 5 != 0])
    assert numbers == list(range(1, committed + 1))


def test_issuance_failing_every_attempt_becomes_an_incident_an_admin_retries(
    sqlite_platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    platform = sqlite_platform
    iid = approved_credit_code_matter(platform)
    real_produce = platform.pipeline.produce

    def timestamp_service_down(order: Any, **kwargs: Any) -> Any:
        raise ConnectionError("时间戳服务不可用")

    monkeypatch.setattr(platform.pipeline, "produce", timestamp_service_down)
    report = drain(platform.ctx.session_factory, platform.ctx.outbox_handlers, max_attempts=1)
    assert report.failed == 1
    admin = actors_of(platform)["admin"]
    [incident] = services.list_incidents(platform.ctx, admin)
    assert incident["source"] == "outbox" and incident["instance_id"] == iid
    assert "documents.requested" in incident["message"]
    [document] = documents_of(platform, iid)
    assert document.status == PENDING  # numbered, waiting; nothing half-issued

    # A retry while the service is still down: the same incident stays open, no second one.
    services.retry(platform.ctx, admin, incident["id"])
    assert [i["id"] for i in services.list_incidents(platform.ctx, admin)] == [incident["id"]]
    assert drain(platform.ctx.session_factory, platform.ctx.outbox_handlers, max_attempts=1).failed == 1
    assert [i["id"] for i in services.list_incidents(platform.ctx, admin)] == [incident["id"]]

    monkeypatch.setattr(platform.pipeline, "produce", real_produce)  # the service is back
    services.retry(platform.ctx, admin, incident["id"])
    assert [i["id"] for i in services.list_incidents(platform.ctx, admin)] == [incident["id"]]  # asked, not done
    assert issue_documents(platform, iid) == "completed"
    assert services.list_incidents(platform.ctx, admin) == []  # the retry succeeded: resolved
    with platform.ctx.reading() as session:
        resolved = session.get_one(Incident, incident["id"])
        assert resolved.resolved_by == "admin" and resolved.retry_requested_by == "admin"
    [document] = documents_of(platform, iid)
    assert document.status == ISSUED and document.number == f"示编码〔{clock.today().year}〕1号"

"""Ingest at the end of a matter, the integrity checks, search and retrieval."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from archive import checks, ingest, manifest
from kernel import clock
from kernel.db import utcnow
from kernel.outbox import drain
from kernel.records import AuditEvent, OutboxMessage
from onestop.bootstrap import Platform
from signatures.verification import verify_pdf
from storage.archive import LocalArchiveStore, Retention, RetentionClass
from tests.api.helpers import add_user, assert_error
from tests.api.test_matters import drive, start
from tests.archive.conftest import records_of
from tests.conftest import Api
from tests.signatures.test_documents import assert_pdf_a3_version
from tests.web.test_pages import HTML, browser, log_in


def test_a_finished_matter_is_archived_checked_and_upgraded_to_lta(
    sqlite_api: Api, sqlite_platform: Platform, archived_exit: str
) -> None:
    records = {r.kind: r for r in records_of(sqlite_platform, archived_exit)}
    assert set(records) == {"document", "dossier"}
    document, dossier = records["document"], records["dossier"]
    assert document.checks_passed, document.checks["failures"]
    assert dossier.checks_passed, dossier.checks["failures"]
    assert {c["group"] for c in document.checks["checks"]} == {"authenticity", "integrity", "usability", "security"}
    assert document.retention_class == "30年" and document.retain_until is not None
    assert document.archival_code.startswith(f"J001-{document.record_date.year}-D30-CB-")
    assert [p["name"] for p in document.persons] == ["陈静"] and document.unit_code == "demo-unit-001"
    assert " bianban " in document.departments and " caizheng " in document.departments

    stored = sqlite_platform.archive.store.get(document.object_key, document.version_id)
    report = verify_pdf(stored, sqlite_platform.archive.roots)
    assert report.valid and len(report.document_timestamps) == 1  # B-LTA: the archive timestamp
    assert report.signatures[0].modification == "LTA_UPDATES"
    assert_pdf_a3_version(stored)  # the archive's timestamp revision keeps it PDF 1.7 (PDF/A-3)

    envelope = sqlite_platform.archive.store.get(dossier.object_key, dossier.version_id)
    assert manifest.verify(envelope, sqlite_platform.archive.roots) == (True, "案卷清单签名有效")
    content = manifest.unwrap(envelope)
    assert content["application"]["name"] == "陈静" and len(content["opinions"]) == 3  # submission + 2 approvals
    assert [d["kind"] for d in content["documents"]] == ["staff_exit_notice"]
    assert content["audit"] and all(len(e["hash"]) == 64 for e in content["audit"])

    # Ingest again (a redelivered message): nothing new.
    assert ingest.ingest_instance(sqlite_platform.ctx, sqlite_platform.archive, archived_exit) == []
    assert len(records_of(sqlite_platform, archived_exit)) == 2


def _search(api: Api, user: str, **params: Any) -> dict[str, Any]:
    response = api.get("/api/v1/archive/records", user, params=params)
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_search_by_each_field_and_chinese_full_text(sqlite_api: Api, archived_exit: str) -> None:
    def titles(**params: Any) -> set[str]:
        return {item["kind"] for item in _search(sqlite_api, "archivist", **params)["items"]}

    [document] = _search(sqlite_api, "archivist", kind="document")["items"]
    assert titles(q="核销") == {"document"}  # two characters inside longer text of the notice
    assert titles(q="停发其在编人员工资") == {"document"}
    assert titles(q="不存在的词语") == set()
    assert titles(person="陈静") == {"document", "dossier"}
    assert titles(person="141002196801300102") == {"document", "dossier"}
    assert titles(person="陈晓") == set()
    assert titles(unit="demo-unit-001") == {"document", "dossier"}
    assert titles(unit="数据资源") == {"document", "dossier"}  # part of the unit's name
    assert titles(number=document["number"]) == {"document"}
    assert titles(matter="staff_exit") == {"document", "dossier"} and titles(matter="credit_code") == set()
    assert titles(department="caizheng") == {"document", "dossier"} and titles(department="zuzhi") == set()
    day = document["record_date"]
    assert titles(date_from=day, date_to=day) == {"document", "dossier"}
    assert titles(date_to="2000-01-01") == set()
    assert titles(retention="30年") == {"document", "dossier"} and titles(retention="永久") == set()
    assert titles(flagged=True) == set()
    credit = _search(sqlite_api, "archivist", unit="demo-unit-001")["items"][0]["credit_code"]
    if credit:
        assert titles(credit_code=credit) == {"document", "dossier"}
    paged = _search(sqlite_api, "archivist", size=1, page=2)
    assert paged["total"] == 2 and paged["size"] == 1


def test_who_may_search_read_and_download(sqlite_api: Api, sqlite_platform: Platform, archived_exit: str) -> None:
    add_user(sqlite_platform, "other_clerk", roles=["applicant"], unit_code="demo-unit-002")
    own = _search(sqlite_api, "applicant")
    assert own["total"] == 2
    assert _search(sqlite_api, "other_clerk")["total"] == 0  # unit B never finds unit A's records
    record_id = own["items"][0]["id"]
    assert_error(sqlite_api.get(f"/api/v1/archive/records/{record_id}", "other_clerk"), 404, "archive_record_not_found")
    assert_error(sqlite_api.get("/api/v1/archive/records", "bianban"), 403, "archive_forbidden")
    assert sqlite_api.client.get("/api/v1/archive/records").status_code == 401

    detail = sqlite_api.get(f"/api/v1/archive/records/{record_id}", "archivist", params={"reason": "审计抽查"})
    assert detail.status_code == 200 and detail.json()["checks"]["passed"]
    download = sqlite_api.get(f"/api/v1/archive/records/{record_id}/download", "archivist")
    assert download.status_code == 200 and len(download.content) == detail.json()["object"]["size"]
    with sqlite_platform.ctx.reading() as session:
        trail = [
            (e.actor, e.action, (e.details or {}).get("reason"))
            for e in session.scalars(select(AuditEvent).where(AuditEvent.action.like("archive_%")))
            if e.action != "archive_ingest"
        ]
    assert ("archivist", "archive_view", "审计抽查") in trail
    assert ("archivist", "archive_download", None) in trail
    assert ("other_clerk", "archive_search", None) in trail


def test_verify_now_flags_a_record_changed_in_the_store(
    sqlite_api: Api, sqlite_platform: Platform, archived_exit: str
) -> None:
    document = next(r for r in records_of(sqlite_platform, archived_exit) if r.kind == "document")
    store = sqlite_platform.archive.store
    assert isinstance(store, LocalArchiveStore)
    path = store.root / "objects" / document.object_key
    data = bytearray(path.read_bytes())
    at = data.find(b"/MediaBox") + 12
    data[at] = ord("9") if data[at] != ord("9") else ord("8")
    path.chmod(0o644)
    path.write_bytes(bytes(data))  # someone with disk access changed one byte
    response = sqlite_api.post(f"/api/v1/archive/records/{document.id}/verify", "archivist")
    assert response.status_code == 200
    report = response.json()
    assert not report["checks_passed"] and not report["checks"]["passed"]
    assert any("SHA-256" in f for f in report["failures"]) and any("真实性" in f for f in report["failures"])
    assert _search(sqlite_api, "archivist", flagged=True)["items"][0]["id"] == document.id


def test_a_download_of_changed_bytes_is_refused_and_flags_the_record(
    sqlite_api: Api, sqlite_platform: Platform, archived_exit: str
) -> None:
    document = next(r for r in records_of(sqlite_platform, archived_exit) if r.kind == "document")
    store = sqlite_platform.archive.store
    assert isinstance(store, LocalArchiveStore)
    path = store.root / "objects" / document.object_key
    data = bytearray(path.read_bytes())
    data[len(data) // 2 : len(data) // 2 + 8] = b"OneStop!"  # 8 bytes changed on the disk
    path.chmod(0o644)
    path.write_bytes(bytes(data))
    refused = sqlite_api.get(f"/api/v1/archive/records/{document.id}/download", "archivist")
    body = assert_error(refused, 409, "archive_integrity_failed")
    assert "待核查" in body["message"]
    assert _search(sqlite_api, "archivist", flagged=True)["items"][0]["id"] == document.id
    with sqlite_platform.ctx.reading() as session:
        actor, details = session.execute(
            select(AuditEvent.actor, AuditEvent.details).where(AuditEvent.action == "archive_integrity_failed")
        ).one()
    assert actor == "archivist" and details["record_id"] == document.id
    page = browser(sqlite_platform)
    log_in(page, "archivist")
    shown = page.get(f"/archive/records/{document.id}/download", headers=HTML)
    assert shown.status_code == 409 and "摘要不一致" in shown.text


def test_verifying_reads_the_store_while_approvals_can_still_write(
    sqlite_api: Api, sqlite_platform: Platform, archived_exit: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A slow store during a check holds no database lock: another writer commits meanwhile."""
    from sqlalchemy import create_engine, text

    document = next(r for r in records_of(sqlite_platform, archived_exit) if r.kind == "document")
    store = sqlite_platform.archive.store
    real_get = store.get
    wrote: list[bool] = []

    def slow_get(key: str, version_id: str) -> bytes:
        other = create_engine(sqlite_platform.settings.effective_database_url, connect_args={"timeout": 0.5})
        with other.begin() as connection:  # would time out if the check held SQLite's write lock
            connection.execute(text("UPDATE archive_records SET checked_at = checked_at WHERE id = :id"), {"id": 0})
        other.dispose()
        wrote.append(True)
        return real_get(key, version_id)

    monkeypatch.setattr(store, "get", slow_get)
    response = sqlite_api.post(f"/api/v1/archive/records/{document.id}/verify", "archivist")
    assert response.status_code == 200 and response.json()["checks_passed"] and wrote


def test_each_check_fails_on_a_crafted_bad_input(sqlite_platform: Platform, tmp_path: Path) -> None:
    from signatures.pki import DevelopmentPki
    from signatures.signing import PadesSigner
    from tests.signatures.test_verification import blank_pdf

    store = LocalArchiveStore(tmp_path / "archive")
    roots = sqlite_platform.archive.roots
    ten = Retention.of(RetentionClass.YEARS_10, clock.today())
    # Signed, but not PDF/A, no text, no timestamp.
    identity = DevelopmentPki(sqlite_platform.settings.pki_dir).identity("bianban", "示范市机构编制委员会办公室")
    plain = PadesSigner(identity).sign(blank_pdf(), reason="测试", location="示范市")
    stored = store.put("a.pdf", plain, content_type="application/pdf", retention=ten, metadata={})
    report = checks.check_document(store, "a.pdf", stored.version_id, stored.sha256, roots)
    failed = {c["name"] for c in report["checks"] if not c["passed"]}
    assert {"pdfa", "text", "timestamp"} <= failed and "signature" not in failed
    # Recorded hash differs from what is stored (tampered or swapped object).
    swapped = checks.check_document(store, "a.pdf", stored.version_id, "0" * 64, roots)
    assert not swapped["passed"] and any("SHA-256" in f for f in swapped["failures"])
    # Active content.
    scripted = plain.replace(b"/Type /Catalog", b"/Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert(1)) >>")
    scripted_obj = store.put("s.pdf", scripted, content_type="application/pdf", retention=ten, metadata={})
    active = checks.check_document(store, "s.pdf", scripted_obj.version_id, scripted_obj.sha256, roots)
    assert "active_content" in {c["name"] for c in active["checks"] if not c["passed"]}
    # A dossier whose attachment is gone, and one whose manifest was edited after signing.
    identity_archive = sqlite_platform.pipeline.identity_of("archives", "示范市档案管理")
    content = {
        "matter": {},
        "application": {},
        "opinions": [],
        "audit": [],
        "attachments": [{"name": "申请书.pdf", "sha256": "f" * 64, "size": 1, "content_type": "application/pdf"}],
    }
    envelope = manifest.sign(content, identity_archive)
    kept = store.put("d.json", envelope, content_type="application/json", retention=ten, metadata={})
    dossier = checks.check_dossier(
        store, "d.json", kept.version_id, kept.sha256, lambda data: manifest.verify(data, roots), lambda entry: False
    )
    assert dossier["failures"] == ["完整性：缺少附件：申请书.pdf"]
    edited = json.loads(envelope)
    edited["manifest"]["application"] = {"name": "改过"}
    forged = json.dumps(edited, ensure_ascii=False).encode()
    forged_obj = store.put("f.json", forged, content_type="application/json", retention=ten, metadata={})
    forged_report = checks.check_dossier(
        store,
        "f.json",
        forged_obj.version_id,
        forged_obj.sha256,
        lambda data: manifest.verify(data, roots),
        lambda entry: True,
    )
    assert forged_report["failures"] == ["真实性：案卷清单签名后被改动"]


def test_export_writes_the_files_and_a_manifest_with_hashes(
    sqlite_api: Api,
    sqlite_platform: Platform,
    archived_exit: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from onestop.cli import main

    monkeypatch.setenv("DATABASE_URL", sqlite_platform.settings.effective_database_url)
    out = tmp_path / "export"
    data_dir = str(sqlite_platform.settings.data_dir)
    assert (
        main(["archive", "export", "--query", "matter=staff_exit&q=核销", "--out", str(out), "--data-dir", data_dir])
        == 0
    )
    captured = capsys.readouterr()
    assert "已导出 1 件档案" in captured.out and "1/1" in captured.err  # the progress bar
    rows = list(csv.DictReader((out / "manifest.csv").open(encoding="utf-8-sig")))
    assert len(rows) == 1 and rows[0]["hash_ok"] == "True"
    exported = (out / rows[0]["file"]).read_bytes()
    assert hashlib.sha256(exported).hexdigest() == rows[0]["sha256"]
    assert json.loads((out / "manifest.json").read_text(encoding="utf-8"))["records"][0]["sha256"] == rows[0]["sha256"]
    assert main(["archive", "export", "--query", "colour=red", "--out", str(out), "--data-dir", data_dir]) == 2
    with sqlite_platform.ctx.reading() as session:
        assert session.scalar(select(AuditEvent.id).where(AuditEvent.action == "archive_export")) is not None


def test_archive_timestamps_are_renewed_when_due(
    sqlite_api: Api, sqlite_platform: Platform, archived_exit: str
) -> None:
    from datetime import timedelta

    from archive.renewal import renew_due

    document = next(r for r in records_of(sqlite_platform, archived_exit) if r.kind == "document")
    assert document.lta_renew_by is not None and document.lta_renew_by > clock.today()
    assert renew_due(sqlite_platform.ctx, sqlite_platform.archive, clock.today()) == 0  # nothing due yet
    assert renew_due(sqlite_platform.ctx, sqlite_platform.archive, document.lta_renew_by + timedelta(days=1)) == 1
    renewed = next(r for r in records_of(sqlite_platform, archived_exit) if r.kind == "document")
    assert renewed.sha256 != document.sha256 and renewed.version_id != document.version_id
    data = sqlite_platform.archive.store.get(renewed.object_key, renewed.version_id)
    report = verify_pdf(data, sqlite_platform.archive.roots)
    assert report.valid and len(report.document_timestamps) == 2
    old = sqlite_platform.archive.store.get(document.object_key, document.version_id)  # the earlier version stays
    assert hashlib.sha256(old).hexdigest() == document.sha256


def test_a_renewal_killed_after_its_upload_reuses_its_bytes(
    sqlite_api: Api, sqlite_platform: Platform, archived_exit: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The renewed copy (a new timestamp: new bytes) is staged before it is stored; the retry
    stores the same object again, so no second retained copy is left unreferenced."""
    from datetime import timedelta

    from archive import renewal
    from archive.models import ArchiveStaging

    document = next(r for r in records_of(sqlite_platform, archived_exit) if r.kind == "document")
    due = document.lta_renew_by + timedelta(days=1)  # type: ignore[operator]
    store = sqlite_platform.archive.store
    assert isinstance(store, LocalArchiveStore)
    records_dir = store.root / "objects" / "records"
    before = {p for p in records_dir.rglob("*.pdf")}
    real_renew_by = renewal.lta.renew_by

    def killed(_data: bytes) -> None:
        raise SystemError("worker killed before the record moved")

    monkeypatch.setattr(renewal.lta, "renew_by", killed)
    with pytest.raises(SystemError):
        renewal.renew_due(sqlite_platform.ctx, sqlite_platform.archive, due)
    with sqlite_platform.ctx.reading() as session:
        [staged] = session.scalars(select(ArchiveStaging)).all()
        staged_key = staged.key
    monkeypatch.setattr(renewal.lta, "renew_by", real_renew_by)
    assert renewal.renew_due(sqlite_platform.ctx, sqlite_platform.archive, due) == 1
    renewed = next(r for r in records_of(sqlite_platform, archived_exit) if r.kind == "document")
    assert renewed.object_key == staged_key
    assert {p for p in records_dir.rglob("*.pdf")} - before == {store.root / "objects" / staged_key}
    with sqlite_platform.ctx.reading() as session:
        assert session.scalars(select(ArchiveStaging)).all() == []


def test_ingest_into_s3_and_download_by_presigned_url(
    sqlite_api: Api, sqlite_platform: Platform, s3_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import urllib.request
    import uuid

    from storage.s3_archive import S3ArchiveStore

    store = S3ArchiveStore.connect(
        s3_server.endpoint,
        s3_server.access_key,
        s3_server.secret_key,
        "onestop-archive-test",
        secure=False,
        mode="COMPLIANCE",
        prefix=f"{uuid.uuid4().hex[:12]}/",
    )
    monkeypatch.setattr(sqlite_platform.archive, "store", store)
    instance_id = start(sqlite_api, "staff_exit")
    assert drive(sqlite_api, instance_id)["status"] == "completed"
    document = next(r for r in records_of(sqlite_platform, instance_id) if r.kind == "document")
    assert document.checks_passed, document.checks["failures"]
    stat = store.stat(document.object_key, document.version_id)
    assert stat.retain_until is not None and not stat.legal_hold
    response = sqlite_api.get(f"/api/v1/archive/records/{document.id}/download", "archivist", follow_redirects=False)
    assert response.status_code == 307 and "X-Amz-Signature=" in response.headers["location"]
    with urllib.request.urlopen(response.headers["location"]) as fetched:
        assert hashlib.sha256(fetched.read()).hexdigest() == document.sha256


def test_an_archive_job_killed_after_its_upload_leaves_no_orphan_in_s3(
    sqlite_api: Api, sqlite_platform: Platform, s3_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Uploaded, then killed before the records were written: the retry uploads the very same
    objects (staged bytes, same keys), so no retention-locked version is left unreferenced."""
    import uuid

    from archive.models import ArchiveStaging
    from storage.s3_archive import S3ArchiveStore

    prefix = f"{uuid.uuid4().hex[:12]}/"
    store = S3ArchiveStore.connect(
        s3_server.endpoint,
        s3_server.access_key,
        s3_server.secret_key,
        "onestop-archive-test",
        secure=False,
        mode="COMPLIANCE",
        prefix=prefix,
    )
    monkeypatch.setattr(sqlite_platform.archive, "store", store)

    def killed(*_args: Any) -> None:
        raise SystemError("worker killed before it recorded the archive")

    monkeypatch.setattr(ingest, "record", killed)
    ctx = sqlite_platform.ctx
    monkeypatch.setattr(sqlite_api, "run_worker", lambda: drain(ctx.session_factory, ctx.outbox_handlers))
    instance_id = start(sqlite_api, "staff_exit")
    assert drive(sqlite_api, instance_id)["status"] == "completed"
    monkeypatch.undo()
    monkeypatch.setattr(sqlite_platform.archive, "store", store)
    assert records_of(sqlite_platform, instance_id) == []
    with sqlite_platform.ctx.reading() as session:
        staged = {row.key for row in session.scalars(select(ArchiveStaging))}
    assert len(staged) == 2  # the notice and the dossier, kept with their bytes

    with sqlite_platform.ctx.transaction() as session:  # the back-off has passed
        session.execute(update(OutboxMessage).values(available_at=utcnow()))
    sqlite_api.run_worker()
    records = records_of(sqlite_platform, instance_id)
    assert {r.object_key for r in records} == staged
    versions = [
        (item.object_name, item.version_id)
        for item in store.client.list_objects(
            "onestop-archive-test", prefix=f"{prefix}records/", recursive=True, include_version=True
        )
    ]
    assert sorted(name.removeprefix(prefix) for name, _ in versions) == sorted(staged)  # one version each
    assert {(r.object_key, r.version_id) for r in records} == {(n.removeprefix(prefix), v) for n, v in versions}
    with sqlite_platform.ctx.reading() as session:
        assert session.scalars(select(ArchiveStaging)).all() == []


def test_the_dossier_carries_its_attachments_into_the_archive(sqlite_api: Api, sqlite_platform: Platform) -> None:
    from tests.api.helpers import PDF_BYTES, decide_all, start_multipart

    started = start_multipart(sqlite_api, [("申请书.pdf", PDF_BYTES, "application/pdf")])
    assert started.status_code == 201, started.text
    instance_id = started.json()["id"]
    assert decide_all(sqlite_api, instance_id)["status"] == "completed"
    sqlite_api.run_worker()
    [dossier] = records_of(sqlite_platform, instance_id)  # the demo matter issues no documents
    assert dossier.kind == "dossier" and dossier.checks_passed, dossier.checks["failures"]
    content = manifest.unwrap(sqlite_platform.archive.store.get(dossier.object_key, dossier.version_id))
    [attachment] = content["attachments"]
    archived = attachment["archived"]
    assert sqlite_platform.archive.store.get(archived["key"], archived["version_id"]) == PDF_BYTES
    # The archived copy is lost (say, restored from a broken backup): verification says which one.
    store = sqlite_platform.archive.store
    assert isinstance(store, LocalArchiveStore)
    (store.root / "objects" / (archived["key"] + ".json")).unlink()
    report = sqlite_api.post(f"/api/v1/archive/records/{dossier.id}/verify", "archivist").json()
    assert report["failures"] == ["完整性：缺少附件：申请书.pdf"]


def test_a_failed_upload_leaves_no_record_and_is_retried(
    sqlite_api: Api, sqlite_platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy import update

    from kernel.db import utcnow
    from kernel.outbox import drain
    from kernel.records import OutboxMessage

    instance_id = start(sqlite_api, "staff_exit")
    real_put = sqlite_platform.archive.store.put
    calls: list[str] = []

    def flaky_put(key: str, data: bytes, **kwargs: Any) -> Any:
        calls.append(key)
        if len(calls) == 2:  # the dossier's upload fails after the notice went in
            raise ConnectionError("对象存储暂时不可用")
        return real_put(key, data, **kwargs)

    monkeypatch.setattr(sqlite_platform.archive.store, "put", flaky_put)
    for _ in range(10):  # approve every step; the worker issues the notice, then tries to archive
        detail = sqlite_api.get(f"/api/v1/instances/{instance_id}", "admin").json()
        if not detail["tasks"]:
            break
        task = detail["tasks"][0]
        user = "applicant" if task["department"] == "applicant" else task["department"]
        assert (
            sqlite_api.post(
                f"/api/v1/tasks/{task['id']}/complete", user, json={"decision": "approve", "opinion": "同意"}
            ).status_code
            == 200
        )
    report = drain(sqlite_platform.ctx.session_factory, sqlite_platform.ctx.outbox_handlers)
    assert report.retried == 1 and calls[-1].endswith(".json")  # the dossier's upload failed
    assert records_of(sqlite_platform, instance_id) == []  # no half record: the notice's row went back too
    with sqlite_platform.ctx.transaction() as session:
        session.execute(update(OutboxMessage).values(available_at=utcnow()))
    drain(sqlite_platform.ctx.session_factory, sqlite_platform.ctx.outbox_handlers)
    assert {r.kind for r in records_of(sqlite_platform, instance_id)} == {"document", "dossier"}
    newest = _search(sqlite_api, "archivist", sort="newest")["items"]
    oldest = _search(sqlite_api, "archivist", sort="oldest")["items"]
    assert [i["id"] for i in newest] == [i["id"] for i in oldest][::-1]


def _pdf_with(catalog_extra: bytes, page_text: bytes) -> bytes:
    """A one-page PDF with ``page_text`` in its (uncompressed) content stream."""
    import io

    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject

    writer = PdfWriter()
    content = DecodedStreamObject()
    content.set_data(page_text)
    writer.add_blank_page(595, 842).replace_contents(content)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue().replace(b"/Type /Catalog", b"/Type /Catalog" + catalog_extra, 1)


@pytest.mark.parametrize(
    ("catalog_extra", "active"),
    [
        (b"", False),  # "/JS" and "/Launch" spelled inside stream data are not actions
        (b" /OpenAction << /S /Launch /F (calc.exe) >>", True),
        (b" /Names << /JavaScript << /Names [(a) << /S /JavaScript /JS (x) >>] >> >>", True),
        (b" /AA << /WC << /S /SubmitForm /F (http://x) >> >>", True),
    ],
)
def testactive_content_is_read_from_the_objects_not_the_bytes(catalog_extra: bytes, active: bool) -> None:
    import io

    from pypdf import PdfReader

    pdf = _pdf_with(catalog_extra, b"BT (/JS /Launch /JavaScript /RichMedia) Tj ET")
    assert b"/JS" in pdf
    found = checks.active_content(PdfReader(io.BytesIO(pdf)))
    assert (found is not None) == active, found

"""Issued documents over HTTP and the command line: who may list and download
them, the public lookup behind the QR code, ``onestop documents``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from kernel.records import AuditEvent
from onestop.bootstrap import Platform
from onestop.cli import main
from tests.api.helpers import add_user, assert_error
from tests.api.test_matters import drive, start
from tests.conftest import Api


@pytest.fixture
def finished_exit(sqlite_api: Api) -> str:
    """A staff exit of the demo unit, approved by everyone, its notice issued."""
    instance_id = start(sqlite_api, "staff_exit")
    assert drive(sqlite_api, instance_id)["status"] == "completed"
    return instance_id


def test_the_unit_lists_and_downloads_its_documents(
    sqlite_api: Api, sqlite_platform: Platform, finished_exit: str
) -> None:
    listed = sqlite_api.get(f"/api/v1/instances/{finished_exit}/documents", "applicant")
    assert listed.status_code == 200
    [notice] = listed.json()
    assert notice["kind"] == "staff_exit_notice" and notice["status"] == "issued" and notice["status_text"] == "已出具"
    assert notice["number"].startswith("示编出〔") and notice["issuer"] == "示范市机构编制委员会办公室"
    download = sqlite_api.get(f"/api/v1/documents/{notice['id']}/download", "applicant")
    assert download.status_code == 200 and download.headers["content-type"] == "application/pdf"
    assert download.content.startswith(b"%PDF-") and len(download.content) == notice["size"]
    with sqlite_platform.ctx.reading() as session:
        audited = session.scalars(
            select(AuditEvent.actor).where(
                AuditEvent.instance_id == finished_exit, AuditEvent.action == "download_document"
            )
        ).all()
    assert list(audited) == ["applicant"]

    verified = sqlite_api.client.post("/api/v1/verify", files={"file": ("出编通知单.pdf", download.content)})
    body = verified.json()
    assert body["valid"] and body["document_number"] == notice["number"]
    assert body["record"]["number"] == notice["number"] and body["record"]["sha256"] == notice["sha256"]


def test_other_units_and_departments_not_involved_get_404(
    sqlite_api: Api, sqlite_platform: Platform, finished_exit: str
) -> None:
    add_user(sqlite_platform, "other_clerk", roles=["applicant"], unit_code="demo-unit-002")
    [notice] = sqlite_api.get(f"/api/v1/instances/{finished_exit}/documents", "applicant").json()
    assert_error(
        sqlite_api.get(f"/api/v1/instances/{finished_exit}/documents", "other_clerk"), 404, "instance_not_found"
    )
    assert_error(sqlite_api.get(f"/api/v1/documents/{notice['id']}/download", "other_clerk"), 404, "document_not_found")
    assert_error(sqlite_api.get("/api/v1/documents/no-such-document/download", "applicant"), 404, "document_not_found")
    assert sqlite_api.client.get(f"/api/v1/documents/{notice['id']}/download").status_code == 401
    # The archive reads every matter's documents.
    assert sqlite_api.get(f"/api/v1/documents/{notice['id']}/download", "archivist").status_code == 200


def test_the_qr_code_lookup_is_public_and_shows_no_personal_data(
    sqlite_api: Api, sqlite_platform: Platform, finished_exit: str
) -> None:
    from documents.models import Document

    with sqlite_platform.ctx.reading() as session:
        code = session.scalars(select(Document.verify_code).where(Document.instance_id == finished_exit)).one()
    found = sqlite_api.client.get(f"/verify/{code}")
    assert found.status_code == 200
    record = found.json()
    assert record["title"] == "出编通知单" and len(record["sha256"]) == 64
    assert "陈静" not in found.text and "141002196801300102" not in found.text
    assert_error(sqlite_api.client.get("/verify/not-a-real-code-123"), 404, "document_not_found")


def test_cli_kinds_and_a_sample_that_verifies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("ONESTOP_TRUST_ROOTS", raising=False)
    data = str(tmp_path / "data")
    assert main(["documents", "kinds", "--data-dir", data]) == 0
    kinds = [line.split("\t")[0] for line in capsys.readouterr().out.splitlines()]
    assert "institution_approval" in kinds and "staff_exit_notice" in kinds and len(kinds) == 16
    out = tmp_path / "批复.pdf"
    assert main(["documents", "sample", "--kind", "institution_approval", "--out", str(out), "--data-dir", data]) == 0
    capsys.readouterr()
    assert main(["verify", str(out), "--data-dir", data]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["valid"] and report["document_number"].endswith("〕0号")  # a sample, never a real number
    assert main(["documents", "sample", "--kind", "nonsense", "--out", str(out), "--data-dir", data]) == 2

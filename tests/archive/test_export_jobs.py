"""The archivist's export from the search page: a job run by the worker, its
progress committed as it goes, the ZIP with the files and both manifests."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import sqlite3
import zipfile
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from archive import export_jobs
from archive.models import ArchiveExport
from kernel.db import utcnow
from kernel.outbox import drain, emit
from kernel.records import AuditEvent, OutboxMessage
from onestop.bootstrap import Platform
from storage.archive import ArchiveRefused
from tests.api.helpers import add_user, decide_all
from tests.api.helpers import start as start_demo
from tests.api.test_matters import drive, start
from tests.conftest import Api
from tests.web.test_pages import HTML, browser, csrf_of, log_in

EVERYTHING = {"date_from": "2000-01-01"}
REFRESH = '<meta http-equiv="refresh" content="2">'


def finish_demo_matter(api: Api, as_user: str) -> None:
    """The demo matter (it issues no documents) of ``as_user``'s unit, approved and archived: one dossier."""
    instance_id = start_demo(api, as_user=as_user)["id"]
    assert decide_all(api, instance_id)["status"] == "completed"
    api.run_worker()


def signed_in(platform: Platform, username: str) -> TestClient:
    client = browser(platform)
    log_in(client, username)
    return client


def ask_export(client: TestClient, params: dict[str, str], reason: str = "") -> Any:
    """Search, then press 导出本次检索结果 with the form the results page carries."""
    found = client.get("/archive", params=params, headers=HTML)
    assert found.status_code == 200 and "导出本次检索结果" in found.text, found.text
    form = re.search(r'<form method="post" action="/archive/exports".*?</form>', found.text, re.S)
    assert form, found.text
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form.group(0)))
    assert fields["csrf"] == csrf_of(found.text)
    return client.post("/archive/exports", data={**fields, "reason": reason})


def export_page(client: TestClient, url: str) -> str:
    response = client.get(url, headers=HTML)
    assert response.status_code == 200, response.text
    return response.text


def unzip(data: bytes) -> tuple[dict[str, bytes], list[dict[str, str]], dict[str, Any]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    table = files.pop("manifest.csv")
    assert table.startswith(b"\xef\xbb\xbf")  # BOM: opens right in Excel
    rows = list(csv.DictReader(io.StringIO(table.decode("utf-8-sig"))))
    return files, rows, json.loads(files.pop("manifest.json"))


def job(platform: Platform, export_id: int) -> ArchiveExport:
    with platform.ctx.reading() as session:
        found = session.get(ArchiveExport, export_id)
        assert found is not None
        session.expunge(found)
        return found


def test_export_from_the_search_page_runs_in_the_worker(api: Api, platform: Platform) -> None:
    """On SQLite and on PostgreSQL."""
    assert drive(api, start(api, "staff_exit"))["status"] == "completed"  # unit 001: notice + dossier
    add_user(platform, "clerk2", roles=["applicant"], unit_code="demo-unit-002")
    finish_demo_matter(api, "clerk2")  # unit 002: a dossier

    archivist = signed_in(platform, "archivist")
    asked = ask_export(archivist, EVERYTHING, reason="年度移交")
    assert asked.status_code == 303 and re.fullmatch(r"/archive/exports/\d+", asked.headers["location"])
    url = asked.headers["location"]
    export_id = int(url.rsplit("/", 1)[1])
    queued = export_page(archivist, url)
    assert "排队中" in queued and REFRESH in queued and "年度移交" in queued and "日期自：2000-01-01" in queued

    api.run_worker()
    done = export_page(archivist, url)
    assert "已完成" in done and "已完成 3 / 共 3 件" in done and REFRESH not in done
    assert '<progress value="3" max="3"' in done and "不一致 0 件" in done
    assert f'href="/archive/exports/{export_id}/download"' in done
    download = archivist.get(f"{url}/download")
    assert download.status_code == 200 and download.headers["content-type"] == "application/zip"
    assert download.headers["content-disposition"].startswith("attachment;")
    assert hashlib.sha256(download.content).hexdigest() == job(platform, export_id).sha256
    files, rows, listing = unzip(download.content)
    assert len(rows) == 3 and {r["unit_code"] for r in rows} == {"demo-unit-001", "demo-unit-002"}
    assert set(files) == {r["file"] for r in rows}
    for row in rows:
        assert row["hash_ok"] == "True" and hashlib.sha256(files[row["file"]]).hexdigest() == row["sha256"]
    assert [r["sha256"] for r in listing["records"]] == [r["sha256"] for r in rows]
    assert listing["query"]["date_from"] == "2000-01-01"
    listed = export_page(archivist, "/archive/exports")
    assert f'href="/archive/exports/{export_id}"' in listed and "3 / 3" in listed

    # A unit's clerk exports the same search: only its own unit's records.
    clerk = signed_in(platform, "applicant")
    own_url = ask_export(clerk, EVERYTHING).headers["location"]
    api.run_worker()
    assert "已完成 2 / 共 2 件" in export_page(clerk, own_url)
    _, own_rows, _ = unzip(clerk.get(f"{own_url}/download").content)
    assert len(own_rows) == 2 and {r["unit_code"] for r in own_rows} == {"demo-unit-001"}

    # Only the requester (or an admin) sees a job; people without the archive are refused.
    hidden = clerk.get(url, headers=HTML)
    assert hidden.status_code == 404 and "导出任务不存在或无权查看" in hidden.text
    assert clerk.get(f"{url}/download").status_code == 404
    assert f'href="{url}"' not in export_page(clerk, "/archive/exports")
    approver = signed_in(platform, "bianban")
    assert approver.get(url, headers=HTML).status_code == 403
    assert "年度移交" in export_page(signed_in(platform, "admin"), url)

    # The message coming again does not make the export again.
    before = job(platform, export_id)
    with platform.ctx.transaction() as session:
        emit(session, export_jobs.TOPIC, {"export_id": export_id})
    api.run_worker()
    after = job(platform, export_id)
    assert (after.attempt, after.sha256, after.finished_at, after.status) == (
        before.attempt,
        before.sha256,
        before.finished_at,
        "done",
    )

    with platform.ctx.reading() as session:
        trail = [
            (e.actor, e.action, e.details)
            for e in session.scalars(select(AuditEvent).where(AuditEvent.action.like("archive_export%")))
        ]
    assert ("archivist", "archive_export_request") in {(a, b) for a, b, _ in trail}
    request = next(d for a, b, d in trail if (a, b) == ("archivist", "archive_export_request"))
    assert request["reason"] == "年度移交" and request["export_id"] == export_id
    made = next(d for a, b, d in trail if (a, b) == ("archivist", "archive_export"))
    assert made["exported"] == 3 and made["mismatched"] == 0
    assert any((a, b) == ("archivist", "archive_export_download") for a, b, _ in trail)
    assert any((a, b, d.get("unit_scope")) == ("applicant", "archive_export", "demo-unit-001") for a, b, d in trail)


def test_progress_is_committed_while_the_export_runs_and_the_write_lock_is_free(
    sqlite_api: Api, sqlite_platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert drive(sqlite_api, start(sqlite_api, "staff_exit"))["status"] == "completed"
    finish_demo_matter(sqlite_api, "applicant")
    archivist = signed_in(sqlite_platform, "archivist")
    url = ask_export(archivist, EVERYTHING).headers["location"]
    store = sqlite_platform.archive.store
    seen: list[str] = []
    real_get = store.get
    database = sqlite_platform.settings.effective_database_url.removeprefix("sqlite:///")

    def watching_get(key: str, version_id: str) -> bytes:
        page = export_page(archivist, url)  # what the archivist sees meanwhile
        seen.append(re.search(r"已完成 \d+ / 共 \d+ 件", page).group(0))  # type: ignore[union-attr]
        assert REFRESH in page and "导出中" in page
        with sqlite3.connect(database, timeout=1) as writer:  # nobody holds the write lock
            writer.execute("BEGIN IMMEDIATE")
            writer.rollback()
        data = real_get(key, version_id)
        return data + b" " if key.endswith(".json") else data  # the two dossiers no longer match their hash

    monkeypatch.setattr(export_jobs, "PROGRESS_INTERVAL", 0.0)
    monkeypatch.setattr(store, "get", watching_get)
    sqlite_api.run_worker()
    assert seen == ["已完成 0 / 共 3 件", "已完成 1 / 共 3 件", "已完成 2 / 共 3 件"]
    done = export_page(archivist, url)
    assert "已完成 3 / 共 3 件" in done and "有 2 件档案的内容与登记的 SHA-256 不一致" in done


def test_refused_without_the_form_token_restarted_when_stalled_failed_in_chinese(
    sqlite_api: Api, sqlite_platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    finish_demo_matter(sqlite_api, "applicant")
    archivist = signed_in(sqlite_platform, "archivist")
    forged = archivist.post("/archive/exports", data={"date_from": "2000-01-01", "csrf": "forged"})
    assert forged.status_code == 403 and "页面已过期" in forged.text
    assert archivist.post("/archive/exports", data={"date_from": "2000-01-01"}).status_code == 403
    with sqlite_platform.ctx.reading() as session:
        assert session.scalar(select(func.count()).select_from(ArchiveExport)) == 0

    # The worker marks the job running and dies before exporting anything.
    url = ask_export(archivist, EVERYTHING).headers["location"]
    export_id = int(url.rsplit("/", 1)[1])

    def claim_and_die(session: Session, message: OutboxMessage) -> None:
        export_jobs.claim(session, message.payload["export_id"])

    report = drain(sqlite_platform.ctx.session_factory, {export_jobs.TOPIC: claim_and_die})
    assert report.done == 1 and job(sqlite_platform, export_id).status == "running"
    assert "导出中" in export_page(archivist, url)
    assert export_jobs.restart_stalled(sqlite_platform.ctx) == 0  # still fresh
    assert export_jobs.restart_stalled(sqlite_platform.ctx, now=utcnow() + timedelta(minutes=16)) == 1
    sqlite_api.run_worker()
    restarted = job(sqlite_platform, export_id)
    assert (restarted.status, restarted.attempt, restarted.done) == ("done", 2, 1)
    export_jobs.run(sqlite_platform.ctx, sqlite_platform.archive, export_id, 1)  # the dead attempt, late: no effect
    assert job(sqlite_platform, export_id).finished_at == restarted.finished_at
    assert sorted(p.name for p in sqlite_platform.archive.exports_dir.iterdir()) == [f"{export_id}-2.zip"]
    assert archivist.get(f"{url}/download").status_code == 200

    # The archive cannot give a record back: the job fails with the reason in Chinese.
    def missing(key: str, version_id: str) -> bytes:
        raise ArchiveRefused("not_found", "档案对象不存在")

    monkeypatch.setattr(sqlite_platform.archive.store, "get", missing)
    failed_url = ask_export(archivist, EVERYTHING).headers["location"]
    sqlite_api.run_worker()
    failed = export_page(archivist, failed_url)
    assert "导出失败：档案库无法提供档案：档案对象不存在" in failed and REFRESH not in failed
    not_ready = archivist.get(f"{failed_url}/download")
    assert not_ready.status_code == 409 and "导出尚未完成" in not_ready.text
    assert [p.name for p in sqlite_platform.archive.exports_dir.iterdir() if p.suffix == ".part"] == []

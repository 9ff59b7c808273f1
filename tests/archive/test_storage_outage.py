"""Object storage down: the platform starts and runs, archive features answer 503
``storage_unavailable`` in Chinese within seconds, and ``/readyz`` names what is down."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from onestop.bootstrap import Platform, build_app, build_platform
from onestop.settings import Settings
from storage.s3_archive import S3ArchiveStore, S3Timeouts
from tests.archive.conftest import records_of
from tests.conftest import Api, api_for
from tests.web.test_pages import HTML, browser, csrf_of, log_in

STORAGE_DOWN = "档案存储暂时不可用，请稍后重试"
DEAD = "127.0.0.1:1"  # nothing listens there: every request is refused at once


def dead_store() -> S3ArchiveStore:
    return S3ArchiveStore.connect(
        DEAD, "k", "s", "onestop-archive", secure=False, mode="COMPLIANCE", timeouts=S3Timeouts(0.5, 1.0, 1)
    )


def test_the_platform_starts_without_its_object_storage(sqlite_url: str, tmp_path: Path) -> None:
    settings = Settings(
        ONESTOP_DATA_DIR=tmp_path / "data",
        DATABASE_URL=sqlite_url,
        ONESTOP_ARCHIVE_S3_ENDPOINT=DEAD,
        ONESTOP_ARCHIVE_S3_SECURE=False,
        ONESTOP_S3_RETRIES=0,
    )
    started = time.monotonic()
    platform = build_platform(settings, migrate=False)
    try:
        assert time.monotonic() - started < 30
        client = next(api_for(platform)).client
        assert client.get("/healthz").json() == {"status": "ok"}
        ready = client.get("/readyz")
        assert ready.status_code == 503 and ready.headers["Retry-After"] == "30"
        checks = ready.json()["checks"]
        assert checks["database"]["ok"] and checks["broker"]["ok"]
        assert not checks["archive"]["ok"] and checks["archive"]["message"].startswith("档案存储不可用")
    finally:
        platform.close()


def test_archive_features_answer_503_while_storage_is_down(
    sqlite_api: Api, sqlite_platform: Platform, archived_exit: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert sqlite_api.client.get("/readyz").status_code == 200
    document = next(r for r in records_of(sqlite_platform, archived_exit) if r.kind == "document")
    monkeypatch.setattr(sqlite_platform.archive, "store", dead_store())
    started = time.monotonic()
    answer = sqlite_api.post(f"/api/v1/archive/records/{document.id}/verify", "archivist")
    assert time.monotonic() - started < 10
    assert answer.status_code == 503 and answer.headers["Retry-After"] == "30"
    assert answer.json() == {"code": "storage_unavailable", "message": STORAGE_DOWN, "details": None}
    after = next(r for r in records_of(sqlite_platform, archived_exit) if r.id == document.id)
    assert after.checks_passed  # an outage is not a failed integrity check
    # The archivist's page says so too, on the error page.
    page = browser(sqlite_platform)
    log_in(page, "archivist")
    record_page = page.get(f"/archive/records/{document.id}", headers=HTML)
    shown = page.post(f"/archive/records/{document.id}/verify", data={"csrf": csrf_of(record_page.text)})
    assert shown.status_code == 503 and "档案存储暂时不可用" in shown.text
    # Approvals do not need the archive.
    assert build_app(sqlite_platform) is not None
    assert sqlite_api.client.get("/readyz").status_code == 503

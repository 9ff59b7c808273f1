"""One contract, two archive stores: the local folder and S3 with object lock
(the real minio SDK against SeaweedFS on loopback)."""

from __future__ import annotations

import urllib.error
import urllib.request
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from kernel import clock
from storage.archive import ArchiveRefused, ArchiveStore, LocalArchiveStore, Retention, RetentionClass, sha256_hex
from storage.s3_archive import S3ArchiveStore
from tests.seaweedfs import S3Server

PDF = b"%PDF-1.7\n% an archived record\n"


def s3_store(server: S3Server, mode: str = "COMPLIANCE") -> S3ArchiveStore:
    """One bucket for the session (each bucket takes volumes of its own); a fresh prefix per store."""
    return S3ArchiveStore.connect(
        server.endpoint,
        server.access_key,
        server.secret_key,
        "onestop-archive-test",
        secure=False,
        mode=mode,
        prefix=f"{uuid.uuid4().hex[:12]}/",
    )


@pytest.fixture(params=["local", pytest.param("s3", marks=pytest.mark.real_clock)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> ArchiveStore:
    if request.param == "local":
        return LocalArchiveStore(tmp_path / "archive")
    return s3_store(request.getfixturevalue("s3_server"))


def ten_years() -> Retention:
    return Retention.of(RetentionClass.YEARS_10, clock.today())


def test_retention_classes() -> None:
    assert Retention.of(RetentionClass.PERMANENT, date(2026, 1, 5)) == Retention(RetentionClass.PERMANENT, None, True)
    thirty = Retention.of(RetentionClass.YEARS_30, date(2024, 2, 29))
    assert thirty.until == datetime(2054, 3, 1, tzinfo=UTC) and not thirty.legal_hold  # never shorter than 30 years
    assert thirty.in_force(datetime(2054, 2, 28, tzinfo=UTC)) and not thirty.in_force(datetime(2054, 3, 1, tzinfo=UTC))


def test_put_get_stat_with_the_version(store: ArchiveStore) -> None:
    stored = store.put(
        "records/2026/a.pdf",
        PDF,
        content_type="application/pdf",
        retention=ten_years(),
        metadata={"kind": "staff_exit_notice"},
    )
    assert stored.sha256 == sha256_hex(PDF) and stored.size == len(PDF) and stored.version_id
    assert store.get("records/2026/a.pdf", stored.version_id) == PDF
    stat = store.stat("records/2026/a.pdf", stored.version_id)
    assert (stat.sha256, stat.size, stat.legal_hold) == (stored.sha256, len(PDF), False)
    assert stat.retain_until is not None and stat.retain_until.date() == ten_years().until.date()  # type: ignore[union-attr]
    again = store.put("records/2026/a.pdf", PDF, content_type="application/pdf", retention=ten_years(), metadata={})
    assert again.version_id == stored.version_id  # the same bytes again: idempotent
    with pytest.raises(ArchiveRefused) as missing:
        store.get("records/2026/a.pdf", "no-such-version")
    assert missing.value.code == "archive_object_missing"


def test_inside_retention_nothing_is_deleted_overwritten_or_shortened(store: ArchiveStore) -> None:
    stored = store.put("records/b.pdf", PDF, content_type="application/pdf", retention=ten_years(), metadata={})
    with pytest.raises(ArchiveRefused) as deleting:
        store.delete("records/b.pdf", stored.version_id)
    assert deleting.value.code == "archive_retained" and "保管期限" in deleting.value.message
    with pytest.raises(ArchiveRefused) as overwriting:
        store.put("records/b.pdf", b"%PDF- forged", content_type="application/pdf", retention=ten_years(), metadata={})
    assert overwriting.value.code == "archive_retained"
    assert store.get("records/b.pdf", stored.version_id) == PDF
    sooner = datetime.now(UTC) + timedelta(days=30)
    with pytest.raises(ArchiveRefused) as shortening:
        store.extend_retention("records/b.pdf", stored.version_id, sooner)
    assert shortening.value.code == "archive_retention_shortened"
    later = (ten_years().until or sooner) + timedelta(days=365)
    store.extend_retention("records/b.pdf", stored.version_id, later)
    assert store.stat("records/b.pdf", stored.version_id).retain_until == later


def test_permanent_records_are_under_legal_hold(store: ArchiveStore) -> None:
    permanent = Retention.of(RetentionClass.PERMANENT, clock.today())
    stored = store.put("records/c.pdf", PDF, content_type="application/pdf", retention=permanent, metadata={})
    assert store.stat("records/c.pdf", stored.version_id).legal_hold
    with pytest.raises(ArchiveRefused) as deleting:
        store.delete("records/c.pdf", stored.version_id)
    assert deleting.value.code == "archive_retained"
    with pytest.raises(ArchiveRefused) as changing:
        store.extend_retention("records/c.pdf", stored.version_id, datetime.now(UTC) + timedelta(days=1))
    assert changing.value.code == "archive_retention_permanent"


def test_the_local_store_deletes_once_retention_ends(tmp_path: Path) -> None:
    class Later(datetime):
        @classmethod
        def now(cls, tz: object = None) -> Later:  # type: ignore[override]
            return cls(2100, 1, 1, tzinfo=UTC)

    now_store = LocalArchiveStore(tmp_path / "archive")
    stored = now_store.put("records/d.pdf", PDF, content_type="application/pdf", retention=ten_years(), metadata={})
    assert (tmp_path / "archive" / "objects" / "records" / "d.pdf").stat().st_mode & 0o222 == 0  # read-only
    LocalArchiveStore(tmp_path / "archive", clock=Later).delete("records/d.pdf", stored.version_id)
    with pytest.raises(ArchiveRefused):
        now_store.get("records/d.pdf", stored.version_id)
    with pytest.raises(ArchiveRefused) as escaping:
        now_store.put("../outside.pdf", PDF, content_type="application/pdf", retention=ten_years(), metadata={})
    assert escaping.value.code == "archive_bad_key"


def test_s3_presigned_urls_pin_the_version_and_are_signed(s3_server: S3Server) -> None:
    store = s3_store(s3_server)
    stored = store.put("records/e.pdf", PDF, content_type="application/pdf", retention=ten_years(), metadata={})
    url = store.download_url("records/e.pdf", stored.version_id, timedelta(minutes=5))
    assert url is not None and f"versionId={stored.version_id}" in url
    with urllib.request.urlopen(url) as response:
        assert response.read() == PDF
    with pytest.raises(urllib.error.HTTPError) as forged:
        urllib.request.urlopen(url.replace("X-Amz-Signature=", "X-Amz-Signature=0"))
    assert forged.value.code == 403


def test_s3_lock_refuses_even_without_the_platform(s3_server: S3Server) -> None:
    """The object lock is the guarantee: the SDK alone cannot remove a retained version."""
    from minio.deleteobjects import DeleteObject
    from minio.error import S3Error

    store = s3_store(s3_server, mode="GOVERNANCE")
    stored = store.put("records/f.pdf", PDF, content_type="application/pdf", retention=ten_years(), metadata={})
    with pytest.raises(S3Error):
        store.client.remove_object(store.bucket, store.prefix + "records/f.pdf", version_id=stored.version_id)
    deletion = DeleteObject(store.prefix + "records/f.pdf", stored.version_id)
    errors = list(store.client.remove_objects(store.bucket, [deletion]))
    assert [e.code for e in errors] == ["AccessDenied"]  # no governance bypass asked for
    assert store.get("records/f.pdf", stored.version_id) == PDF

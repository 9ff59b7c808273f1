"""The archive's object store: write once, keep for the retention period.

Two implementations behind ``ArchiveStore``: S3 object storage with object
lock (``storage.s3_archive``, production: MinIO) and a local folder (the
embedded default, ``LocalArchiveStore``), where the platform enforces the
same rules the object lock enforces on S3. Every stored object is addressed
by key *and* version: a record keeps the version it was written as, so
nothing written later can stand in for it.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Protocol

from kernel.calendar import add_years
from kernel.errors import Transient


class RetentionClass(StrEnum):
    PERMANENT = "永久"
    YEARS_30 = "30年"
    YEARS_10 = "10年"


RETENTION_YEARS = {RetentionClass.YEARS_30: 30, RetentionClass.YEARS_10: 10}
RETENTION_CODES = {RetentionClass.PERMANENT: "Y", RetentionClass.YEARS_30: "D30", RetentionClass.YEARS_10: "D10"}


@dataclass(frozen=True)
class Retention:
    """Kept until ``until`` (UTC); a permanent record is under legal hold instead."""

    retention_class: RetentionClass
    until: datetime | None
    legal_hold: bool

    @classmethod
    def of(cls, retention_class: RetentionClass, start: date) -> Retention:
        if retention_class is RetentionClass.PERMANENT:
            return cls(retention_class, None, True)
        end = add_years(start, RETENTION_YEARS[retention_class])
        return cls(retention_class, datetime(end.year, end.month, end.day, tzinfo=UTC), False)

    def in_force(self, now: datetime) -> bool:
        return self.legal_hold or (self.until is not None and now < self.until)


@dataclass(frozen=True)
class StoredObject:
    key: str
    version_id: str
    sha256: str
    size: int
    content_type: str
    retain_until: datetime | None
    legal_hold: bool

    def retained(self, now: datetime) -> bool:
        """Under legal hold, or before its retain-until date: no deleting or overwriting."""
        return self.legal_hold or (self.retain_until is not None and now < self.retain_until)


class ArchiveRefused(Exception):
    """An operation the retention rules forbid, or a missing object; carries a stable code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class StorageUnavailable(Transient):
    """The store cannot be reached or answered with a server error: try again later (HTTP 503)."""

    code = "storage_unavailable"

    def __init__(self, detail: str = "") -> None:
        self.message = "档案存储暂时不可用，请稍后重试"
        super().__init__(f"{self.message}（{detail}）" if detail else self.message)


class ArchiveStore(Protocol):
    def ping(self) -> None:
        """Return when the store answers; raise ``StorageUnavailable`` otherwise."""
        ...

    def put(
        self, key: str, data: bytes, *, content_type: str, retention: Retention, metadata: dict[str, str]
    ) -> StoredObject:
        """Store ``data`` under ``key``; the same bytes again return the stored version,
        different bytes under a key still retained are refused."""
        ...

    def get(self, key: str, version_id: str) -> bytes: ...

    def stat(self, key: str, version_id: str) -> StoredObject: ...

    def delete(self, key: str, version_id: str) -> None:
        """Remove one version; refused while its retention or legal hold is in force."""
        ...

    def extend_retention(self, key: str, version_id: str, until: datetime) -> None:
        """Keep a version longer; shortening is refused."""
        ...

    def download_url(self, key: str, version_id: str, expires: timedelta) -> str | None:
        """A short-lived URL pinned to the version, or None when the platform streams the bytes."""
        ...


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def refuse_retained(stored: StoredObject, now: datetime, action: str) -> None:
    if stored.retained(now):
        raise ArchiveRefused("archive_retained", f"档案仍在保管期限内（或处于法定保留状态），不能{action}")


def refuse_shortening(current: datetime | None, until: datetime, legal_hold: bool) -> None:
    if legal_hold:
        raise ArchiveRefused("archive_retention_permanent", "永久保管的档案处于法定保留状态，无需也不能修改保管期限")
    if current is not None and until < current:
        raise ArchiveRefused("archive_retention_shortened", "不能缩短档案的保管期限")


class LocalArchiveStore:
    """A folder: ``objects/<key>`` read-only, with ``<key>.json`` holding the
    version (the content's SHA-256) and its retention."""

    def __init__(self, root: Path, clock: type[datetime] = datetime) -> None:
        self.root = root
        self._clock = clock

    def _now(self) -> datetime:
        return self._clock.now(UTC)

    def ping(self) -> None:
        folder = self.root / "objects"
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageUnavailable(str(exc)) from exc
        if not os.access(folder, os.W_OK):
            raise StorageUnavailable(f"{folder} 不可写")

    def _paths(self, key: str) -> tuple[Path, Path]:
        if key.startswith("/") or ".." in Path(key).parts:
            raise ArchiveRefused("archive_bad_key", "档案对象名称无效")
        target = self.root / "objects" / key
        return target, target.with_name(target.name + ".json")

    def _meta(self, key: str) -> StoredObject | None:
        _, meta = self._paths(key)
        if not meta.exists():
            return None
        raw = json.loads(meta.read_text(encoding="utf-8"))
        until = datetime.fromisoformat(raw["retain_until"]) if raw["retain_until"] else None
        return StoredObject(
            raw["key"], raw["version_id"], raw["sha256"], raw["size"], raw["content_type"], until, raw["legal_hold"]
        )

    def _write_meta(self, stored: StoredObject) -> None:
        _, meta = self._paths(stored.key)
        body = {**asdict(stored), "retain_until": stored.retain_until.isoformat() if stored.retain_until else None}
        _atomic_write(meta, json.dumps(body, ensure_ascii=False).encode(), mode=0o644)

    def put(
        self, key: str, data: bytes, *, content_type: str, retention: Retention, metadata: dict[str, str]
    ) -> StoredObject:
        target, _ = self._paths(key)
        digest = sha256_hex(data)
        existing = self._meta(key)
        if existing is not None:
            if existing.sha256 == digest:
                return existing
            refuse_retained(existing, self._now(), "覆盖")
        target.parent.mkdir(parents=True, exist_ok=True)
        _atomic_write(target, data, mode=0o444)
        stored = StoredObject(key, digest, digest, len(data), content_type, retention.until, retention.legal_hold)
        self._write_meta(stored)
        return stored

    def stat(self, key: str, version_id: str) -> StoredObject:
        stored = self._meta(key)
        if stored is None or stored.version_id != version_id:
            raise ArchiveRefused("archive_object_missing", "档案对象不存在")
        return stored

    def get(self, key: str, version_id: str) -> bytes:
        self.stat(key, version_id)
        target, _ = self._paths(key)
        return target.read_bytes()

    def delete(self, key: str, version_id: str) -> None:
        stored = self.stat(key, version_id)
        refuse_retained(stored, self._now(), "删除")
        target, meta = self._paths(key)
        target.unlink()
        meta.unlink()

    def extend_retention(self, key: str, version_id: str, until: datetime) -> None:
        stored = self.stat(key, version_id)
        refuse_shortening(stored.retain_until, until, stored.legal_hold)
        self._write_meta(
            StoredObject(
                stored.key, stored.version_id, stored.sha256, stored.size, stored.content_type, until, stored.legal_hold
            )
        )

    def download_url(self, key: str, version_id: str, expires: timedelta) -> str | None:
        return None


def _atomic_write(path: Path, data: bytes, *, mode: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".part-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise

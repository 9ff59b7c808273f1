"""The archive on S3 object storage with object lock (MinIO in production).

The bucket is created with versioning and object lock. Each record is written
with a server-side SHA-256 checksum and its retention: a retain-until date in
compliance or governance mode, or a legal hold for permanent records. The
store itself refuses what the lock would refuse, with the same Chinese
messages as the local folder; the lock is the guarantee underneath.
"""

from __future__ import annotations

import base64
import hashlib
import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import urllib3
from minio import Minio
from minio.commonconfig import COMPLIANCE, GOVERNANCE
from minio.error import S3Error
from minio.retention import Retention as S3Retention

from storage.archive import (
    ArchiveRefused,
    Retention,
    StorageUnavailable,
    StoredObject,
    refuse_retained,
    refuse_shortening,
    sha256_hex,
)

MISSING = ("NoSuchKey", "NoSuchVersion", "ResourceNotFound", "NoSuchObjectLockConfiguration")


@dataclass(frozen=True)
class S3Timeouts:
    """Explicit limits instead of the SDK's defaults (5 minutes a read, 5 retries): an absent
    store costs a request seconds, not minutes."""

    connect: float = 3.0
    read: float = 30.0
    retries: int = 2

    def http_client(self) -> urllib3.PoolManager:
        retry = urllib3.Retry(
            total=self.retries, backoff_factor=0.2, status_forcelist=(500, 502, 503, 504), allowed_methods=None
        )
        return urllib3.PoolManager(
            timeout=urllib3.Timeout(connect=self.connect, read=self.read), retries=retry, maxsize=10
        )


@contextmanager
def reachable() -> Iterator[None]:
    """Network failures and server errors of the store become ``StorageUnavailable``."""
    try:
        yield
    except S3Error as exc:
        if exc.code in MISSING or exc.code in ("AccessDenied", "InvalidRequest", "InvalidArgument"):
            raise
        if exc.response is not None and int(getattr(exc.response, "status", 500) or 500) < 500:
            raise
        raise StorageUnavailable(str(exc.code)) from exc
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        raise StorageUnavailable(type(exc).__name__) from exc


CHECKSUM_HEADER = "x-amz-checksum-sha256"
SHA_META = "x-amz-meta-sha256"


class S3ArchiveStore:
    def __init__(self, client: Minio, bucket: str, *, mode: str = "COMPLIANCE", prefix: str = "") -> None:
        if mode not in (COMPLIANCE, GOVERNANCE):
            raise ValueError("对象锁定模式只能是 COMPLIANCE 或 GOVERNANCE")
        self.client = client
        self.bucket = bucket
        self.mode = mode
        self.prefix = prefix
        self._bucket_ready = False

    @classmethod
    def connect(
        cls,
        endpoint: str,
        access_key: str,
        secret_key: str,
        bucket: str,
        *,
        secure: bool,
        mode: str,
        prefix: str = "",
        timeouts: S3Timeouts | None = None,
    ) -> S3ArchiveStore:
        """A store on ``bucket``; nothing is asked of the server yet, so the platform starts while S3 is down."""
        http = (timeouts or S3Timeouts()).http_client()
        client = Minio(endpoint, access_key=access_key, secret_key=secret_key, secure=secure, http_client=http)
        return cls(client, bucket, mode=mode, prefix=prefix)

    def ensure_bucket(self) -> None:
        with reachable():
            if not self.client.bucket_exists(self.bucket):
                self.client.make_bucket(self.bucket, object_lock=True)  # object lock implies versioning
        self._bucket_ready = True

    def ping(self) -> None:
        with reachable():
            self.client.bucket_exists(self.bucket)

    def _latest(self, key: str) -> StoredObject | None:
        try:
            with reachable():
                stat = self.client.stat_object(self.bucket, self.prefix + key)
        except S3Error as exc:
            if exc.code in MISSING:
                return None
            raise
        return self._stored(key, stat)

    def _stored(self, key: str, stat: object) -> StoredObject:
        meta = getattr(stat, "metadata", None) or {}
        until = meta.get("x-amz-object-lock-retain-until-date")
        hold = meta.get("x-amz-object-lock-legal-hold") == "ON"
        return StoredObject(
            key=key,
            version_id=str(getattr(stat, "version_id", "")),
            sha256=str(meta.get(SHA_META, "")),
            size=int(getattr(stat, "size", 0) or 0),
            content_type=str(getattr(stat, "content_type", "") or ""),
            retain_until=datetime.fromisoformat(until.replace("Z", "+00:00")) if until else None,
            legal_hold=hold,
        )

    def put(
        self, key: str, data: bytes, *, content_type: str, retention: Retention, metadata: dict[str, str]
    ) -> StoredObject:
        if not self._bucket_ready:
            self.ensure_bucket()
        digest = sha256_hex(data)
        existing = self._latest(key)
        if existing is not None:
            if existing.sha256 == digest:
                return existing
            refuse_retained(existing, datetime.now(UTC), "覆盖")
        headers = {
            CHECKSUM_HEADER: base64.b64encode(hashlib.sha256(data).digest()).decode(),
            SHA_META: digest,
            **{f"x-amz-meta-{k}": v for k, v in metadata.items()},
        }
        with reachable():
            result = self.client.put_object(
                self.bucket,
                self.prefix + key,
                io.BytesIO(data),
                len(data),
                content_type=content_type,
                metadata=headers,  # type: ignore[arg-type]
                retention=S3Retention(self.mode, retention.until) if retention.until is not None else None,
                legal_hold=retention.legal_hold,
            )
        return StoredObject(
            key, str(result.version_id), digest, len(data), content_type, retention.until, retention.legal_hold
        )

    def stat(self, key: str, version_id: str) -> StoredObject:
        try:
            with reachable():
                stat = self.client.stat_object(self.bucket, self.prefix + key, version_id=version_id)
        except S3Error as exc:
            raise ArchiveRefused("archive_object_missing", "档案对象不存在") from exc
        return self._stored(key, stat)

    def get(self, key: str, version_id: str) -> bytes:
        try:
            with reachable():
                response = self.client.get_object(self.bucket, self.prefix + key, version_id=version_id)
        except S3Error as exc:
            raise ArchiveRefused("archive_object_missing", "档案对象不存在") from exc
        try:
            with reachable():
                return bytes(response.read())
        finally:
            response.close()
            response.release_conn()

    def delete(self, key: str, version_id: str) -> None:
        stored = self.stat(key, version_id)
        refuse_retained(stored, datetime.now(UTC), "删除")
        try:
            with reachable():
                self.client.remove_object(self.bucket, self.prefix + key, version_id=version_id)
        except S3Error as exc:  # the lock refused what the clock here thought was allowed
            raise ArchiveRefused("archive_retained", "对象存储拒绝删除：档案仍受保管期限保护") from exc

    def extend_retention(self, key: str, version_id: str, until: datetime) -> None:
        stored = self.stat(key, version_id)
        refuse_shortening(stored.retain_until, until, stored.legal_hold)
        try:
            with reachable():
                self.client.set_object_retention(
                    self.bucket, self.prefix + key, S3Retention(self.mode, until), version_id=version_id
                )
        except S3Error as exc:
            raise ArchiveRefused("archive_retention_shortened", "对象存储拒绝修改保管期限") from exc

    def download_url(self, key: str, version_id: str, expires: timedelta) -> str | None:
        url = self.client.presigned_get_object(self.bucket, self.prefix + key, expires=expires, version_id=version_id)
        return str(url)

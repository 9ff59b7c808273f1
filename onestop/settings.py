"""One settings class. The embedded default needs nothing but a data folder;
production points at PostgreSQL, a broker and object storage through the
environment only (``DATABASE_URL``, ``BROKER_URL``, ...)."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent


def _cache_home() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")


class UnsafeSettings(RuntimeError):
    """Production is configured in a way the platform refuses to run with."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", extra="ignore", populate_by_name=True)

    data_dir: Path = Field(default=Path("data"), alias="ONESTOP_DATA_DIR")
    database_url: str | None = Field(default=None, alias="DATABASE_URL")
    broker_url: str | None = Field(default=None, alias="BROKER_URL")
    # A database that does not answer: connecting gives up after this many seconds, a statement after these ms.
    db_connect_timeout: float = Field(default=5.0, gt=0, le=120, alias="ONESTOP_DB_CONNECT_TIMEOUT")
    db_statement_timeout_ms: int = Field(default=60_000, ge=0, alias="ONESTOP_DB_STATEMENT_TIMEOUT_MS")
    # Object storage: seconds to connect and to read one answer, and retries of a failed request.
    s3_connect_timeout: float = Field(default=3.0, gt=0, alias="ONESTOP_S3_CONNECT_TIMEOUT")
    s3_read_timeout: float = Field(default=30.0, gt=0, alias="ONESTOP_S3_READ_TIMEOUT")
    s3_retries: int = Field(default=2, ge=0, le=10, alias="ONESTOP_S3_RETRIES")
    processes_dir: Path = Field(default=REPO_ROOT / "processes", alias="ONESTOP_PROCESSES_DIR")
    token_ttl_minutes: int = Field(default=12 * 60, alias="ONESTOP_TOKEN_TTL_MINUTES")
    max_upload_bytes: int = Field(default=20 * 1024 * 1024, alias="ONESTOP_MAX_UPLOAD_BYTES")
    max_request_bytes: int = Field(default=60 * 1024 * 1024, alias="ONESTOP_MAX_REQUEST_BYTES")
    workflow_cache_size: int = Field(default=512, alias="ONESTOP_WORKFLOW_CACHE_SIZE")
    outbox_max_attempts: int = Field(default=8, alias="ONESTOP_OUTBOX_MAX_ATTEMPTS")
    # Worker threads: one per outbox queue (5) and some for the periodic jobs.
    worker_concurrency: int = Field(default=8, ge=1, le=64, alias="ONESTOP_WORKER_CONCURRENCY")
    # Production: PEM file of the CA certificates whose signatures are trusted.
    trust_roots_file: Path | None = Field(default=None, alias="ONESTOP_TRUST_ROOTS")
    # Production signing: <dir>/<department>.p12 with the password below; unset = development CA.
    signing_keys_dir: Path | None = Field(default=None, alias="ONESTOP_SIGNING_KEYS_DIR")
    signing_key_password: str | None = Field(default=None, alias="ONESTOP_SIGNING_KEY_PASSWORD")
    # RFC 3161 timestamp authority; unset = the platform's own development TSA.
    tsa_url: str | None = Field(default=None, alias="ONESTOP_TSA_URL")
    # Only for test rigs on PostgreSQL: sign with the development CA and TSA even though DATABASE_URL is set.
    development_signing: bool = Field(default=False, alias="ONESTOP_DEVELOPMENT_SIGNING")
    # Session cookies marked Secure; unset = only when the request itself came over HTTPS.
    secure_cookies: bool | None = Field(default=None, alias="ONESTOP_SECURE_COOKIES")
    # Business dates (deadlines, 文号 years, "today") are dates in this zone; stored moments are UTC.
    timezone: str = Field(default="Asia/Shanghai", alias="ONESTOP_TIMEZONE")
    # How long a 核准使用编制通知单 holds its places before it expires unused.
    notice_validity_months: int = Field(default=6, ge=1, le=24, alias="ONESTOP_NOTICE_VALIDITY_MONTHS")
    region_name: str = Field(default="示范市", alias="ONESTOP_REGION_NAME")
    document_prefix: str = Field(default="示", alias="ONESTOP_DOCUMENT_PREFIX")
    public_base_url: str = Field(default="http://127.0.0.1:8000", alias="ONESTOP_PUBLIC_BASE_URL")
    # The archive: S3/MinIO when an endpoint is set, else a local folder under the data folder.
    archive_s3_endpoint: str | None = Field(default=None, alias="ONESTOP_ARCHIVE_S3_ENDPOINT")
    archive_s3_access_key: str | None = Field(default=None, alias="ONESTOP_ARCHIVE_S3_ACCESS_KEY")
    archive_s3_secret_key: str | None = Field(default=None, alias="ONESTOP_ARCHIVE_S3_SECRET_KEY")
    archive_s3_bucket: str = Field(default="onestop-archive", alias="ONESTOP_ARCHIVE_S3_BUCKET")
    archive_s3_secure: bool = Field(default=True, alias="ONESTOP_ARCHIVE_S3_SECURE")
    archive_lock_mode: str = Field(default="COMPLIANCE", alias="ONESTOP_ARCHIVE_LOCK_MODE")
    archive_fonds: str = Field(default="J001", alias="ONESTOP_ARCHIVE_FONDS")  # 全宗号
    # The ZIPs of archivists' exports; several machines: a folder the API and the workers share.
    archive_exports_dir: Path | None = Field(default=None, alias="ONESTOP_ARCHIVE_EXPORTS_DIR")
    # The document font is cut once from the system font and shared by every data folder.
    font_dir: Path = Field(default_factory=lambda: _cache_home() / "onestop" / "fonts", alias="ONESTOP_FONT_DIR")

    @property
    def embedded(self) -> bool:
        """True when no production database is configured."""
        return self.database_url is None

    @property
    def signs_for_development(self) -> bool:
        """The platform's own CA and TSA sign: the embedded default, or a test rig that says so."""
        return self.embedded or self.development_signing

    def unsafe_signing(self) -> list[str]:
        """What production lacks to sign for real (empty when it has it all, or when signing for development).
        Production never falls back to the development CA."""
        if self.signs_for_development:
            return []
        needed = {
            "ONESTOP_SIGNING_KEYS_DIR": (self.signing_keys_dir, "各部门签名证书（<部门代码>.p12）所在目录"),
            "ONESTOP_TSA_URL": (self.tsa_url, "可信时间戳服务（RFC 3161）地址"),
            "ONESTOP_TRUST_ROOTS": (self.trust_roots_file, "信任的根证书（PEM）文件"),
        }
        return [f"{name}（{what}）" for name, (value, what) in needed.items() if not value]

    def check_signing(self) -> None:
        """Raise ``UnsafeSettings`` naming every signing setting production lacks."""
        missing = self.unsafe_signing()
        if missing:
            said = "、".join(missing)
            raise UnsafeSettings(
                f"生产环境（已设置 DATABASE_URL）缺少正式签名配置：{said}；平台不使用开发测试证书签署文书"
            )

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'onestop.sqlite3').resolve()}"

    @property
    def attachments_dir(self) -> Path:
        return self.data_dir / "attachments"

    @property
    def pki_dir(self) -> Path:
        return self.data_dir / "pki"

    @property
    def documents_dir(self) -> Path:
        return self.data_dir / "documents"

    @property
    def archive_dir(self) -> Path:
        return self.data_dir / "archive"

    @property
    def exports_dir(self) -> Path:
        return self.archive_exports_dir or self.data_dir / "exports"

    @property
    def broker_dir(self) -> Path:
        return self.data_dir / "broker"

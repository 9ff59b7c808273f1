"""One settings class. The embedded default needs nothing but a data folder;
production points at PostgreSQL, a broker and object storage through the
environment only (``DATABASE_URL``, ``BROKER_URL``, ...)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", extra="ignore", populate_by_name=True)

    data_dir: Path = Field(default=Path("data"), alias="ONESTOP_DATA_DIR")
    database_url: str | None = Field(default=None, alias="DATABASE_URL")
    broker_url: str | None = Field(default=None, alias="BROKER_URL")
    processes_dir: Path = Field(default=REPO_ROOT / "processes", alias="ONESTOP_PROCESSES_DIR")
    token_ttl_minutes: int = Field(default=12 * 60, alias="ONESTOP_TOKEN_TTL_MINUTES")
    max_upload_bytes: int = Field(default=20 * 1024 * 1024, alias="ONESTOP_MAX_UPLOAD_BYTES")
    max_request_bytes: int = Field(default=60 * 1024 * 1024, alias="ONESTOP_MAX_REQUEST_BYTES")
    workflow_cache_size: int = Field(default=512, alias="ONESTOP_WORKFLOW_CACHE_SIZE")
    outbox_max_attempts: int = Field(default=8, alias="ONESTOP_OUTBOX_MAX_ATTEMPTS")
    # Production: PEM file of the CA certificates whose signatures are trusted.
    trust_roots_file: Path | None = Field(default=None, alias="ONESTOP_TRUST_ROOTS")

    @property
    def embedded(self) -> bool:
        """True when no production database is configured."""
        return self.database_url is None

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
    def broker_dir(self) -> Path:
        return self.data_dir / "broker"

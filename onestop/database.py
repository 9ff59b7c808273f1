"""Schema management: Alembic upgrade to head on the configured database."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
STARTUP_LOCK_KEY = 0x57A27


def import_models() -> None:
    """Register every table on ``Base.metadata``."""
    import archive.models  # noqa: F401
    import documents.models  # noqa: F401
    import kernel.accounts
    import kernel.sequences
    import kernel.throttle
    import kernel.workdays  # noqa: F401
    import registry.models  # noqa: F401


# Full-text search structures the migrations create by hand (SQLite FTS5 and its
# shadow tables; PostgreSQL generated tsvector columns and their indexes): not on the models.
UNMODELLED = (
    "archive_fts",
    "ix_archive_records_search",
    "ix_archive_records_persons",
    "ix_archive_records_units",
    "search_vector",
    "person_vector",
    "unit_vector",
)


def managed_by_models(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    return not (name or "").startswith(UNMODELLED)


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str) -> None:
    with one_at_a_time(url):
        command.upgrade(alembic_config(url), "head")


@contextmanager
def one_at_a_time(url: str) -> Iterator[None]:
    """Several processes starting together (two API machines, a restart of all
    workers) upgrade and deploy one after the other: on PostgreSQL a session
    advisory lock; SQLite lets one writer in at a time anyway."""
    if not url.startswith("postgresql"):
        yield
        return
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": STARTUP_LOCK_KEY})
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": STARTUP_LOCK_KEY})
    finally:
        engine.dispose()

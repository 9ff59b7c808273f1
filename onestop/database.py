"""Schema management: Alembic upgrade to head on the configured database."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def import_models() -> None:
    """Register every table on ``Base.metadata``."""
    import engine.accounts
    import engine.models
    import engine.records
    import engine.sequences
    import engine.workdays  # noqa: F401
    import registry.models  # noqa: F401
    import signatures.models  # noqa: F401


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str) -> None:
    command.upgrade(alembic_config(url), "head")

"""The migrations build exactly the schema the models declare, on both backends."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine

from kernel.db import Base
from onestop.database import import_models, managed_by_models


def test_no_difference_between_models_and_migrations(database_url: str) -> None:
    import_models()
    engine = create_engine(database_url)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": managed_by_models})
        diff = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert diff == []

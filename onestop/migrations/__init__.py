"""Alembic migrations of the OneStop schema."""

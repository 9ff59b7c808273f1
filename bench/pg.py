"""Throwaway PostgreSQL databases on the local server (trust auth, loopback only)."""

from __future__ import annotations

import uuid

import psycopg

from onestop.database import upgrade

PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres connect_timeout=5"
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/{name}"


def _admin(sql: str) -> None:
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(sql.encode())


def unreachable_reason() -> str | None:
    """None when the server answers, else why it does not."""
    try:
        _admin("SELECT 1")
    except psycopg.Error as exc:
        return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return None


class ThrowawayDatabase:
    """A fresh, migrated database; ``drop()`` removes it (idempotent)."""

    def __init__(self, prefix: str) -> None:
        self.name = f"{prefix}_{uuid.uuid4().hex[:10]}"
        self.url = PG_URL.format(name=self.name)
        self._created = False

    def create(self) -> str:
        _admin(f'CREATE DATABASE "{self.name}"')
        self._created = True
        upgrade(self.url)
        return self.url

    def drop(self) -> None:
        if self._created:
            _admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            self._created = False

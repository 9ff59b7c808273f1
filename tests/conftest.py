"""Shared fixtures: a migrated database per test on SQLite and PostgreSQL,
the demo accounts, and an HTTP client on the real app.

Every test runs on the platform's clock: ``ONESTOP_TEST_CLOCK`` (a UTC time
of day like ``23:30``, or a whole ISO moment) pins the session there, so the
suite can be run at the hours where the UTC and China dates differ.

Migrating, deploying and hashing the demo passwords are the slow parts, so
each backend gets them once per session in a template (a file for SQLite, a
template database for PostgreSQL) and every test gets a fresh copy of it.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any

import psycopg
import pytest
import time_machine
from fastapi.testclient import TestClient

from kernel.accounts import User
from kernel.actors import Actor
from kernel.outbox import drain
from onestop.bootstrap import Platform, build_app, build_platform, deploy_processes
from onestop.database import upgrade
from onestop.demo import DEMO_PASSWORD, seed_demo
from onestop.settings import Settings
from tests.seaweedfs import S3Server, seaweedfs

# Test platforms on PostgreSQL sign with the development CA (production refuses to without this).
os.environ["ONESTOP_DEVELOPMENT_SIGNING"] = "1"


def pinned_moment(value: str) -> datetime:
    """``HH:MM`` is that UTC time of today's UTC date; anything else is an ISO moment (UTC if naive)."""
    if len(value) <= 5:
        return datetime.combine(datetime.now(UTC).date(), time.fromisoformat(value), tzinfo=UTC)
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@pytest.fixture(scope="session", autouse=True)
def pinned_clock() -> Iterator[time_machine.travel | None]:
    """The whole session at ``ONESTOP_TEST_CLOCK``, ticking from there."""
    value = os.environ.get("ONESTOP_TEST_CLOCK")
    if not value:
        yield None
        return
    traveller = time_machine.travel(pinned_moment(value), tick=True)
    traveller.start()
    yield traveller
    traveller.stop()


@pytest.fixture(autouse=True)
def real_clock_for_s3(request: pytest.FixtureRequest, pinned_clock: time_machine.travel | None) -> Iterator[None]:
    """An S3 server refuses requests signed more than 15 minutes off its own clock
    (RequestTimeTooSkewed), and SeaweedFS runs on the machine's real clock: the
    tests that talk to it run on the real clock too."""
    talks_to_s3 = "s3_server" in request.fixturenames or request.node.get_closest_marker("real_clock")
    if pinned_clock is None or not talks_to_s3:
        yield
        return
    pinned_clock.stop()
    try:
        yield
    finally:
        pinned_clock.start()


PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/{name}"


def _pg(sql: str) -> None:
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(sql)


def _prepare_template(url: str, data_dir: Path) -> None:
    upgrade(url)
    platform = build_platform(Settings(ONESTOP_DATA_DIR=data_dir, DATABASE_URL=url), migrate=False)
    deploy_processes(platform)
    with platform.ctx.transaction() as session:
        seed_demo(session)
    platform.close()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("template")
    path = folder / "template.sqlite3"
    _prepare_template(f"sqlite:///{path}", folder / "data")
    return path


@pytest.fixture(scope="session")
def pg_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    name = f"onestop_tpl_{uuid.uuid4().hex[:10]}"
    _pg(f'CREATE DATABASE "{name}"')
    _prepare_template(PG_URL.format(name=name), tmp_path_factory.mktemp("pg-template"))
    yield name
    _pg(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _sqlite_url(tmp_path: Path, template: Path) -> str:
    target = tmp_path / "onestop.sqlite3"
    shutil.copy(template, target)
    return f"sqlite:///{target}"


def _pg_copy(template: str) -> Iterator[str]:
    name = f"onestop_t_{uuid.uuid4().hex[:12]}"
    _pg(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    yield PG_URL.format(name=name)
    _pg(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated database on each backend."""
    if request.param == "sqlite":
        yield _sqlite_url(tmp_path, request.getfixturevalue("sqlite_template"))
        return
    yield from _pg_copy(request.getfixturevalue("pg_template"))


@pytest.fixture
def pg_platform_url(pg_template: str) -> Iterator[str]:
    """A fresh, migrated PostgreSQL database (for what only PostgreSQL shows: row locks)."""
    yield from _pg_copy(pg_template)


@pytest.fixture
def sqlite_url(tmp_path: Path, sqlite_template: Path) -> str:
    """A fresh, migrated SQLite database (for tests that need one backend only)."""
    return _sqlite_url(tmp_path, sqlite_template)


def make_platform(url: str, data_dir: Path) -> Platform:
    """A platform on a copy of the template: demo accounts and processes are there."""
    return build_platform(Settings(ONESTOP_DATA_DIR=data_dir, DATABASE_URL=url), migrate=False)


@pytest.fixture
def platform(database_url: str, tmp_path: Path) -> Iterator[Platform]:
    """The platform with demo accounts and processes, on each backend."""
    p = make_platform(database_url, tmp_path / "data")
    yield p
    p.close()


@pytest.fixture
def sqlite_platform(sqlite_url: str, tmp_path: Path) -> Iterator[Platform]:
    p = make_platform(sqlite_url, tmp_path / "data")
    yield p
    p.close()


def actors_of(platform: Platform) -> dict[str, Actor]:
    from sqlalchemy import select

    with platform.ctx.transaction() as session:
        return {u.username: u.to_actor() for u in session.scalars(select(User))}


@pytest.fixture
def actors(platform: Platform) -> dict[str, Actor]:
    return actors_of(platform)


class Api:
    """A test client that logs in as the demo accounts and keeps their tokens."""

    def __init__(self, client: TestClient, platform: Platform) -> None:
        self.client = client
        self.platform = platform
        self._tokens: dict[str, str] = {}

    def run_worker(self) -> None:
        """One pass of the background worker: the outbox, where documents are issued."""
        report = drain(self.platform.ctx.session_factory, self.platform.ctx.outbox_handlers)
        assert report.failed == 0 and report.retried == 0, report

    def forget_tokens(self) -> None:
        """Sign in again on the next request (after the clock moved past the tokens' lifetime)."""
        self._tokens.clear()

    def headers(self, username: str) -> dict[str, str]:
        if username not in self._tokens:
            response = self.client.post("/api/v1/auth/token", data={"username": username, "password": DEMO_PASSWORD})
            assert response.status_code == 200, response.text
            self._tokens[username] = response.json()["access_token"]
        return {"Authorization": f"Bearer {self._tokens[username]}"}

    def get(self, path: str, as_user: str, **kwargs: Any) -> Any:
        return self.client.get(path, headers=self.headers(as_user), **kwargs)

    def post(self, path: str, as_user: str, **kwargs: Any) -> Any:
        return self.client.post(path, headers=self.headers(as_user), **kwargs)


def api_for(platform: Platform) -> Iterator[Api]:
    with TestClient(build_app(platform), raise_server_exceptions=False) as client:
        yield Api(client, platform)


@pytest.fixture
def api(platform: Platform) -> Iterator[Api]:
    """HTTP client on each backend."""
    yield from api_for(platform)


@pytest.fixture
def sqlite_api(sqlite_platform: Platform) -> Iterator[Api]:
    """HTTP client on SQLite only (for the many API edge cases)."""
    yield from api_for(sqlite_platform)


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    """SeaweedFS on loopback, for the archive's S3 store."""
    with seaweedfs(tmp_path_factory.mktemp("seaweedfs")) as server:
        yield server

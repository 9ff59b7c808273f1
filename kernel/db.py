"""Database plumbing: declarative base with a naming convention, engine factory."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import MetaData, create_engine, event, inspect, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.pool import NullPool

from kernel import clock

T = TypeVar("T")

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    """The current moment, from the platform's one clock."""
    return clock.now()


def as_utc(value: datetime) -> datetime:
    """SQLite returns naive datetimes; every stored time is UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def locked_row(session: Session, model: type[T], **values: Any) -> T:
    """The row of ``model`` whose primary key is in ``values``, inserted with ``values`` if missing
    (insert-or-ignore, so two first users do not collide), then locked for the transaction
    and read fresh."""
    mapper = inspect(model)
    key = {column.key: values[column.key] for column in mapper.primary_key}
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(insert(model).values(**values).on_conflict_do_nothing())
    query = select(model).filter_by(**key).with_for_update().execution_options(populate_existing=True)
    return session.scalars(query).one()


def make_engine(
    url: str,
    *,
    for_reading: bool = False,
    connect_timeout: float = 5.0,
    statement_timeout_ms: int | None = None,
    **kwargs: Any,
) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys and serialised writers.

    SQLite allows one writer at a time. Opening every writing transaction with
    ``BEGIN IMMEDIATE`` makes a second writer wait for the first (busy
    timeout) instead of failing later when it tries to upgrade a stale read.
    An engine ``for_reading`` opens plain (deferred) transactions: a snapshot
    that never waits for, nor blocks, the writer.
    """
    begin = "BEGIN" if for_reading else "BEGIN IMMEDIATE"
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 60, "check_same_thread": False}, **kwargs)

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _on_begin(connection: Any) -> None:
            connection.exec_driver_sql(begin)

        return engine
    kwargs.setdefault("pool_pre_ping", True)
    if url.startswith("postgresql"):
        # A database that does not answer fails within seconds instead of hanging a request or a start.
        options = f"-c statement_timeout={int(statement_timeout_ms)}" if statement_timeout_ms else ""
        kwargs.setdefault("connect_args", {"connect_timeout": max(1, round(connect_timeout)), "options": options})
    if "poolclass" not in kwargs:
        kwargs.setdefault("pool_size", 10)
        kwargs.setdefault("max_overflow", 20)
    return create_engine(url, **kwargs)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


def probe(url: str, *, timeout: float = 5.0) -> str | None:
    """Why the database cannot be used now (in Chinese), or None when it answers ``SELECT 1``."""
    engine = make_engine(url, connect_timeout=timeout, statement_timeout_ms=int(timeout * 1000), poolclass=NullPool)
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
    except Exception as exc:  # any driver error means the same thing to an operator
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0][:200]
        return f"无法连接数据库（{timeout:g} 秒内无响应或拒绝连接）：{reason}"
    finally:
        engine.dispose()
    return None

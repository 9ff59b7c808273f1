"""Exactly one beat: the periodic jobs (drains, overdue search, audit seals,
renewals) must not run twice when an operator starts a second beat or a
supervisor restarts one whose old process still lives.

The beat holds a lock for its whole life and a second beat waits on standby
until it is free: on PostgreSQL a session advisory lock (released by the
server the moment the holder's connection dies, on any machine), on the
embedded default an exclusive lock on ``<data>/beat.lock`` (released by the
kernel when the holder dies).
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from onestop.settings import Settings

log = logging.getLogger(__name__)

BEAT_LOCK_KEY = 0x0BEA7
STANDBY_POLL_SECONDS = 5.0


@contextmanager
def sole_beat(settings: Settings, *, poll: float = STANDBY_POLL_SECONDS) -> Iterator[None]:
    url = settings.effective_database_url
    if url.startswith("postgresql"):
        with _advisory_lock(url, poll):
            yield
    else:
        with _file_lock(settings, poll):
            yield


def _wait_until(acquired: Callable[[], bool], poll: float) -> None:
    """Try the lock until it is ours, saying once that this beat is on standby."""
    announced = False
    while not acquired():
        if not announced:
            print("另一个定时任务进程（beat）正在运行，本进程待命，待其退出后接替。", flush=True)
            announced = True
        time.sleep(poll)


@contextmanager
def _file_lock(settings: Settings, poll: float) -> Iterator[None]:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    with open(settings.data_dir / "beat.lock", "a+") as handle:

        def acquired() -> bool:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return False
            return True

        _wait_until(acquired, poll)
        handle.truncate(0)
        handle.write(str(os.getpid()))
        handle.flush()
        yield


@contextmanager
def _advisory_lock(url: str, poll: float) -> Iterator[None]:
    engine = create_engine(url, poolclass=NullPool)
    connection = engine.connect()

    def acquired() -> bool:
        got = bool(connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": BEAT_LOCK_KEY}).scalar())
        connection.commit()  # the session lock outlives the transaction; the snapshot must not
        return got

    try:
        _wait_until(acquired, poll)
        released = threading.Event()
        watcher = threading.Thread(target=_watch, args=(connection, released), name="beat-lock-watch", daemon=True)
        watcher.start()
        try:
            yield
        finally:
            released.set()
            watcher.join(5)
    finally:
        connection.close()
        engine.dispose()


def _watch(connection: Any, released: threading.Event, every: float = 15.0) -> None:
    """Lost the database connection, lost the lock: end the process, so the standby takes over alone."""
    while not released.wait(every):
        try:
            connection.execute(text("SELECT 1"))
            connection.commit()
        except Exception:
            if released.is_set():
                return
            log.error("the beat lost its database connection and with it the lock; stopping")
            os._exit(3)

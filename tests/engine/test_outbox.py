"""The outbox: side effects committed with the state change, drained once,
retried with backoff, failing visibly; the Celery worker drains it through
a real broker (Redis, RabbitMQ) and through the broker-less embedded default."""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from celery.contrib.testing.worker import start_worker
from sqlalchemy import create_engine, func, select, update

from engine import services
from engine.notifications import HANDLERS
from kernel.outbox import NotYet, Staged, drain, emit, route
from kernel.records import Incident, Notification, OutboxMessage
from onestop.bootstrap import build_platform
from onestop.settings import Settings
from onestop.worker import create_celery, make_kicker
from tests.conftest import actors_of
from tests.engine.helpers import DEMO, DEPARTMENTS, application, decide


def _count(platform: Any, model: Any, *where: Any) -> int:
    with platform.ctx.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def test_drain_delivers_each_message_once(platform: Any, actors: dict[str, Any]) -> None:
    iid = services.start(platform.ctx, actors["applicant"], process_key=DEMO, data=application())["id"]
    for dept in DEPARTMENTS:
        decide(platform.ctx, actors[dept], iid)
    first = drain(platform.ctx.session_factory, HANDLERS)
    assert first.done == 5 and first.failed == 0  # four new tasks, one finished matter
    again = drain(platform.ctx.session_factory, HANDLERS)
    assert again.done == 0
    assert _count(platform, Notification, Notification.recipient == "department:bianban") == 1
    finished = _count(
        platform, Notification, Notification.recipient == "unit:demo-unit-001", Notification.kind == "finished"
    )
    assert finished == 1
    messages = services.list_notifications(platform.ctx, actors["applicant"])
    assert any("已办结" in m["message"] for m in messages)


def test_failing_side_effect_is_retried_then_becomes_an_incident(sqlite_platform: Any) -> None:
    calls: list[int] = []

    def flaky(_session: Any, message: OutboxMessage) -> None:
        calls.append(message.id)
        raise RuntimeError("下游系统不可用")

    with sqlite_platform.ctx.transaction() as session:
        emit(session, "flaky.effect", {"instance_id": None})
    sf = sqlite_platform.ctx.session_factory
    report = drain(sf, {"flaky.effect": flaky}, max_attempts=2)
    assert (report.retried, report.failed) == (1, 0)
    assert drain(sf, {"flaky.effect": flaky}, max_attempts=2).retried == 0  # backing off, not yet due
    with sqlite_platform.ctx.transaction() as session:
        message = session.scalars(select(OutboxMessage)).one()
        message.available_at = message.created_at  # make it due now
    report = drain(sf, {"flaky.effect": flaky}, max_attempts=2)
    assert report.failed == 1 and len(calls) == 2
    assert _count(sqlite_platform, Incident, Incident.source == "outbox") == 1
    assert _count(sqlite_platform, OutboxMessage, OutboxMessage.status == "failed") == 1


def test_handler_failure_rolls_back_its_own_writes(sqlite_platform: Any) -> None:
    def half_done(session: Any, message: OutboxMessage) -> None:
        session.add(Notification(recipient="user:1", kind="test", message="不应保留"))
        session.flush()
        raise RuntimeError("boom")

    with sqlite_platform.ctx.transaction() as session:
        emit(session, "half.done", {})
    drain(sqlite_platform.ctx.session_factory, {"half.done": half_done})
    assert _count(sqlite_platform, Notification, Notification.kind == "test") == 0


BROKERS = [
    pytest.param("redis://127.0.0.1:6379/15", id="redis"),
    pytest.param("amqp://guest:guest@127.0.0.1:5672//", id="rabbitmq"),
    pytest.param(None, id="embedded-filesystem"),
]


@pytest.mark.parametrize("broker_url", BROKERS)
def test_celery_worker_drains_after_commit(broker_url: str | None, sqlite_url: str, tmp_path: Path) -> None:
    settings = Settings(ONESTOP_DATA_DIR=tmp_path / "data", DATABASE_URL=sqlite_url, BROKER_URL=broker_url)
    app = create_celery(settings)
    app.conf.task_default_queue = f"onestop-test-{uuid.uuid4().hex[:8]}"
    platform = build_platform(settings, outbox_kick=make_kicker(app), migrate=False)
    actors = actors_of(platform)
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
        services.start(platform.ctx, actors["applicant"], process_key=DEMO, data=application())
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if _count(platform, OutboxMessage, OutboxMessage.status == "done") == 4:
                break
            time.sleep(0.2)
    assert _count(platform, OutboxMessage, OutboxMessage.status == "pending") == 0
    assert _count(platform, Notification, Notification.kind == "task") == 4
    platform.close()


def test_a_failing_queue_never_delays_another(sqlite_platform: Any) -> None:
    """The archive store is away: archive messages back off, documents and notices go on."""
    ran: list[str] = []

    def store_away(_session: Any, _message: OutboxMessage) -> None:
        raise ConnectionError("对象存储不可用")

    def tell(_session: Any, message: OutboxMessage) -> None:
        ran.append(message.topic)

    route("test.archive", "archive")
    route("test.notice", "notifications")
    with sqlite_platform.ctx.transaction() as session:
        for _ in range(3):
            emit(session, "test.archive", {})
        emit(session, "test.notice", {})
    handlers = {"test.archive": store_away, "test.notice": tell}
    sf = sqlite_platform.ctx.session_factory
    assert drain(sf, handlers, queue="notifications").done == 1 and ran == ["test.notice"]
    archive = drain(sf, handlers, queue="archive")
    assert (archive.done, archive.retried) == (0, 3)
    with sqlite_platform.ctx.reading() as session:
        queues = dict(session.execute(select(OutboxMessage.topic, OutboxMessage.queue)).tuples().all())
        retries = [m.available_at for m in session.scalars(select(OutboxMessage).where(OutboxMessage.attempts == 1))]
    assert queues == {"test.archive": "archive", "test.notice": "notifications"}
    assert len(set(retries)) == 3  # jittered: the three retries do not all come back at once


def test_a_message_that_comes_too_early_waits_without_counting_an_attempt(sqlite_platform: Any) -> None:
    ready: list[bool] = [False]

    def when_ready(_session: Any, _message: OutboxMessage) -> None:
        if not ready[0]:
            raise NotYet(30, "尚未就绪")

    with sqlite_platform.ctx.transaction() as session:
        emit(session, "test.later", {})
    sf = sqlite_platform.ctx.session_factory
    assert drain(sf, {"test.later": when_ready}).deferred == 1
    with sqlite_platform.ctx.transaction() as session:
        message = session.scalars(select(OutboxMessage)).one()
        assert message.attempts == 0 and message.status == "pending"
        message.available_at = message.created_at
    ready[0] = True
    assert drain(sf, {"test.later": when_ready}).done == 1


def test_a_staged_side_effect_holds_no_transaction_while_it_works(sqlite_platform: Any) -> None:
    """During ``prepare`` (the slow upload) another writer commits at once: no lock is held."""
    platform = sqlite_platform
    written: list[int] = []

    def slow_upload(message: OutboxMessage) -> str:
        engine = create_engine(platform.settings.effective_database_url, connect_args={"timeout": 0.5})
        with engine.begin() as connection:  # would wait, then fail, if the drain held SQLite's write lock
            connection.execute(update(OutboxMessage).where(OutboxMessage.id == message.id).values(last_error="x"))
        engine.dispose()
        written.append(message.id)
        return "uploaded"

    recorded: list[str] = []
    staged = Staged(prepare=slow_upload, apply=lambda _s, _m, result: recorded.append(result))
    with platform.ctx.transaction() as session:
        emit(session, "test.staged", {})
    report = drain(platform.ctx.session_factory, {"test.staged": staged})
    assert report.done == 1 and written and recorded == ["uploaded"]


def test_a_staged_result_is_dropped_when_its_lease_was_taken_over(sqlite_platform: Any) -> None:
    """A worker too slow for its lease: another took the message; the late result records nothing."""
    platform = sqlite_platform
    applied: list[str] = []

    def outlived_lease(message: OutboxMessage) -> str:
        with platform.ctx.transaction() as session:  # meanwhile another worker leased it again
            session.get_one(OutboxMessage, message.id).claimed_by = "another"
        return "late"

    staged = Staged(prepare=outlived_lease, apply=lambda _s, _m, result: applied.append(result))
    with platform.ctx.transaction() as session:
        emit(session, "test.lease", {})
    report = drain(platform.ctx.session_factory, {"test.lease": staged})
    assert report.done == 0 and applied == []
    with platform.ctx.reading() as session:
        assert session.scalars(select(OutboxMessage)).one().status == "pending"


def test_an_outage_uses_no_attempts_and_ends_the_queues_pass(sqlite_platform: Any) -> None:
    """S3 is down: the first archive message waits without counting an attempt, the rest of the
    queue is not tried in vain this pass, and everything runs once the store is back."""
    from storage.archive import StorageUnavailable

    down = [True]
    tried: list[int] = []

    def upload(_session: Any, message: OutboxMessage) -> None:
        tried.append(message.id)
        if down[0]:
            raise StorageUnavailable("connection refused")

    route("test.upload", "archive")
    with sqlite_platform.ctx.transaction() as session:
        for _ in range(3):
            emit(session, "test.upload", {})
    sf = sqlite_platform.ctx.session_factory
    report = drain(sf, {"test.upload": upload}, queue="archive", max_attempts=1)
    assert (report.waiting_on_outage, report.failed, len(tried)) == (1, 0, 1)
    with sqlite_platform.ctx.transaction() as session:
        for message in session.scalars(select(OutboxMessage)):
            assert message.attempts == 0 and message.status == "pending"
            message.available_at = message.created_at
    down[0] = False
    assert drain(sf, {"test.upload": upload}, queue="archive", max_attempts=1).done == 3
    assert _count(sqlite_platform, Incident) == 0

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
from sqlalchemy import func, select

from engine import services
from engine.models import Incident
from engine.notifications import HANDLERS
from engine.outbox import drain, emit
from engine.records import Notification, OutboxMessage
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

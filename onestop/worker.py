"""The Celery worker: drains the outbox. The only module that imports Celery.

The embedded default uses Kombu's filesystem transport under the data folder,
so no broker server is needed; production sets ``BROKER_URL`` (Redis or
RabbitMQ). Tasks take no state: they reload everything from the database.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from celery import Celery

from engine.overdue import find_overdue
from kernel import clock
from kernel.outbox import QUEUES, drain
from onestop import file_queue
from onestop.settings import Settings

log = logging.getLogger(__name__)

DRAIN_TASK = "onestop.drain_outbox"
OVERDUE_TASK = "onestop.find_overdue"
RENEW_TASK = "onestop.renew_archive_timestamps"
EXPORTS_TASK = "onestop.restart_stalled_exports"
NOTICES_TASK = "onestop.expire_notices"
CHECKPOINT_TASK = "onestop.audit_checkpoint"
SWEEP_TASK = "onestop.sweep_attachments"
TIMERS_TASK = "onestop.wake_timers"


def broker_options(settings: Settings) -> dict[str, Any]:
    if settings.broker_url:
        return {"broker_url": settings.broker_url}
    folder = settings.broker_dir.resolve()
    for sub in ("queue", "control"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    return {
        "broker_url": f"{file_queue.SCHEME}://",
        "broker_transport_options": {
            "data_folder_in": str(folder / "queue"),
            "data_folder_out": str(folder / "queue"),
            "control_folder": str(folder / "control"),
            "store_processed": False,
        },
    }


def broker_ping(settings: Settings, *, timeout: float = 3.0) -> None:
    """Return when the broker accepts a connection (the embedded file queue: when its folder is writable)."""
    if not settings.broker_url:
        folder = broker_options(settings)["broker_transport_options"]["data_folder_in"]
        if not os.access(folder, os.W_OK):
            raise RuntimeError(f"文件队列目录 {folder} 不可写")
        return
    from kombu.connection import Connection

    with Connection(settings.broker_url, connect_timeout=timeout) as connection:  # type: ignore[no-untyped-call]
        connection.ensure_connection(max_retries=1, timeout=timeout)


def create_celery(settings: Settings, *, drain_interval_seconds: float = 15.0) -> Celery:
    app = Celery("onestop")
    app.conf.update(
        **broker_options(settings),
        task_ignore_result=True,
        task_acks_late=True,
        worker_hijack_root_logger=False,
        broker_connection_retry_on_startup=True,
        worker_prefetch_multiplier=1,
        beat_schedule={
            **{
                f"drain-{queue}": {"task": DRAIN_TASK, "schedule": drain_interval_seconds, "kwargs": {"queue": queue}}
                for queue in QUEUES
            },
            "find-overdue": {"task": OVERDUE_TASK, "schedule": 600.0},
            "renew-archive-timestamps": {"task": RENEW_TASK, "schedule": 24 * 3600.0},
            "restart-stalled-exports": {"task": EXPORTS_TASK, "schedule": 300.0},
            "expire-notices": {"task": NOTICES_TASK, "schedule": 3600.0},
            "seal-audit": {"task": CHECKPOINT_TASK, "schedule": 60.0},
            "sweep-attachments": {"task": SWEEP_TASK, "schedule": 3600.0},
            "wake-timers": {"task": TIMERS_TASK, "schedule": 60.0},
        },
    )
    app.onestop_settings = settings
    app.task(name=DRAIN_TASK, bind=True)(drain_outbox)
    app.task(name=OVERDUE_TASK, bind=True)(mark_overdue)
    app.task(name=RENEW_TASK, bind=True)(renew_archive_timestamps)
    app.task(name=EXPORTS_TASK, bind=True)(restart_stalled_exports)
    app.task(name=NOTICES_TASK, bind=True)(expire_notices)
    app.task(name=CHECKPOINT_TASK, bind=True)(seal_audit)
    app.task(name=SWEEP_TASK, bind=True)(sweep_attachments)
    app.task(name=TIMERS_TASK, bind=True)(wake_timers)
    return app


def _platform(app: Celery) -> Any:
    platform = getattr(app, "onestop_platform", None)
    if platform is None:
        from onestop.bootstrap import build_platform

        platform = app.onestop_platform = build_platform(app.onestop_settings, migrate=False)
    return platform


def mark_overdue(task: Any) -> int:
    """The periodic search for tasks past their deadline (催办)."""
    found = find_overdue(_platform(task.app).ctx.session_factory)
    if found:
        log.info("overdue tasks found: %s", found)
    return found


def wake_timers(task: Any) -> int:
    """Every minute: the matters whose BPMN timer is due (超时处理: 逾期视为同意, 督办)."""
    from engine.services.waking import wake_due

    woken = wake_due(_platform(task.app).ctx)
    if woken:
        log.info("matters woken by their timers: %s", woken)
    return woken


def renew_archive_timestamps(task: Any) -> int:
    """The daily renewal of archive timestamps that are due (B-LTA)."""
    from archive.renewal import renew_due

    platform = _platform(task.app)
    renewed = renew_due(platform.ctx, platform.archive, clock.today())
    if renewed:
        log.info("archive timestamps renewed: %s", renewed)
    return renewed


def expire_notices(task: Any) -> list[str]:
    """Hourly: 核准使用编制通知单 past their validity end and give their places back
    (hourly, so a notice lapses within the hour after China midnight); 周转池 loans that
    fall due within a month, and those that fell due, are told to their unit and 编办 (once each)."""
    from registry.notices import expire_due
    from registry.totals import tell_due_soon, tell_overdue

    with _platform(task.app).ctx.transaction() as session:
        expired = expire_due(session, clock.today())
        overdue = tell_overdue(session, clock.today()) + tell_due_soon(session, clock.today())
    if expired:
        log.info("notices expired: %s", expired)
    if overdue:
        log.info("周转池 loans overdue: %s", overdue)
    return expired


def seal_audit(task: Any) -> int:
    """Every minute: a checkpoint over the audit chains that grew (see ``kernel.audit.checkpoints``)."""
    from kernel.audit import checkpoint

    with _platform(task.app).ctx.transaction() as session:
        sealed = checkpoint(session)
        return len(sealed.heads) if sealed else 0


def sweep_attachments(task: Any) -> int:
    """Hourly: stored files no record refers to, a day after they were written (a refused
    submission whose process died before it could clean up, say), are removed; so are
    sign-in and rate-limit counters nobody has touched for two days."""
    from engine.services.attachments import sweep_orphans
    from kernel import throttle

    platform = _platform(task.app)
    removed = sweep_orphans(platform.ctx, platform.attachments)
    if removed:
        log.info("orphan attachment files removed: %s", removed)
    with platform.ctx.transaction() as session:
        throttle.forget_stale(session)
    return removed


def restart_stalled_exports(task: Any) -> int:
    """Archive exports whose worker died mid-way are started again (through the outbox)."""
    from archive.export_jobs import restart_stalled

    restarted = restart_stalled(_platform(task.app).ctx)
    if restarted:
        log.info("stalled archive exports restarted: %s", restarted)
    return restarted


_DRAINING = {queue: threading.Lock() for queue in QUEUES}


def drain_outbox(task: Any, queue: str | None = None) -> dict[str, int]:
    """Run the due messages of one queue (all, when none is named). One drain per
    queue at a time in a process, so a slow queue holds one thread and never the
    others'. One callable for every app: Celery keeps task callables by name
    process-wide, so per-app closures would collide."""
    app = task.app
    lock = _DRAINING.get(queue) if queue else None
    if lock is not None and not lock.acquire(blocking=False):
        return {}  # this queue is being drained here already; that pass will see the new messages
    try:
        platform = _platform(app)
        settings: Settings = app.onestop_settings
        report = drain(
            platform.ctx.session_factory,
            platform.ctx.outbox_handlers,
            queue=queue,
            max_attempts=settings.outbox_max_attempts,
        )
    finally:
        if lock is not None:
            lock.release()
    if report.done or report.failed or report.retried:
        log.info("outbox %s drained: %s", queue or "*", report)
    return asdict(report)


def make_kicker(app: Celery) -> Callable[[str | None], None]:
    """After a commit that wrote outbox rows: ask a worker to drain their queue now."""

    def kick(queue: str | None = None) -> None:
        try:
            app.send_task(DRAIN_TASK, kwargs={"queue": queue})
        except Exception:  # the periodic drain picks it up later
            log.warning("could not reach the broker; the periodic drain will run the outbox", exc_info=True)

    return kick


def run_worker(settings: Settings) -> None:
    """Threads, one per queue and a few for the periodic jobs: a slow archive never holds documents up."""
    app = create_celery(settings)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    worker = app.Worker(pool="threads", concurrency=settings.worker_concurrency, loglevel="INFO")
    worker.start()


def run_beat(settings: Settings) -> None:
    """The periodic jobs' clock. Exactly one runs: see ``onestop.beat_guard``."""
    from onestop.beat_guard import sole_beat

    app = create_celery(settings)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    with sole_beat(settings):
        app.Beat(loglevel="INFO", schedule=str((settings.data_dir / "celerybeat-schedule").resolve())).run()

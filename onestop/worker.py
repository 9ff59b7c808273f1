"""The Celery worker: drains the outbox. The only module that imports Celery.

The embedded default uses Kombu's filesystem transport under the data folder,
so no broker server is needed; production sets ``BROKER_URL`` (Redis or
RabbitMQ). Tasks take no state: they reload everything from the database.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from celery import Celery

from engine import clock
from engine.outbox import drain
from engine.overdue import find_overdue
from onestop.settings import Settings

log = logging.getLogger(__name__)

DRAIN_TASK = "onestop.drain_outbox"
OVERDUE_TASK = "onestop.find_overdue"
RENEW_TASK = "onestop.renew_archive_timestamps"
EXPORTS_TASK = "onestop.restart_stalled_exports"
NOTICES_TASK = "onestop.expire_notices"


def broker_options(settings: Settings) -> dict[str, Any]:
    if settings.broker_url:
        return {"broker_url": settings.broker_url}
    folder = settings.broker_dir.resolve()
    for sub in ("queue", "control"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    return {
        "broker_url": "filesystem://",
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
            "drain-outbox": {"task": DRAIN_TASK, "schedule": drain_interval_seconds},
            "find-overdue": {"task": OVERDUE_TASK, "schedule": 600.0},
            "renew-archive-timestamps": {"task": RENEW_TASK, "schedule": 24 * 3600.0},
            "restart-stalled-exports": {"task": EXPORTS_TASK, "schedule": 300.0},
            "expire-notices": {"task": NOTICES_TASK, "schedule": 3600.0},
        },
    )
    app.onestop_settings = settings
    app.task(name=DRAIN_TASK, bind=True)(drain_outbox)
    app.task(name=OVERDUE_TASK, bind=True)(mark_overdue)
    app.task(name=RENEW_TASK, bind=True)(renew_archive_timestamps)
    app.task(name=EXPORTS_TASK, bind=True)(restart_stalled_exports)
    app.task(name=NOTICES_TASK, bind=True)(expire_notices)
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
    (hourly, so a notice lapses within the hour after China midnight)."""
    from registry.notices import expire_due

    with _platform(task.app).ctx.transaction() as session:
        expired = expire_due(session, clock.today())
    if expired:
        log.info("notices expired: %s", expired)
    return expired


def restart_stalled_exports(task: Any) -> int:
    """Archive exports whose worker died mid-way are started again (through the outbox)."""
    from archive.export_jobs import restart_stalled

    restarted = restart_stalled(_platform(task.app).ctx)
    if restarted:
        log.info("stalled archive exports restarted: %s", restarted)
    return restarted


def drain_outbox(task: Any) -> dict[str, int]:
    """Run every due outbox message. One callable for every app: Celery keeps
    task callables by name process-wide, so per-app closures would collide."""
    app = task.app
    platform = _platform(app)
    settings: Settings = app.onestop_settings
    report = drain(
        platform.ctx.session_factory, platform.ctx.outbox_handlers, max_attempts=settings.outbox_max_attempts
    )
    if report.done or report.failed or report.retried:
        log.info("outbox drained: %s", report)
    return asdict(report)


def make_kicker(app: Celery) -> Callable[[], None]:
    """After a commit that wrote outbox rows: ask a worker to drain now."""

    def kick() -> None:
        try:
            app.send_task(DRAIN_TASK)
        except Exception:  # the periodic drain picks it up later
            log.warning("could not reach the broker; the periodic drain will run the outbox", exc_info=True)

    return kick


def run_worker(settings: Settings, *, beat: bool = True) -> None:
    app = create_celery(settings)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    worker = app.Worker(
        pool="solo",
        beat=beat,
        loglevel="INFO",
        schedule_filename=str((settings.data_dir / "celerybeat-schedule").resolve()),
    )
    worker.start()

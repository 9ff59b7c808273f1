"""The archivist's export of a search's records as one ZIP, made by the worker.

Asking for it (``request``) records the job, audits it and emits
``archive.export`` in one transaction. The outbox handler only marks the job
running under a new ``attempt`` and hands the export to after its commit, so
the worker's transaction (on SQLite: the only write lock) lasts milliseconds,
not the whole export. The export reads records in read-only sessions and
commits its progress (``done`` of ``total``) in short transactions of its own,
at most once every ``PROGRESS_INTERVAL`` seconds.

The message coming again leaves a job that is done or failed alone. A running
job whose worker died (no progress for ``STALLED_AFTER``) is started again from
scratch by ``restart_stalled``; an older run of the same job notices at its
next progress write that it was superseded and stops, its partial file removed.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
import zipfile
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive import export
from archive.ingest import ArchiveContext
from archive.models import DONE, FAILED, RUNNING, ArchiveExport
from archive.search import ArchiveQuery
from archive.service import audit_action, unit_scope
from engine.context import EngineContext
from kernel import audit
from kernel.actors import Actor
from kernel.db import as_utc, utcnow
from kernel.errors import Conflict, NotFound
from kernel.outbox import Handler, emit, route
from kernel.records import OutboxMessage
from kernel.uow import after_commit
from storage.archive import ArchiveRefused

log = logging.getLogger(__name__)

TOPIC = "archive.export"
route(TOPIC, "exports")
PROGRESS_INTERVAL = 1.0  # seconds between progress writes (the page refreshes every 2 s)
STALLED_AFTER = timedelta(minutes=15)
RECENT = 20


class Superseded(Exception):
    """A newer attempt of the same job took over (or the job is no longer running)."""


def _stored(query: ArchiveQuery) -> dict[str, Any]:
    return {k: v for k, v in query.describe().items() if k not in ("page", "size")}


def query_of(stored: dict[str, Any]) -> ArchiveQuery:
    values = dict(stored)
    for key in ("date_from", "date_to"):
        if values.get(key):
            values[key] = date.fromisoformat(str(values[key]))
    return ArchiveQuery(**values)


def _time(value: datetime | None) -> str | None:
    return as_utc(value).isoformat() if value else None


def view(job: ArchiveExport) -> dict[str, Any]:
    return {
        "id": job.id,
        "requested_by": job.requested_by,
        "unit_scope": job.unit_scope,
        "query": job.query,
        "reason": job.reason,
        "status": job.status,
        "total": job.total,
        "done": job.done,
        "mismatched": job.mismatched,
        "size": job.size,
        "sha256": job.sha256,
        "error": job.error,
        "requested_at": _time(job.requested_at),
        "started_at": _time(job.started_at),
        "finished_at": _time(job.finished_at),
    }


def request(ctx: EngineContext, actor: Actor, query: ArchiveQuery, reason: str | None = None) -> int:
    """Ask for an export of what ``query`` finds within the actor's reach; returns the job's id."""
    scope = unit_scope(actor)
    with ctx.transaction() as session:
        job = ArchiveExport(
            requested_by=actor.username,
            unit_scope=scope,
            query=_stored(query),
            reason=(reason or "").strip()[:500] or None,
        )
        session.add(job)
        session.flush()
        audit_action(
            session, actor, "archive_export_request", None, reason, export_id=job.id, query=job.query, unit_scope=scope
        )
        emit(session, TOPIC, {"export_id": job.id})
        return job.id


def _mine(session: Session, actor: Actor, export_id: int) -> ArchiveExport:
    unit_scope(actor)  # nobody without access to the archive
    job = session.get(ArchiveExport, export_id)
    if job is None or (job.requested_by != actor.username and not actor.is_admin):
        raise NotFound("archive_export_not_found", "导出任务不存在或无权查看")
    return job


def status(ctx: EngineContext, actor: Actor, export_id: int) -> dict[str, Any]:
    with ctx.reading() as session:
        return view(_mine(session, actor, export_id))


def recent(ctx: EngineContext, actor: Actor, limit: int = RECENT) -> list[dict[str, Any]]:
    """The actor's own exports, newest first."""
    unit_scope(actor)
    with ctx.reading() as session:
        jobs = session.scalars(
            select(ArchiveExport)
            .where(ArchiveExport.requested_by == actor.username)
            .order_by(ArchiveExport.requested_at.desc(), ArchiveExport.id.desc())
            .limit(limit)
        )
        return [view(job) for job in jobs]


def download(
    ctx: EngineContext, actx: ArchiveContext, actor: Actor, export_id: int, reason: str | None = None
) -> tuple[dict[str, Any], Path]:
    """The finished ZIP (audited): the job and the file's path."""
    with ctx.transaction() as session:
        job = _mine(session, actor, export_id)
        if job.status != DONE or not job.file_name:
            raise Conflict("archive_export_not_ready", "导出尚未完成，完成后才能下载")
        path = actx.exports_dir / job.file_name
        if not path.is_file():
            raise NotFound("archive_export_file_missing", "导出文件已不存在，请重新检索并导出")
        audit_action(
            session, actor, "archive_export_download", None, reason, export_id=job.id, sha256=job.sha256, size=job.size
        )
        return view(job), path


# The worker's side.


def claim(session: Session, export_id: int) -> int | None:
    """Start (or start again) a job under a new attempt; None when there is nothing to do."""
    job = session.get(ArchiveExport, export_id, with_for_update=True)
    if job is None or job.status in (DONE, FAILED):
        return None
    job.attempt += 1
    job.status, job.total, job.done, job.mismatched, job.error = RUNNING, 0, 0, 0, None
    job.started_at = job.progress_at = utcnow()
    return job.attempt


def outbox_handler(ctx: EngineContext, actx: ArchiveContext) -> Handler:
    def on_requested(session: Session, message: OutboxMessage) -> None:
        export_id = int(message.payload["export_id"])
        attempt = claim(session, export_id)
        if attempt is not None:
            after_commit(session, lambda: run(ctx, actx, export_id, attempt))

    return on_requested


def _current(session: Session, export_id: int, attempt: int, *, lock: bool = True) -> ArchiveExport:
    job = session.get(ArchiveExport, export_id, with_for_update=lock)
    if job is None or job.attempt != attempt or job.status != RUNNING:
        raise Superseded(export_id, attempt)
    return job


def _progress(ctx: EngineContext, export_id: int, attempt: int, done: int, total: int) -> None:
    with ctx.transaction() as session:
        job = _current(session, export_id, attempt)
        job.done, job.total, job.progress_at = done, total, utcnow()


def _reporter(ctx: EngineContext, export_id: int, attempt: int) -> export.Progress:
    last = [0.0]

    def report(done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - last[0] < PROGRESS_INTERVAL:
            return
        last[0] = now
        _progress(ctx, export_id, attempt, done, total)

    return report


def _digest(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()


def _reason(exc: Exception) -> str:
    if isinstance(exc, ArchiveRefused):
        text = f"档案库无法提供档案：{exc.message}"
    elif isinstance(exc, ConnectionError | TimeoutError):
        text = f"档案库暂时无法访问：{exc}"
    elif isinstance(exc, OSError):
        text = f"无法写入导出文件（请检查磁盘空间和权限）：{exc.strerror or exc}"
    else:
        text = f"导出时发生错误（{type(exc).__name__}）：{exc}"
    return text[:500]


def run(ctx: EngineContext, actx: ArchiveContext, export_id: int, attempt: int) -> None:
    """Make one attempt's ZIP (the files and both manifests); a failure is committed as the job's reason."""
    folder = actx.exports_dir
    part = folder / f"{export_id}-{attempt}.zip.part"
    try:
        with ctx.reading() as session:
            job = _current(session, export_id, attempt, lock=False)
            query, scope = query_of(job.query), job.unit_scope
        ids = export.plan(ctx, query, unit_scope=scope)
        _progress(ctx, export_id, attempt, 0, len(ids))
        folder.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(part, "w") as archive:
            rows = export.write(
                ctx, actx, ids, query, export.ZipSink(archive), progress=_reporter(ctx, export_id, attempt)
            )
        digest, size, name = _digest(part), part.stat().st_size, f"{export_id}-{attempt}.zip"
        with ctx.transaction() as session:
            job = _current(session, export_id, attempt)
            os.replace(part, folder / name)  # a commit that fails after this leaves a file nobody names
            job.status, job.file_name, job.size, job.sha256 = DONE, name, size, digest
            job.done, job.total, job.mismatched = len(rows), len(ids), export.mismatched(rows)
            job.finished_at = job.progress_at = utcnow()
            audit.record(
                session,
                actor=job.requested_by,
                action="archive_export",
                details={
                    "export_id": export_id,
                    "query": job.query,
                    "unit_scope": scope,
                    "exported": len(rows),
                    "mismatched": job.mismatched,
                    "sha256": digest,
                },
            )
    except Superseded:
        log.info("archive export %s attempt %s superseded", export_id, attempt)
        part.unlink(missing_ok=True)
    except Exception as exc:
        log.exception("archive export %s failed", export_id)
        part.unlink(missing_ok=True)
        _fail(ctx, export_id, attempt, _reason(exc))


def _fail(ctx: EngineContext, export_id: int, attempt: int, reason: str) -> None:
    try:
        with ctx.transaction() as session:
            job = _current(session, export_id, attempt)
            job.status, job.error, job.finished_at = FAILED, reason, utcnow()
    except Superseded:
        pass


def restart_stalled(ctx: EngineContext, *, now: datetime | None = None) -> int:
    """Start again every running export without progress for ``STALLED_AFTER`` (its worker died)."""
    moment = now or utcnow()
    with ctx.transaction() as session:
        stalled = list(
            session.scalars(
                select(ArchiveExport).where(
                    ArchiveExport.status == RUNNING, ArchiveExport.progress_at < moment - STALLED_AFTER
                )
            )
        )
        for job in stalled:
            job.progress_at = moment  # not asked again before the message is handled
            emit(session, TOPIC, {"export_id": job.id})
    return len(stalled)

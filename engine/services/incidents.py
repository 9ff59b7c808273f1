"""Incidents: failures inside processes that an administrator sees and retries."""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.task import TaskState
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.context import EngineContext
from engine.models import Instance
from engine.services import stepping, views
from engine.services.access import lock_instance
from kernel import audit, outbox
from kernel.actors import Actor
from kernel.db import utcnow
from kernel.errors import Conflict, Forbidden, NotFound
from kernel.records import Incident, OutboxMessage


def list_incidents(ctx: EngineContext, actor: Actor, *, open_only: bool = True) -> list[dict[str, Any]]:
    if not actor.is_admin:
        raise Forbidden("admin_only", "只有管理员可以查看异常")
    with ctx.reading() as session:
        query = select(Incident).order_by(Incident.id.desc())
        if open_only:
            query = query.where(Incident.resolved_at.is_(None))
        return [views.incident_view(i) for i in session.scalars(query.limit(200))]


def retry(ctx: EngineContext, actor: Actor, incident_id: int) -> dict[str, Any]:
    """Re-run the failed task(s) of the incident's instance from where they stopped."""
    if not actor.is_admin:
        raise Forbidden("admin_only", "只有管理员可以处理异常")
    with ctx.transaction() as session:
        incident = session.get(Incident, incident_id)
        if incident is None:
            raise NotFound("incident_not_found", "异常记录不存在")
        if incident.resolved_at is not None:
            raise Conflict("incident_resolved", "该异常已处理")
        if incident.source == "outbox":
            return _requeue_side_effects(ctx, session, actor, incident)
        instance = session.get(Instance, incident.instance_id) if incident.instance_id else None
        if instance is not None:
            lock_instance(session, instance)
        if instance is None or instance.status != stepping.INCIDENT:
            raise Conflict("incident_not_retryable", "该异常不能通过重试处理")
        loaded = stepping.load(ctx, session, instance)
        for task in loaded.workflow.get_tasks(state=TaskState.ERROR):
            loaded.workflow.reset_from_task_id(task.id)
        incident.retry_requested_at, incident.retry_requested_by = utcnow(), actor.username
        stepping.advance(ctx, session, loaded, actor=actor.username)
        if instance.status != stepping.INCIDENT:  # resolved only when the retry got the matter going
            incident.resolved_at, incident.resolved_by = utcnow(), actor.username
        audit.record(
            session,
            actor=actor.username,
            action="retry",
            instance_id=instance.id,
            status_before=stepping.INCIDENT,
            status_after=instance.status,
            details={"incident_id": incident.id, "resolved": incident.resolved_at is not None},
        )
        return views.instance_detail(session, instance, ctx.calendar)


def _requeue_side_effects(ctx: EngineContext, session: Session, actor: Actor, incident: Incident) -> dict[str, Any]:
    """A side effect that failed every attempt (documents not issued because the
    timestamp service was down, say) runs again from its first attempt; the
    incident stays open until that run succeeds (``kernel.outbox``)."""
    failed = [
        m
        for m in session.scalars(select(OutboxMessage).where(OutboxMessage.status == "failed"))
        if m.incident_id == incident.id
        or (m.incident_id is None and m.payload.get("instance_id") == incident.instance_id)
    ]
    if not failed:
        raise Conflict("incident_not_retryable", "该异常不能通过重试处理")
    for message in failed:
        message.incident_id = incident.id  # its success resolves the incident
    outbox.requeue(session, failed)
    incident.retry_requested_at, incident.retry_requested_by = utcnow(), actor.username
    audit.record(
        session,
        actor=actor.username,
        action="retry",
        instance_id=incident.instance_id,
        details={"incident_id": incident.id, "requeued": [m.topic for m in failed]},
    )
    instance = session.get(Instance, incident.instance_id) if incident.instance_id else None
    if instance is None:
        return {"requeued": len(failed)}
    return views.instance_detail(session, instance, ctx.calendar)

"""The caller's notifications (待办提醒, 补正通知, 办结通知, 催办): listed, counted and read.

A notification addressed to a department or a unit is read person by person:
one approver reading it leaves it unread for the colleague next door.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from engine.context import EngineContext
from engine.notifications import FINISHED_KIND, RETURNED_KIND, recipients_of
from engine.services.stepping import iso
from kernel import audit
from kernel.actors import Actor
from kernel.errors import NotFound
from kernel.records import Notification, NotificationRead


def _mine(actor: Actor) -> ColumnElement[bool]:
    return Notification.recipient.in_(recipients_of(actor))


def _read_by(actor: Actor) -> ColumnElement[bool]:
    return exists().where(
        and_(NotificationRead.notification_id == Notification.id, NotificationRead.user_id == actor.user_id)
    )


def _narrowed(query: Any, actor: Actor, unread: bool, kind: str | None) -> Any:
    query = query.where(_mine(actor))
    if unread:
        query = query.where(~_read_by(actor))
    if kind:
        query = query.where(Notification.kind == kind)
    return query


def list_notifications(
    ctx: EngineContext,
    actor: Actor,
    *,
    unread: bool = False,
    kind: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[dict[str, Any]]:
    with ctx.reading() as session:
        query = _narrowed(select(Notification, _read_by(actor)), actor, unread, kind)
        rows = session.execute(query.order_by(Notification.id.desc()).limit(limit).offset(offset)).tuples()
        return [
            {
                "id": n.id,
                "kind": n.kind,
                "message": n.message,
                "instance_id": n.instance_id,
                "created_at": iso(n.created_at),
                "read": bool(read),
            }
            for n, read in rows
        ]


def notifications_total(ctx: EngineContext, actor: Actor, *, unread: bool = False, kind: str | None = None) -> int:
    with ctx.reading() as session:
        return session.scalar(_narrowed(select(func.count(Notification.id)), actor, unread, kind)) or 0


def notification_counts(ctx: EngineContext, actor: Actor) -> dict[str, int]:
    """Unread notifications: all of them, the returns for correction, the matters ended."""
    with ctx.reading() as session:
        rows = session.execute(
            select(Notification.kind, func.count()).where(_mine(actor), ~_read_by(actor)).group_by(Notification.kind)
        ).tuples()
        by_kind = dict(rows.all())
    return {
        "unread": sum(by_kind.values()),
        "returned": by_kind.get(RETURNED_KIND, 0),
        "finished": by_kind.get(FINISHED_KIND, 0),
    }


def mark_read(ctx: EngineContext, actor: Actor, notification_id: int | None = None) -> dict[str, Any]:
    """Mark one of the actor's notifications (or, with no id, all of them) read; returns the
    notification marked (its matter, for the page that opens it) and how many were new."""
    with ctx.transaction() as session:
        query = select(Notification).where(_mine(actor), ~_read_by(actor))
        if notification_id is not None:
            found = session.scalar(select(Notification).where(_mine(actor), Notification.id == notification_id))
            if found is None:
                raise NotFound("notification_not_found", "消息不存在")
            query = query.where(Notification.id == notification_id)
        else:
            found = None
        fresh = list(session.scalars(query))
        _record_reads(session, actor, fresh)
        return {
            "marked": len(fresh),
            "instance_id": found.instance_id if found else None,
            "id": found.id if found else None,
        }


def _record_reads(session: Session, actor: Actor, fresh: list[Notification]) -> None:
    for notification in fresh:
        session.add(NotificationRead(notification_id=notification.id, user_id=actor.user_id))
    if fresh:
        audit.record(
            session,
            actor=actor.username,
            action="read_notifications",
            details={"count": len(fresh), "ids": [n.id for n in fresh][:50]},
        )

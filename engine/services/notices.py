"""The caller's notifications (待办提醒, 办结通知)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from engine.context import EngineContext
from engine.notifications import recipients_of
from engine.services.stepping import iso
from kernel.actors import Actor
from kernel.records import Notification


def list_notifications(ctx: EngineContext, actor: Actor, *, limit: int = 50) -> list[dict[str, Any]]:
    with ctx.reading() as session:
        rows = session.scalars(
            select(Notification)
            .where(Notification.recipient.in_(recipients_of(actor)))
            .order_by(Notification.id.desc())
            .limit(limit)
        )
        return [
            {
                "id": n.id,
                "kind": n.kind,
                "message": n.message,
                "instance_id": n.instance_id,
                "created_at": iso(n.created_at),
            }
            for n in rows
        ]

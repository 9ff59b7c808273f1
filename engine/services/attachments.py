"""Access to the attachments referenced by a matter's submission."""

from __future__ import annotations

from typing import Any

from engine import audit
from engine.actors import Actor
from engine.context import EngineContext
from engine.errors import NotFound
from engine.services.access import visible_instance


def attachment_for_download(ctx: EngineContext, actor: Actor, instance_id: str, sha256: str) -> dict[str, Any]:
    """The reference of an attachment of a visible matter; the download is audited."""
    with ctx.transaction() as session:
        instance = visible_instance(session, actor, instance_id)
        refs = (instance.application or {}).get("attachments") or []
        ref = next((r for r in refs if isinstance(r, dict) and r.get("sha256") == sha256), None)
        if ref is None:
            raise NotFound("attachment_not_found", "附件不存在")
        audit.record(
            session,
            actor=actor.username,
            action="download_attachment",
            instance_id=instance.id,
            status_before=instance.status,
            status_after=instance.status,
            details={"sha256": sha256, "name": ref.get("name")},
        )
        return dict(ref)

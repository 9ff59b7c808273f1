"""Attachments of a matter: which files a submission may reference, and downloads.

Bytes live in the attachment store; the ``attachments`` table records which
matter each file was uploaded to, with the type checked at upload. A
submission may keep files already uploaded to the same matter and add new
ones; any other reference (another matter's file, a forged type) is refused.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.context import EngineContext
from engine.models import Attachment, Draft, Instance
from engine.services.access import visible_instance
from kernel import audit
from kernel.actors import Actor
from kernel.db import utcnow
from kernel.errors import NotFound, ValidationFailed


def _ref(row: Attachment, item: Any = None) -> dict[str, Any]:
    """The trusted reference; ``item`` names the correction request a file answers (补正项), if any."""
    ref = {"name": row.name, "sha256": row.sha256, "size": row.size, "content_type": row.content_type}
    if isinstance(item, str) and item.strip():
        ref["item"] = item.strip()[:200]
    return ref


def resolve(
    session: Session, instance: Instance, actor: Actor, claimed: Any, uploads: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The attachment list of a submission, with trusted metadata only."""
    if claimed is not None and not isinstance(claimed, list):
        raise ValidationFailed(
            "form_invalid",
            "表单填写有误，请按提示修改",
            [{"path": "/attachments", "field": "附件", "code": "type", "message": "“附件”应为列表"}],
        )
    known = {
        row.sha256: row for row in session.scalars(select(Attachment).where(Attachment.instance_id == instance.id))
    }
    result: dict[str, dict[str, Any]] = {}
    for ref in claimed or []:
        sha = ref.get("sha256") if isinstance(ref, dict) else None
        row = known.get(sha) if isinstance(sha, str) else None
        if row is None:
            raise ValidationFailed(
                "unknown_attachment",
                "附件引用无效：只能保留本事项已上传的附件，或随本次提交上传新文件",
                {"sha256": sha},
            )
        result[row.sha256] = _ref(row, ref.get("item"))
    for upload in uploads:
        row = known.get(upload["sha256"])
        if row is None:
            row = Attachment(
                instance_id=instance.id,
                sha256=upload["sha256"],
                name=str(upload["name"])[:200],
                content_type=upload["content_type"],
                size=upload["size"],
                uploaded_by=actor.username,
            )
            session.add(row)
            known[row.sha256] = row
        replaced = upload.get("replaces")
        if isinstance(replaced, str):
            result.pop(replaced, None)  # the new file stands in for the one the department found wanting
        result[row.sha256] = _ref(row, upload.get("item"))
    return list(result.values())


def attachment_for_download(ctx: EngineContext, actor: Actor, instance_id: str, sha256: str) -> dict[str, Any]:
    """The reference of a file uploaded to a visible matter; the download is audited."""
    with ctx.transaction() as session:
        instance = visible_instance(session, actor, instance_id)
        row = session.scalars(
            select(Attachment).where(Attachment.instance_id == instance.id, Attachment.sha256 == sha256)
        ).first()
        if row is None:
            raise NotFound("attachment_not_found", "附件不存在")
        audit.access(
            session,
            actor=actor.username,
            action="download_attachment",
            instance_id=instance.id,
            status=instance.status,
            details={"sha256": sha256, "name": row.name},
        )
        return _ref(row)


def unreferenced(ctx: EngineContext, shas: list[str]) -> list[str]:
    """Which of these stored files no matter refers to (safe to delete)."""
    if not shas:
        return []
    with ctx.reading() as session:
        used = set(session.scalars(select(Attachment.sha256).where(Attachment.sha256.in_(shas))))
        used |= files_in_drafts(session)
    return [sha for sha in shas if sha not in used]


def files_in_drafts(session: Session) -> set[str]:
    """Every file a draft holds (chosen, stored, not yet a matter's): the sweep leaves these alone."""
    return {f["sha256"] for files in session.scalars(select(Draft.files)) for f in files or []}


ORPHAN_GRACE = timedelta(hours=24)


class FileStore(Protocol):
    """What the sweep needs of the attachment store (``storage.LocalAttachmentStore``)."""

    def stored_before(self, cutoff: float) -> list[str]: ...

    def remove_partial_uploads(self, cutoff: float) -> int: ...

    def discard(self, sha256: str) -> None: ...


def sweep_orphans(ctx: EngineContext, store: FileStore, *, grace: timedelta = ORPHAN_GRACE) -> int:
    """Remove stored files that no record refers to and that are older than ``grace`` (a
    submission still in flight has its files for that long); how many went. Also clears
    half-written uploads of killed processes."""
    cutoff = (utcnow() - grace).timestamp()
    store.remove_partial_uploads(cutoff)
    candidates = store.stored_before(cutoff)
    orphans = [sha for i in range(0, len(candidates), 500) for sha in unreferenced(ctx, candidates[i : i + 500])]
    for sha in orphans:
        store.discard(sha)
    return len(orphans)

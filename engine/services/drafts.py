"""Drafts: a long form saved and resumed, and the files of a refused submission kept for the next try.

A draft belongs to one person and one form: a new matter's application
(``start:<process key>``) or the correction of a returned matter
(``task:<task id>``). Its files are stored in the attachment store when
chosen; the draft records their checked metadata, so the next submission
takes them from here instead of from the client. A submission may only
bring files of the draft of the same person and form.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.context import EngineContext
from engine.models import Draft, Task
from engine.services.access import visible_task
from engine.services.completion import check_may_complete
from engine.services.stepping import iso
from engine.vocabulary import TaskStatus
from kernel import audit
from kernel.actors import Actor
from kernel.db import utcnow
from kernel.errors import Forbidden, ValidationFailed

MAX_DRAFT_FILES = 20
MAX_DRAFTS = 50


def start_subject(process_key: str) -> str:
    return f"start:{process_key}"


def task_subject(task_id: str) -> str:
    return f"task:{task_id}"


def _check_subject(session: Session, actor: Actor, subject: str) -> None:
    """A new matter's draft is a unit clerk's; a task's draft (a correction, or a decision refused
    with its files chosen) is of whoever may complete the task now."""
    kind, _, ident = subject.partition(":")
    if kind == "task" and ident:
        task, instance = visible_task(session, actor, ident)
        check_may_complete(actor, task, instance)
    elif kind == "start" and ident:
        if not actor.is_applicant:
            raise Forbidden("applicant_only", "只有申请单位的经办人可以发起事项")
    else:
        raise ValidationFailed("invalid_draft", "草稿类型无效")


def _mine(session: Session, actor: Actor, subject: str) -> Draft | None:
    return session.scalar(select(Draft).where(Draft.owner_id == actor.user_id, Draft.subject == subject))


def view(draft: Draft) -> dict[str, Any]:
    return {
        "subject": draft.subject,
        "title": draft.title,
        "data": draft.data,
        "files": draft.files,
        "updated_at": iso(draft.updated_at),
    }


def save(
    ctx: EngineContext,
    actor: Actor,
    subject: str,
    *,
    title: str,
    data: dict[str, Any],
    keep: list[str],
    uploads: list[dict[str, Any]],
) -> dict[str, Any]:
    """Save the form as it is (unchecked: a draft may be half-filled) with the draft's files named
    in ``keep`` and the newly stored ``uploads``."""
    with ctx.transaction() as session:
        _check_subject(session, actor, subject)
        draft = _mine(session, actor, subject)
        if draft is None:
            held = session.scalar(select(func.count(Draft.id)).where(Draft.owner_id == actor.user_id)) or 0
            if held >= MAX_DRAFTS:
                raise ValidationFailed("too_many_drafts", f"草稿最多保存 {MAX_DRAFTS} 份，请先提交或删除旧草稿")
            draft = Draft(owner_id=actor.user_id, subject=subject, title="", data={}, files=[])
            session.add(draft)
        files = {f["sha256"]: f for f in draft.files if f["sha256"] in set(keep)}
        for upload in uploads:
            files[upload["sha256"]] = upload
        if len(files) > MAX_DRAFT_FILES:
            raise ValidationFailed("too_many_files", f"草稿最多保留 {MAX_DRAFT_FILES} 个文件")
        draft.title, draft.data, draft.files = title[:300], data, list(files.values())
        draft.updated_at = utcnow()
        session.flush()
        audit.record(session, actor=actor.username, action="save_draft", details={"subject": subject})
        return view(draft)


def get(ctx: EngineContext, actor: Actor, subject: str) -> dict[str, Any] | None:
    with ctx.reading() as session:
        draft = _mine(session, actor, subject)
        return view(draft) if draft is not None else None


def files_kept(ctx: EngineContext, actor: Actor, subject: str, keep: list[str]) -> list[dict[str, Any]]:
    """The draft's files the submission keeps, with the metadata checked when they were stored;
    a name not in this person's draft of this form is refused."""
    if not keep:
        return []
    with ctx.reading() as session:
        draft = _mine(session, actor, subject)
        known = {f["sha256"]: f for f in (draft.files if draft else [])}
    missing = [sha for sha in keep if sha not in known]
    if missing:
        raise ValidationFailed("unknown_attachment", "附件引用无效：只能保留本人草稿中的文件", {"sha256": missing[0]})
    return [known[sha] for sha in dict.fromkeys(keep)]


def discard(ctx: EngineContext, actor: Actor, subject: str) -> bool:
    """Delete the draft (after its form was submitted, or when the person throws it away)."""
    with ctx.transaction() as session:
        draft = _mine(session, actor, subject)
        if draft is None:
            return False
        session.delete(draft)
        audit.record(session, actor=actor.username, action="discard_draft", details={"subject": subject})
        return True


def list_drafts(ctx: EngineContext, actor: Actor) -> list[dict[str, Any]]:
    """The person's drafts, newest first; a correction draft whose task was since done is left out."""
    with ctx.reading() as session:
        drafts = list(
            session.scalars(select(Draft).where(Draft.owner_id == actor.user_id).order_by(Draft.updated_at.desc()))
        )
        open_tasks = set(
            session.scalars(
                select(Task.id).where(
                    Task.id.in_([d.subject.partition(":")[2] for d in drafts if d.subject.startswith("task:")]),
                    Task.state == TaskStatus.OPEN,
                )
            )
        )
        return [
            view(d) for d in drafts if not d.subject.startswith("task:") or d.subject.partition(":")[2] in open_tasks
        ]

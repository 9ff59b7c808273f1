"""What a form with drafts posts besides its fields: the button pressed and the draft files kept."""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from engine.context import EngineContext
from engine.services import drafts
from kernel.actors import Actor
from kernel.errors import DomainError

DRAFT = "draft"  # 保存草稿
MORE_ROWS = "more_rows"  # 增加一行: saved as a draft, the form comes back one row longer
SUBMIT = "submit"


def chosen_action(form: FormData) -> str:
    """The button pressed. Its name starts with an underscore, which no form field's does: a matter's
    own field may be called ``action`` (赋码/变更/注销, 任职/免职)."""
    action = str(form.get("_action", SUBMIT))
    return action if action in (DRAFT, MORE_ROWS) else SUBMIT


def kept_files(form: FormData) -> list[str]:
    """The draft files still ticked (files chosen before, stored, not yet a matter's)."""
    return [str(v)[:64] for v in form.getlist("keep") if isinstance(v, str)][: drafts.MAX_DRAFT_FILES]


async def keep_for_next_try(
    ctx: EngineContext,
    actor: Actor,
    subject: str,
    title: str,
    data: dict[str, Any],
    keep: list[str],
    uploads: list[dict[str, Any]],
) -> dict[str, Any] | None:
    """After a refused submission: keep what was typed and the files chosen, so the person fixes
    the error instead of choosing every file again. None when even a draft cannot be kept."""
    try:
        return await run_in_threadpool(
            lambda: drafts.save(ctx, actor, subject, title=title, data=data, keep=keep, uploads=uploads)
        )
    except DomainError:
        return None

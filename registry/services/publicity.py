"""The public notice board's reads (anyone may read what is on show)."""

from __future__ import annotations

from typing import Any

from engine.context import EngineContext
from registry import publicity


def board(ctx: EngineContext, *, text: str = "", page: int = 1) -> dict[str, Any]:
    with ctx.reading() as session:
        return publicity.board(session, text=text, page=page)


def notice(ctx: EngineContext, publication_id: int) -> dict[str, Any]:
    with ctx.reading() as session:
        return publicity.notice(session, publication_id)

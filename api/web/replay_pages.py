"""★ 案卷回放 page: one audit event at a time on the process diagram, forward and back (plain
links, no script needed), with the whole history beside it."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from api.web import diagram
from api.web.pages import Viewer, engine_context, error_page, page
from engine import services
from engine.context import EngineContext
from engine.services import replays, users
from kernel.errors import DomainError

router = APIRouter(include_in_schema=False)


@router.get("/matters/{instance_id}/replay", response_class=HTMLResponse, response_model=None)
async def replay_page(
    request: Request, actor: Viewer, instance_id: str, frame: int = Query(default=0, ge=0)
) -> Response:
    ctx = engine_context(request)
    try:
        found = await run_in_threadpool(replays.replay_of, ctx, actor, instance_id)
    except DomainError as error:
        return error_page(request, actor, error)
    frames = found["frames"]
    index = min(frame, max(len(frames) - 1, 0))
    shown = frames[index] if frames else None
    drawing = diagram.render(found["bpmn_xml"], shown["states"] if shown else {}, found["departments"])
    return page(
        request,
        "matter_replay.html",
        actor,
        matter=found,
        frames=frames,
        index=index,
        shown=shown,
        diagram=drawing,
        names=users.names_of(ctx, {str(f["actor"]) for f in frames}),
        application_schema=_schema(ctx, found["process_key"]),
    )


def _schema(ctx: EngineContext, process_key: str) -> dict[str, Any]:
    """The matter's application form, for the Chinese titles of what a submission changed."""
    try:
        return services.start_form(ctx, process_key)
    except DomainError:
        return {}

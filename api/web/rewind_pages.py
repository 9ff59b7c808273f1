"""The task page's 退回到已办环节 and 撤回 forms (see ``engine.services.rewinding``)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.web.handover_pages import task_action, text_of
from api.web.pages import Viewer, engine_context
from engine.services import rewinding

router = APIRouter(include_in_schema=False)


@router.post("/tasks/{task_id}/return-to", response_model=None)
async def return_to(request: Request, actor: Viewer, task_id: str) -> Response:
    ctx = engine_context(request)
    return await task_action(
        request,
        actor,
        task_id,
        lambda form: rewinding.return_to(
            ctx, actor, task_id, step=text_of(form, "step"), opinion=text_of(form, "opinion")
        ),
        "returned_to",
        "/inbox",
    )


@router.post("/tasks/{task_id}/recall", response_model=None)
async def recall(request: Request, actor: Viewer, task_id: str) -> Response:
    ctx = engine_context(request)
    return await task_action(
        request,
        actor,
        task_id,
        lambda form: rewinding.recall(ctx, actor, task_id, opinion=text_of(form, "opinion")),
        "recalled",
        lambda reopened: f"/tasks/{reopened['id']}",
    )

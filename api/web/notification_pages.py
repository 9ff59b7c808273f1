"""Everyone's messages page: the notifications, newest first, unread marked; opening one marks it
read and goes to its matter; all can be marked read at once."""

from __future__ import annotations

import functools

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from api.web import flash
from api.web.pages import Viewer, checked_form, engine_context, error_page, page, paging
from engine import services
from engine.notifications import COPY_KIND, FINISHED_KIND, RETURNED_KIND, TASK_KIND, URGE_KIND
from kernel.errors import DomainError

router = APIRouter(include_in_schema=False)
KIND_TEXT = {TASK_KIND: "待办", RETURNED_KIND: "退回补正", FINISHED_KIND: "办结", URGE_KIND: "催办", COPY_KIND: "抄送"}
NotificationId = functools.partial(
    Path, ge=1, le=2**31 - 1
)  # called per parameter: a fresh Path each (see api.deps.row_id)


@router.get("/notifications", response_class=HTMLResponse, response_model=None)
def notification_list(request: Request, actor: Viewer) -> Response:
    ctx = engine_context(request)
    kind = request.query_params.get("kind") or None
    kind = kind if kind in KIND_TEXT else None
    unread = request.query_params.get("unread") == "1"
    listing = paging(request).of(services.notifications_total(ctx, actor, unread=unread, kind=kind))
    rows = services.list_notifications(ctx, actor, unread=unread, kind=kind, limit=listing.size, offset=listing.offset)
    return page(
        request,
        "notifications.html",
        actor,
        notifications=rows,
        kind=kind,
        unread=unread,
        kinds=KIND_TEXT,
        paging=listing,
    )


@router.post("/notifications/{notification_id}/open", response_model=None)
async def open_notification(request: Request, actor: Viewer, notification_id: int = NotificationId()) -> Response:
    """Mark it read and go where it points: the matter, else back to the list."""
    form = await checked_form(request, actor)
    if isinstance(form, Response):
        return form
    try:
        marked = await run_in_threadpool(services.mark_read, engine_context(request), actor, notification_id)
    except DomainError as error:
        return error_page(request, actor, error)
    target = f"/matters/{marked['instance_id']}" if marked["instance_id"] else "/notifications"
    return RedirectResponse(target, status_code=303)


@router.post("/notifications/read", response_model=None)
async def read_all(request: Request, actor: Viewer) -> Response:
    form = await checked_form(request, actor)
    if isinstance(form, Response):
        return form
    await run_in_threadpool(services.mark_read, engine_context(request), actor)
    return flash.flash(request, RedirectResponse("/notifications", status_code=303), "read_all")

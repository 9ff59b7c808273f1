"""The public notice board (公示栏): what approved matters make public, for anyone."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from api.deps import row_id
from api.web import session
from api.web.pages import Paging, engine_context, error_page, page
from kernel.errors import DomainError
from registry.services import publicity

router = APIRouter(include_in_schema=False)


@router.get("/gongshi", response_class=HTMLResponse, response_model=None)
def board_page(
    request: Request,
    q: str = Query("", max_length=100),
    page_number: int = Query(1, alias="page", ge=1, le=10_000),
) -> HTMLResponse:
    ctx = engine_context(request)
    board = publicity.board(ctx, text=q, page=page_number)
    listing = Paging(board["page"], board["page_size"], board["total"])
    return page(request, "publicity.html", session.current_actor(ctx, request), board=board, q=q, paging=listing)


@router.get("/gongshi/{publication_id}", response_class=HTMLResponse, response_model=None)
def notice_page(request: Request, publication_id: int = row_id()) -> HTMLResponse:
    ctx = engine_context(request)
    actor = session.current_actor(ctx, request)
    try:
        notice = publicity.notice(ctx, publication_id)
    except DomainError as error:
        return error_page(request, actor, error)
    return page(request, "publicity_notice.html", actor, notice=notice)

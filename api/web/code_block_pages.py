"""The administrators' page of credit-code blocks (号段): what is loaded, what is left, load another."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from api.errors import status_of
from api.web.admin_pages import admin_form, refused_unless_admin
from api.web.pages import Viewer, engine_context, page
from kernel.actors import Actor
from kernel.errors import DomainError
from kernel.numbers import whole_number
from registry import code_blocks

router = APIRouter(include_in_schema=False)


def _page(
    request: Request, actor: Actor, entered: dict[str, Any], problems: list[str], status_code: int = 200
) -> Response:
    return page(
        request,
        "admin_code_blocks.html",
        actor,
        status_code=status_code,
        blocks=code_blocks.listing(engine_context(request), actor),
        categories=code_blocks.CATEGORY_TEXT,
        entered=entered,
        problems=problems,
    )


@router.get("/admin/code-blocks", response_class=HTMLResponse, response_model=None)
def block_list(request: Request, actor: Viewer) -> Response:
    if (refused := refused_unless_admin(request, actor)) is not None:
        return refused
    return _page(request, actor, {}, [])


def _number(text: str) -> int:
    number = whole_number(text, max_digits=12)
    return -1 if number is None else number  # not a number: refused by the range check


@router.post("/admin/code-blocks", response_model=None)
async def add_block(request: Request, actor: Viewer) -> Response:
    form = await admin_form(request, actor)
    if isinstance(form, Response):
        return form
    entered = {name: str(form.get(name, "")).strip() for name in ("category", "region_code", "prefix", "first", "last")}
    wanted = code_blocks.BlockRequest(
        entered["category"],
        entered["region_code"],
        entered["prefix"],
        _number(entered["first"]),
        _number(entered["last"]),
    )
    try:
        await run_in_threadpool(code_blocks.add, engine_context(request), actor, wanted)
    except DomainError as error:
        details = error.details if isinstance(error.details, dict) else {}
        problems = [str(p) for p in details.get("problems", [])] or [error.message]
        return _page(request, actor, entered, problems, status_code=status_of(error))
    return RedirectResponse("/admin/code-blocks?added=1", status_code=303)

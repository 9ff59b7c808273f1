"""Paged lists of matters (我的事项, 经办事项, the administrators' list): filters from the address,
each row with its applicant unit's name."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from api.web.pages import Paging, engine_context, paging
from engine import services
from registry.services import register

MATTER_FILTERS = ("q", "status", "matter")


def listed_matters(request: Request, actor: Any, size: int = 20) -> tuple[list[dict[str, Any]], Paging, dict[str, str]]:
    """This page of the matters the actor sees, as the address narrows them (words of the 受理编号
    or title, status, matter type)."""
    ctx = engine_context(request)
    params = {k: v.strip()[:100] for k, v in request.query_params.items() if k in MATTER_FILTERS and v.strip()}
    listing = paging(request, size)
    found = services.list_instances(
        ctx,
        actor,
        status=params.get("status"),
        process_key=params.get("matter"),
        search=params.get("q"),
        unit_codes=register.units_named(ctx, params["q"]) if "q" in params else (),
        limit=listing.size,
        offset=listing.offset,
    )
    return with_units(ctx, found["items"]), listing.of(found["total"]), params


def unit_name(ctx: Any, code: str) -> str:
    """The name of one applicant unit (its code when the register does not know it)."""
    return register.unit_names(ctx, {code}).get(code, code)


def with_units(ctx: Any, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each row with the name of the unit that applied, for lists that tell matters apart."""
    names = register.unit_names(ctx, {str(r.get("unit_code") or "") for r in rows})
    for row in rows:
        row["unit_name"] = names.get(str(row.get("unit_code") or ""), row.get("unit_code") or "—")
    return rows

"""Plugs what the register adds to every matter into the engine: the frozen-unit
start rule, the end hook that gives reserved places back, the notices' expiry.
(A matter's own operations and form checks come from its manifest.)"""

from __future__ import annotations

from functools import partial

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.context import EngineContext
from registry import guards, notices, process_services
from registry.models import Unit


def install(ctx: EngineContext, *, notice_validity_months: int = notices.DEFAULT_VALIDITY_MONTHS) -> None:
    ctx.start_guards.append(guards.refuse_frozen_unit)
    if "register.reserve" in ctx.services:  # a matter's manifest uses it: with the configured validity
        ctx.services["register.reserve"] = partial(
            process_services.reserve_places, validity_months=notice_validity_months
        )
    ctx.end_hooks.append(notices.release_for_matter)
    ctx.outbox_handlers["notice.expired"] = notices.on_expired
    ctx.unit_known = unit_known


def unit_known(session: Session, code: str) -> bool:
    return session.scalar(select(Unit.id).where(Unit.code == code)) is not None

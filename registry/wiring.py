"""Plugs what the register adds to every matter into the engine: the frozen-unit
start rule, the end hooks that give reserved places back and a 整改 matter's finding back to
编办 when the matter ends unfinished, the notices' expiry and
the 周转池 loans falling due.
(A matter's own operations and form checks come from its manifest.)"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.context import EngineContext
from registry import guards, notices, reconciliation, totals
from registry.models import Unit

# Operations that issue 核准使用编制通知单, each taking ``validity_months``: 入编's and a 用编计划's.
ISSUING = ("register.reserve", "plan.reserve")


def install(ctx: EngineContext, *, notice_validity_months: int = notices.DEFAULT_VALIDITY_MONTHS) -> None:
    ctx.start_guards.append(guards.refuse_frozen_unit)
    for name in ISSUING:  # the matters' manifests use them: with the configured validity
        if name in ctx.services:
            issuing: Callable[..., Any] = ctx.services[name]
            ctx.services[name] = partial(issuing, validity_months=notice_validity_months)
    ctx.end_hooks.append(notices.release_for_matter)
    ctx.end_hooks.append(reconciliation.reopen_for_matter)
    ctx.outbox_handlers["notice.expired"] = notices.on_expired
    ctx.outbox_handlers["pool_loan.overdue"] = totals.on_overdue
    ctx.outbox_handlers["pool_loan.due_soon"] = totals.on_due_soon
    ctx.unit_known = unit_known


def unit_known(session: Session, code: str) -> bool:
    return session.scalar(select(Unit.id).where(Unit.code == code)) is not None

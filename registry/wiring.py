"""Plugs the register's rules into the engine: start guards, service-task
operations and form checks. Each module contributes its own tables."""

from __future__ import annotations

from functools import partial

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.context import EngineContext
from registry import domain_names, form_checks, guards, institution, notices, process_services
from registry.models import Unit


def install(ctx: EngineContext, *, notice_validity_months: int = notices.DEFAULT_VALIDITY_MONTHS) -> None:
    ctx.start_guards.append(guards.refuse_frozen_unit)
    for services in (
        process_services.SERVICES,
        institution.SERVICES,
        domain_names.SERVICES,
    ):
        ctx.services.update(services)
    ctx.services["register.reserve"] = partial(process_services.reserve_places, validity_months=notice_validity_months)
    for checks in (form_checks.FORM_CHECKS, domain_names.FORM_CHECKS):
        ctx.form_checks.update(checks)
    ctx.end_hooks.append(notices.release_for_matter)
    ctx.outbox_handlers["notice.expired"] = notices.on_expired
    ctx.unit_known = unit_known


def unit_known(session: Session, code: str) -> bool:
    return session.scalar(select(Unit.id).where(Unit.code == code)) is not None

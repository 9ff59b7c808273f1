"""Plugs the register's rules into the engine: start guards, service-task
operations and form checks. Each module contributes its own tables."""

from __future__ import annotations

from engine.context import EngineContext
from registry import domain_names, form_checks, guards, institution, process_services


def install(ctx: EngineContext) -> None:
    ctx.start_guards.append(guards.refuse_frozen_unit)
    for services in (
        process_services.SERVICES,
        institution.SERVICES,
        domain_names.SERVICES,
    ):
        ctx.services.update(services)
    for checks in (form_checks.FORM_CHECKS, domain_names.FORM_CHECKS):
        ctx.form_checks.update(checks)

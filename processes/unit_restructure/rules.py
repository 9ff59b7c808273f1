"""What 机构撤并更名 checks and does beyond its process: the application against the register (at
submission, for 编办's review, and again when 编委's decision is carried out), and the whole
bundle on the register in the step's transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import step_context
from engine.restricted_scripts import reads_only
from kernel import clock
from kernel.actors import Actor
from registry import restructures
from registry.form_checks import field_error, field_label
from registry.models import Unit
from registry.process_services import step_unit

FIELDS = {
    "/kind": "撤并更名类别",
    "/new_name": "更名后名称",
    "/to_unit": "承接单位或并入单位（全称）",
}


def check_application(session: Session, actor: Actor, data: dict[str, Any]) -> list[dict[str, str]]:
    unit = session.scalars(select(Unit).where(Unit.code == actor.unit_code)).first()
    if unit is None:
        return [field_error("", "申请单位", "机构编制台账中没有本单位")]
    found = restructures.problems(session, unit, data, matter_id=step_context.current().instance.id)
    return [field_error(path, field_label(path, FIELDS, "申请单位"), message) for path, message in found.found]


@reads_only
def check(params: dict[str, Any]) -> dict[str, Any]:
    """The figures 编办 reviews and 编委 decides on, and whether the application still fits them."""
    session, unit = step_context.current().session, step_unit()
    app = params["application"]
    found = restructures.problems(session, unit, app, matter_id=step_context.current().instance.id)
    summary = restructures.summary(session, unit, app)
    verdict = found.message if found else "可以办理"
    return {**summary, "allowed": not found, "message": f"{verdict}。{'；'.join(summary['figures'])}"}


def carry_out(params: dict[str, Any]) -> dict[str, Any]:
    """编委's decision on the register: the whole bundle in this step's transaction, or none and why."""
    step = step_context.current()
    return restructures.carry_out(
        step.session,
        step_unit(),
        params["application"],
        instance_id=step.instance.id,
        basis=step.instance.number,
        on=clock.today(),
        by=step.actor,
    )

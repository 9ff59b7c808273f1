"""What 编制调整 checks and does beyond its process: the application against the register and the
region's 总量 (at submission, for 编办's review, and again when 编委's decision is carried out),
who decides for 编委, and the register's change in the step's transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import step_context
from engine.restricted_scripts import reads_only
from kernel import clock
from kernel.actors import Actor
from registry import adjustments
from registry.form_checks import field_error, field_label
from registry.models import Unit
from registry.process_services import step_unit

FIELDS = {
    "/kind": "调整类别",
    "/est_type": "编制类型",
    "/places": "调整名额",
    "/to_unit": "划入单位（全称）",
    "/persons": "随编制划转人员",
    "/months": "借用期限（月）",
    "/loan_number": "周转池借用编号",
}


def check_application(session: Session, _actor: Actor, data: dict[str, Any]) -> list[dict[str, str]]:
    """Against the matter's unit: the one applying, or the one 编办 proposes it for."""
    code = step_context.current().instance.unit_code
    unit = session.scalars(select(Unit).where(Unit.code == code)).first()
    if unit is None:
        return [field_error("", "申请单位", "机构编制台账中没有本单位")]
    found = adjustments.problems(session, unit, data)
    return [field_error(path, field_label(path, FIELDS, ""), message) for path, message in found.found]


@reads_only
def check(params: dict[str, Any]) -> dict[str, Any]:
    """The figures 编办 reviews and 编委 decides on, and whether the application still fits them."""
    session, unit = step_context.current().session, step_unit()
    app = params["application"]
    found = adjustments.problems(session, unit, app)
    summary = adjustments.summary(session, unit, app)
    verdict = found.message if found else "符合核定编制数和本地区编制总量"
    return {**summary, "allowed": not found, "message": f"{verdict}。{'；'.join(summary['figures'])}"}


def carry_out(params: dict[str, Any]) -> dict[str, Any]:
    """编委's decision on the register: all of it in this step's transaction, or none and why."""
    step = step_context.current()
    return adjustments.carry_out(
        step.session,
        step_unit(),
        params["application"],
        instance_id=step.instance.id,
        basis=step.instance.number,
        on=clock.today(),
        by=step.actor,
    )

"""What 事业单位法人变更、注销登记 checks and does beyond its process: the application against the
registered items (at submission and again when the registry decides), and the decision recorded
on the unit in the step's transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import step_context
from kernel import clock
from kernel.actors import Actor
from registry import legal_persons
from registry.form_checks import field_error, field_label
from registry.models import Unit
from registry.process_services import step_unit

FIELDS = {
    "/kind": "登记类别",
    "/changes": "变更事项",
    "/cancel_basis": "撤销批复文号或清算报告",
}


def check_application(session: Session, actor: Actor, data: dict[str, Any]) -> list[dict[str, str]]:
    unit = session.scalars(select(Unit).where(Unit.code == actor.unit_code)).first()
    if unit is None:
        return [field_error("", "申请单位", "机构编制台账中没有本单位")]
    found = legal_persons.problems(session, unit, data)
    return [field_error(p.path, field_label(p.path, FIELDS, "申请单位"), p.message) for p in found]


def record(params: dict[str, Any]) -> dict[str, Any]:
    """登记管理局's approval on the register: every change (or the cancellation), or none and why."""
    step = step_context.current()
    return legal_persons.record(
        step.session,
        step_unit(),
        params["application"],
        instance_id=step.instance.id,
        on=clock.today(),
        by=step.actor,
    )

"""What 用编计划 checks and does beyond its process: the plan's year, each type against the vacancy,
and the plan's notices issued all or none."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from engine import step_context
from engine.restricted_scripts import reads_only
from kernel import clock
from kernel.actors import Actor
from kernel.errors import Conflict
from registry import plans
from registry.notices import DEFAULT_VALIDITY_MONTHS
from registry.process_services import step_unit


def check_application(session: Session, actor: Actor, data: dict[str, Any]) -> list[dict[str, str]]:
    year, today = data.get("year"), clock.today()
    if year is not None and year not in (today.year, today.year + 1):
        message = f"用编计划只能报送本年度（{today.year}）或下一年度（{today.year + 1}）"
        return [{"path": "/year", "field": "计划年度", "code": "register", "message": message}]
    return []


@reads_only
def check(params: dict[str, Any]) -> dict[str, Any]:
    """Each type of the plan against the unit's vacancy (approved − actual − reserved)."""
    unit = step_unit()
    lines = plans.check_lines(step_context.current().session, unit.id, list(params["lines"]))
    allowed = all(line["allowed"] for line in lines)
    return {
        "allowed": allowed,
        "message": "；".join(str(line["message"]) for line in lines),
        "lines": lines,
        "unit_kind": unit.kind,
    }


def reserve(params: dict[str, Any], *, validity_months: int = DEFAULT_VALIDITY_MONTHS) -> dict[str, Any]:
    """编办's approval: one numbered notice per line, held for the plan until used or expired."""
    step = step_context.current()
    year = int(params.get("year") or clock.today().year)
    try:
        made = plans.reserve_plan(
            step.session,
            unit_id=step_unit().id,
            lines=list(params["lines"]),
            instance_id=step.instance.id,
            on=clock.today(),
            validity_months=validity_months,
        )
    except Conflict as refused:
        return {"reserved": False, "message": refused.message, "notices": [], "year": year}
    notices = [
        {
            "number": n.number,
            "est_type": n.est_type,
            "places": n.places,
            "expires_on": n.expires_on.isoformat() if n.expires_on else None,
        }
        for n in made
    ]
    numbers = "、".join(n.number for n in made)
    return {"reserved": True, "notices": notices, "year": year, "message": f"已核发核准使用编制通知单{numbers}"}

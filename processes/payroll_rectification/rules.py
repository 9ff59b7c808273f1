"""What 人编经费比对整改 does beyond its process: the finding it was opened for, as the unit and the
departments read it, and its closing (销号) on the register when 编办 accepts the rectification."""

from __future__ import annotations

from typing import Any

from engine import step_context
from engine.restricted_scripts import reads_only
from kernel import clock
from registry import reconciliation
from registry.services.register import masked


@reads_only
def describe(params: dict[str, Any]) -> dict[str, Any]:
    """The finding the comparison made (a person's ID number masked: the matter's pages and its
    document show who, not the whole number)."""
    facts = params["facts"]
    who = f"{facts['name']}：" if facts.get("name") else ""
    return {
        "finding_id": facts["id"],
        "period": facts["period"],
        "kind": facts["kind"],
        "name": facts.get("name", ""),
        "id_number_masked": masked(facts["id_number"]) if facts.get("id_number") else "",
        "detail": facts["detail"],
        "payroll": facts["kind"] in reconciliation.PAYROLL_KINDS,  # 财政 checks the pay before it closes
        "message": f"{facts['period']}比对发现{facts['kind']}，{who}{facts['detail']}",
    }


def close(params: dict[str, Any]) -> dict[str, Any]:
    """编办 accepted the rectification (and 财政 checked the payroll, where the finding touched it)."""
    step = step_context.current()
    facts, report = params["facts"], params["report"]
    closed = reconciliation.resolve(
        step.session,
        int(facts["id"]),
        instance_id=step.instance.id,
        on=clock.today(),
        resolution=f"{report['outcome']}：{report['measures']}",
    )
    return {**closed, "payroll_checked": facts["kind"] in reconciliation.PAYROLL_KINDS}

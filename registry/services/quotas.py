"""Changing a unit's approved establishment (核定编制数) by type (administrators only).

The unit's row is locked first, as a reservation locks it, so the check
"not below what is occupied" cannot race a 用编核准 of the same unit. A
change needs its basis (the approving document's 文号) and leaves an audit
event ``quota_set`` with the number before and after.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from engine.context import EngineContext
from kernel import audit
from kernel.actors import Actor
from kernel.errors import Forbidden, NotFound, ValidationFailed
from registry import totals
from registry.figures import type_figures
from registry.import_units import MAX_APPROVED
from registry.models import Quota, Unit
from registry.reservations import lock_unit
from registry.vocabulary import EST_TYPES

MAX_BASIS = 100


def _refuse(field: str, code: str, message: str, **details: Any) -> ValidationFailed:
    return ValidationFailed(code, message, [{"path": f"/{field}", "message": message, **details}])


def _check(est_type: str, approved: int, basis: str) -> None:
    if est_type not in EST_TYPES:
        raise _refuse("est_type", "invalid_est_type", f"编制类型应为{'、'.join(EST_TYPES)}之一")
    if not 0 <= approved <= MAX_APPROVED:
        raise _refuse("approved", "invalid_quota", f"核定编制数应为0至{MAX_APPROVED}之间的整数")
    if not basis:
        raise _refuse("basis", "quota_basis_required", "请填写调整依据（批复文号）")
    if len(basis) > MAX_BASIS:
        raise _refuse("basis", "quota_basis_too_long", f"调整依据不能超过{MAX_BASIS}个字符")


def set_quota(
    ctx: EngineContext, actor: Actor, *, unit_code: str, est_type: str, approved: int, basis: str
) -> dict[str, Any]:
    """Set the approved number of ``est_type`` places; never below actual + reserved."""
    if not actor.is_admin:
        raise Forbidden("admin_only", "只有管理员可以调整核定编制数")
    basis = basis.strip()
    _check(est_type, approved, basis)
    with ctx.transaction() as session:
        unit_id = session.scalar(select(Unit.id).where(Unit.code == unit_code))
        if unit_id is None:
            raise NotFound("unit_not_found", "单位不存在")
        region_code = session.scalars(select(Unit.region_code).where(Unit.id == unit_id)).one()
        totals.lock_region(session, region_code)  # the region's account before the unit, as every writer
        unit = lock_unit(session, unit_id)
        figures = type_figures(session, unit.id, est_type)
        occupied = figures.actual + figures.reserved
        if approved + figures.lent < occupied:
            lent = f"（另有周转池借用{figures.lent}名）" if figures.lent else ""
            raise _refuse(
                "approved",
                "quota_below_occupied",
                f"核定编制数不能少于已占用的{est_type}：实有{figures.actual}名，"
                f"已预留{figures.reserved}名，合计{occupied}名{lent}",
                actual=figures.actual,
                reserved=figures.reserved,
            )
        quota = session.get(Quota, (unit.id, est_type))
        before = quota.approved if quota is not None else 0
        problems = totals.shortfall(session, unit.region_code, {est_type: approved - before})
        if problems:
            raise _refuse("approved", "total_exceeded", "；".join(problems))
        if quota is None:
            session.add(Quota(unit_id=unit.id, est_type=est_type, approved=approved))
        else:
            quota.approved = approved
        change = {"unit": unit.code, "est_type": est_type, "before": before, "after": approved, "basis": basis}
        audit.record(session, actor=actor.username, action="quota_set", details=change)
    return change

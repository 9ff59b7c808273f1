"""The regions' 编制总量 and 周转池 as administrators read and record them.

Recording a total needs its basis (the level above's 文号); it is refused below what the region's
units already hold plus its pool, or a pool below what is lent, and leaves an audit event
``region_total_set`` with the figures before and after.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from engine.context import EngineContext
from forms.identifiers import region_name
from kernel import audit, clock
from kernel.actors import Actor
from kernel.errors import Conflict, Forbidden, ValidationFailed
from registry import totals
from registry.import_units import MAX_APPROVED
from registry.models import RegionTotal, Unit
from registry.vocabulary import EST_TYPES

MAX_BASIS = 100
REGION_CODE = re.compile(r"^[1-8]\d{5}$")


def _refuse(field: str, code: str, message: str) -> ValidationFailed:
    return ValidationFailed(code, message, [{"path": f"/{field}", "message": message}])


def _may_manage(actor: Actor) -> None:
    if not actor.is_admin:
        raise Forbidden("admin_only", "只有管理员可以查看和核定编制总量")


def overview(ctx: EngineContext, actor: Actor) -> list[dict[str, Any]]:
    """Every region with units or an account: its accounts by type and its pool's loans."""
    _may_manage(actor)
    today = clock.today()
    with ctx.reading() as session:
        regions = sorted(
            set(session.scalars(select(Unit.region_code).distinct()))
            | set(session.scalars(select(RegionTotal.region_code).distinct()))
        )
        names = dict(session.execute(select(Unit.id, Unit.name)).tuples().all())
        return [
            {
                "region_code": region,
                "region_name": region_name(region) or "",
                "figures": [f.as_dict() for f in totals.region_figures(session, region)],
                "loans": [
                    totals.loan_dict(n, names.get(n.unit_id, ""), today)
                    for n in totals.loans_of(session, region_code=region)
                ],
            }
            for region in regions
        ]


def record_total(
    ctx: EngineContext, actor: Actor, *, region_code: str, est_type: str, total: int, pool: int, basis: str
) -> dict[str, Any]:
    _may_manage(actor)
    basis = basis.strip()
    if not REGION_CODE.match(region_code) or region_name(region_code) is None:
        raise _refuse("region_code", "invalid_region", "行政区划代码应为有效的6位数字代码（GB/T 2260）")
    if est_type not in EST_TYPES:
        raise _refuse("est_type", "invalid_est_type", f"编制类型应为{'、'.join(EST_TYPES)}之一")
    if not 0 <= total <= MAX_APPROVED * 100:
        raise _refuse("total", "invalid_total", "编制总量应为不小于0的整数")
    if not 0 <= pool <= total:
        raise _refuse("pool", "invalid_pool", "周转池编制数应为0至编制总量之间的整数")
    if not basis:
        raise _refuse("basis", "total_basis_required", "请填写核定依据（上级批复文号）")
    if len(basis) > MAX_BASIS:
        raise _refuse("basis", "total_basis_too_long", f"核定依据不能超过{MAX_BASIS}个字符")
    with ctx.transaction() as session:
        before = totals.figures_of(session, region_code, est_type)
        try:
            totals.set_total(session, region_code=region_code, est_type=est_type, total=total, pool=pool, basis=basis)
        except Conflict as refused:
            raise _refuse("total", "total_below_used", refused.message) from refused
        change = {
            "region_code": region_code,
            "est_type": est_type,
            "before": {"total": before.total, "pool": before.pool} if before else None,
            "after": {"total": total, "pool": pool},
            "basis": basis,
        }
        audit.record(session, actor=actor.username, action="region_total_set", details=change)
    return change

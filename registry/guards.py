"""Register rules the engine asks before a matter starts."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from kernel.actors import Actor
from kernel.errors import Conflict
from registry.models import Unit
from registry.vocabulary import UnitStatus


def refuse_frozen_unit(session: Session, actor: Actor, process_key: str) -> None:
    """A unit on the negative list (冻结) may start no matter until unfrozen."""
    if actor.unit_code is None:
        return
    unit = session.scalars(select(Unit).where(Unit.code == actor.unit_code)).first()
    if unit is not None and unit.status == UnitStatus.FROZEN:
        raise Conflict(
            "unit_frozen",
            f"{unit.name}已列入机构编制负面清单（冻结），解除冻结前不能发起任何事项",
            {"unit_code": unit.code, "process_key": process_key},
        )
    if unit is not None and unit.status == UnitStatus.CANCELLED:
        raise Conflict("unit_cancelled", f"{unit.name}已撤销，不能发起事项", {"unit_code": unit.code})

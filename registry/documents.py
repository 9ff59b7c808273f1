"""What the register adds to a matter's documents: its unit's name and credit code."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.models import Unit


def unit_facts(session: Session, unit_code: str) -> dict[str, Any]:
    unit = session.scalars(select(Unit).where(Unit.code == unit_code)).first()
    if unit is None:
        return {"unit_name": unit_code, "credit_code": None}
    return {"unit_name": unit.name, "credit_code": unit.credit_code}

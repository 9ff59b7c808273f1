"""用编计划: a unit's annual plan of places by type and post, approved by 编办 against the vacancy.
Each line of an approved plan becomes a 核准使用编制通知单 held for the plan (``purpose`` plan): it
outlives the plan matter once recruitment is done, named persons enter on it through 入编 (partly
at a time), and what is left expires at its validity end like any notice.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kernel.errors import Conflict
from registry.models import Reservation
from registry.notices import DEFAULT_VALIDITY_MONTHS, ISSUED, PLAN
from registry.reservations import check_vacancy, lock_unit, reserve


def check_lines(session: Session, unit_id: int, lines: list[dict[str, Any]]) -> list[dict[str, object]]:
    """Each type the plan asks for against the unit's vacancy (lines of one type are added up)."""
    wanted = Counter[str]()
    for line in lines:
        wanted[str(line["est_type"])] += int(line["places"])
    return [{"est_type": t, "places": n, **check_vacancy(session, unit_id, t, n).as_dict()} for t, n in wanted.items()]


def reserve_plan(
    session: Session,
    *,
    unit_id: int,
    lines: list[dict[str, Any]],
    instance_id: str,
    on: date,
    validity_months: int = DEFAULT_VALIDITY_MONTHS,
) -> list[Reservation]:
    """One notice per line, all or none: every type is checked under the unit's lock before any is issued."""
    lock_unit(session, unit_id)
    refused = [c for c in check_lines(session, unit_id, lines) if not c["allowed"]]
    if refused:
        raise Conflict("no_vacancy", "；".join(str(c["message"]) for c in refused))
    made = []
    for line in lines:
        notice = reserve(
            session,
            unit_id=unit_id,
            est_type=str(line["est_type"]),
            places=int(line["places"]),
            instance_id=instance_id,
            on=on,
            validity_months=validity_months,
        )
        notice.purpose = PLAN
        made.append(notice)
    session.flush()
    return made


@dataclass(frozen=True)
class PlanRoom:
    """Whether a plan's notice can take ``persons`` of a 入编 now, and why not."""

    allowed: bool
    message: str
    notice: Reservation | None

    def as_dict(self) -> dict[str, object]:
        left = self.notice.places - self.notice.used if self.notice else 0
        return {"allowed": self.allowed, "message": self.message, "left": left}


def room_on_plan(session: Session, *, unit_id: int, number: str, est_type: str, persons: int, on: date) -> PlanRoom:
    notice = session.scalars(select(Reservation).where(Reservation.number == number)).first()
    if notice is None or notice.unit_id != unit_id or notice.purpose != PLAN:
        return PlanRoom(False, f"本单位没有按用编计划核发的核准使用编制通知单“{number}”", None)
    if notice.status != ISSUED:
        return PlanRoom(False, f"核准使用编制通知单{number}已使用完毕、释放或过期", notice)
    if notice.expires_on is not None and notice.expires_on < on:
        return PlanRoom(False, f"核准使用编制通知单{number}已于{notice.expires_on.isoformat()}到期", notice)
    if notice.est_type != est_type:
        return PlanRoom(False, f"核准使用编制通知单{number}核准的是{notice.est_type}，不是{est_type}", notice)
    left = notice.places - notice.used
    if persons > left:
        return PlanRoom(False, f"核准使用编制通知单{number}尚余{left}名，本次入编{persons}名", notice)
    return PlanRoom(True, f"按用编计划核准使用编制通知单{number}入编{persons}名（尚余{left}名）", notice)

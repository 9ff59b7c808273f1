"""Derived figures: actual, reserved and vacant places per unit and type; posts used.

available = approved − actual − reserved by unused notices (DOMAIN.md). A unit
over its approved number is 超编 (hires none); exactly at it is 满编 (hires
one-out-one-in); otherwise it has vacancies (有空编).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from registry.models import LeadershipQuota, Person, Quota, Reservation

OVER, FULL, VACANT = "超编", "满编", "有空编"
LEADER_CATEGORY = {"正职": "领导正职", "副职": "领导副职"}


@dataclass(frozen=True)
class TypeFigures:
    est_type: str
    approved: int
    actual: int
    reserved: int

    @property
    def vacancy(self) -> int:
        return self.approved - self.actual - self.reserved

    @property
    def state(self) -> str:
        if self.actual > self.approved:
            return OVER
        return FULL if self.vacancy <= 0 else VACANT

    def as_dict(self) -> dict[str, object]:
        return {**asdict(self), "vacancy": self.vacancy, "state": self.state}


def unit_figures(session: Session, unit_id: int) -> list[TypeFigures]:
    approved = dict(
        session.execute(select(Quota.est_type, Quota.approved).where(Quota.unit_id == unit_id)).tuples().all()
    )
    actual = dict(
        session.execute(
            select(Person.est_type, func.count())
            .where(Person.unit_id == unit_id, Person.status == "在编")
            .group_by(Person.est_type)
        )
        .tuples()
        .all()
    )
    reserved = dict(
        session.execute(
            select(Reservation.est_type, func.sum(Reservation.places - Reservation.used))
            .where(Reservation.unit_id == unit_id, Reservation.status == "issued")
            .group_by(Reservation.est_type)
        )
        .tuples()
        .all()
    )
    types = sorted(set(approved) | set(actual) | set(reserved))
    return [TypeFigures(t, int(approved.get(t, 0)), int(actual.get(t, 0)), int(reserved.get(t) or 0)) for t in types]


def leadership_figures(session: Session, unit_id: int) -> list[dict[str, object]]:
    approved = dict(
        session.execute(
            select(LeadershipQuota.level, LeadershipQuota.approved).where(LeadershipQuota.unit_id == unit_id)
        )
        .tuples()
        .all()
    )
    used = dict(
        session.execute(
            select(Person.category, func.count())
            .where(Person.unit_id == unit_id, Person.status == "在编", Person.category.in_(LEADER_CATEGORY.values()))
            .group_by(Person.category)
        )
        .tuples()
        .all()
    )
    return [
        {"level": level, "approved": int(approved.get(level, 0)), "used": int(used.get(category, 0))}
        for level, category in LEADER_CATEGORY.items()
    ]

"""Derived figures: actual, reserved and vacant places per unit and type; posts used.

available = approved − actual − reserved by unused notices (DOMAIN.md), where
places lent from the region's 周转池 count as approved while lent. A unit over
its approved number is 超编 (hires none); exactly at it is 满编 (hires
one-out-one-in); otherwise it has vacancies (有空编).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from registry.models import LeadershipQuota, Person, PoolLoan, Quota, Reservation

OVER, FULL, VACANT = "超编", "满编", "有空编"
LENT = "lent"  # a 周转池 loan still counted on the unit
LEADER_CATEGORY = {"正职": "领导正职", "副职": "领导副职"}


@dataclass(frozen=True)
class TypeFigures:
    est_type: str
    approved: int
    actual: int
    reserved: int
    lent: int = 0  # places on loan from the region's 周转池

    @property
    def usable(self) -> int:
        return self.approved + self.lent

    @property
    def vacancy(self) -> int:
        return self.usable - self.actual - self.reserved

    @property
    def state(self) -> str:
        if self.actual > self.usable:
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
    lent = dict(
        session.execute(
            select(PoolLoan.est_type, func.sum(PoolLoan.places))
            .where(PoolLoan.unit_id == unit_id, PoolLoan.status == LENT)
            .group_by(PoolLoan.est_type)
        )
        .tuples()
        .all()
    )
    types = sorted(set(approved) | set(actual) | set(reserved) | set(lent))
    return [
        TypeFigures(t, int(approved.get(t, 0)), int(actual.get(t, 0)), int(reserved.get(t) or 0), int(lent.get(t) or 0))
        for t in types
    ]


def type_figures(session: Session, unit_id: int, est_type: str) -> TypeFigures:
    return next((f for f in unit_figures(session, unit_id) if f.est_type == est_type), TypeFigures(est_type, 0, 0, 0))


@dataclass(frozen=True)
class PostFigures:
    """Leadership posts (领导职数) of one level: approved, held by persons in
    place (by their 人员分类), and held for hires on open notices."""

    level: str
    approved: int
    used: int
    reserved: int = 0

    @property
    def free(self) -> int:
        return self.approved - self.used - self.reserved

    def as_dict(self) -> dict[str, object]:
        return {**asdict(self), "free": self.free}


def leadership_figures(session: Session, unit_id: int) -> list[PostFigures]:
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
    principal, deputy = session.execute(
        select(func.sum(Reservation.principal_posts), func.sum(Reservation.deputy_posts)).where(
            Reservation.unit_id == unit_id, Reservation.status == "issued"
        )
    ).one()
    reserved = {"正职": int(principal or 0), "副职": int(deputy or 0)}
    return [
        PostFigures(level, int(approved.get(level, 0)), int(used.get(category, 0)), reserved[level])
        for level, category in LEADER_CATEGORY.items()
    ]


def posts_wanted(persons: list[dict[str, object]]) -> dict[str, int]:
    """How many persons of a 入编 are leaders, by level."""
    return {
        level: sum(1 for p in persons if p.get("category") == category) for level, category in LEADER_CATEGORY.items()
    }


def posts_problems(figures: list[PostFigures], wanted: dict[str, int]) -> list[str]:
    """Why ``wanted`` leaders do not fit the free posts (empty when they fit)."""
    return [
        f"{f.level}核定{f.approved}名，已配备{f.used}名，已预留{f.reserved}名，本次拟任{wanted[f.level]}名"
        for f in figures
        if wanted.get(f.level) and wanted[f.level] > f.free
    ]

"""Figures for the administrators' dashboard: establishment saturation by unit,
overdue matters by department, matters per week, the five-year retirement forecast, the latest
人编经费比对 and the negative list."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.models import Instance, Task
from engine.vocabulary import TaskStatus
from kernel import clock
from registry import totals
from registry.figures import unit_figures
from registry.models import Finding, Person, ReconciliationRun, RegionTotal, Unit, UnitEvent
from registry.vocabulary import UnitStatus

# 渐进式延迟法定退休年龄 (2024), from 2025: men 60 → 63 and women cadres 55 → 58,
# one month later for every four months of birth; women workers (工勤) 50 → 55,
# one month later for every two months of birth.
# sex/worker → (base age, first cohort born, months of birth per month of delay, most months of delay)
RETIREMENT = {
    ("男", False): (60, date(1965, 1, 1), 4, 36),
    ("男", True): (60, date(1965, 1, 1), 4, 36),
    ("女", False): (55, date(1970, 1, 1), 4, 36),
    ("女", True): (50, date(1975, 1, 1), 2, 60),
}


def is_worker(est_type: str, post_category: str) -> bool:
    """工勤 staff: on a 工勤 establishment or in a 工勤 post."""
    return "工勤" in est_type or post_category == "工勤"


def retirement_date(sex: str, birth: date, *, worker: bool = False) -> date:
    base_age, first_cohort, per, most = RETIREMENT.get((sex, worker), RETIREMENT[("男", False)])
    delay = 0
    if birth >= first_cohort:
        months = (birth.year - first_cohort.year) * 12 + birth.month - first_cohort.month
        delay = min(most, months // per + 1)
    total = birth.year * 12 + birth.month - 1 + base_age * 12 + delay
    year, month = divmod(total, 12)
    return date(year, month + 1, 1)  # retires in the month the age is reached (from its first day)


def _rate(actual: int, approved: int) -> float | None:
    return round(actual / approved, 3) if approved else None


def saturation(session: Session) -> list[dict[str, Any]]:
    """Each active unit's establishment use (actual / approved), in all and by type."""
    rows = []
    for unit in session.scalars(select(Unit).where(Unit.status == UnitStatus.ACTIVE).order_by(Unit.code)):
        figures = unit_figures(session, unit.id)
        approved = sum(f.approved for f in figures)
        actual = sum(f.actual for f in figures)
        if approved or actual:
            rows.append(
                {
                    "unit": unit.name,
                    "approved": approved,
                    "actual": actual,
                    "rate": _rate(actual, approved),
                    "by_type": [
                        {
                            "type": f.est_type,
                            "approved": f.approved,
                            "actual": f.actual,
                            "rate": _rate(f.actual, f.approved),
                        }
                        for f in figures
                        if f.approved or f.actual
                    ],
                }
            )
    return rows


def overdue_by_department(session: Session) -> dict[str, int]:
    counted = session.execute(
        select(Task.department, func.count())
        .where(Task.state == TaskStatus.OPEN, Task.overdue_at.is_not(None))
        .group_by(Task.department)
    ).tuples()
    return {department: int(count) for department, count in counted}


def matters_by_kind(session: Session, today: date, days: int = 365) -> dict[str, dict[str, int]]:
    """Matters started in the last ``days`` by kind (process key) and status: what each office handles most."""
    counted = session.execute(
        select(Instance.process_key, Instance.status, func.count())
        .where(Instance.created_at >= clock.start_of(today - timedelta(days=days - 1)))
        .group_by(Instance.process_key, Instance.status)
    ).tuples()
    found: dict[str, dict[str, int]] = {}
    for key, status, count in counted:
        found.setdefault(key, {})[status] = int(count)
    return found


def region_totals(session: Session, today: date) -> list[dict[str, Any]]:
    """Each region's 总量 by type as used (allocated + pool), and its 周转池 loans overdue today."""
    regions = sorted(set(session.scalars(select(RegionTotal.region_code).distinct())))
    found = []
    for region in regions:
        late = [loan for loan in totals.loans_of(session, region_code=region) if totals.overdue(loan, today)]
        figures = [
            {**f.as_dict(), "rate": _rate(f.allocated + f.pool, f.total)}
            for f in totals.region_figures(session, region)
        ]
        found.append({"region_code": region, "figures": figures, "overdue_loans": len(late)})
    return found


def reconciliation_summary(session: Session) -> dict[str, Any]:
    """The latest 人编经费比对 (its findings by kind, how many are closed) and the units on the
    negative list (冻结) with the 文号 that put them there."""
    latest = session.scalars(select(ReconciliationRun).order_by(ReconciliationRun.id.desc()).limit(1)).first()
    run = None
    if latest is not None:
        statuses = dict(
            session.execute(
                select(Finding.status, func.count()).where(Finding.run_id == latest.id).group_by(Finding.status)
            )
            .tuples()
            .all()
        )
        run = {
            "id": latest.id,
            "period": latest.period,
            "counts": dict(latest.counts),
            "total": sum(statuses.values()),
            "resolved": statuses.get("resolved", 0),
        }
    frozen = []
    for unit in session.scalars(select(Unit).where(Unit.status == UnitStatus.FROZEN).order_by(Unit.code)):
        basis = session.scalar(
            select(UnitEvent.basis_doc_no)
            .where(UnitEvent.unit_id == unit.id, UnitEvent.event == "列入负面清单")
            .order_by(UnitEvent.id.desc())
            .limit(1)
        )
        frozen.append({"name": unit.name, "doc_no": basis or ""})
    return {"run": run, "frozen": frozen}


def matters_per_week(session: Session, today: date, weeks: int = 12) -> list[tuple[str, int]]:
    start = today - timedelta(days=today.weekday() + 7 * (weeks - 1))
    counts = [0] * weeks
    for created in session.scalars(select(Instance.created_at).where(Instance.created_at >= clock.start_of(start))):
        index = (clock.business_day(created) - start).days // 7  # weeks of China dates
        if 0 <= index < weeks:
            counts[index] += 1
    return [((start + timedelta(weeks=i)).strftime("%m-%d"), counts[i]) for i in range(weeks)]


def retirements_by_year(session: Session, today: date, years: int = 5) -> list[tuple[str, int]]:
    counts = {today.year + i: 0 for i in range(years)}
    staff = select(Person.sex, Person.birth_date, Person.est_type, Person.post_category).where(Person.status == "在编")
    for sex, birth, est_type, post in session.execute(staff).tuples():
        retires = retirement_date(sex, birth, worker=is_worker(est_type, post))
        if retires >= today and retires.year in counts:
            counts[retires.year] += 1
    return [(f"{year}年", count) for year, count in counts.items()]

"""A region's 编制总量 by type and its 事业编制周转池, as one account per region and type.

The level above approves a region's total of each type; the region allocates it to its units
(their approved places) and may keep part of it in a 周转池 it lends to units for a limited time.
The rule every writer keeps: allocated (approved places of the region's units that are not
cancelled) + pool ≤ total, and lent ≤ pool. A region without a recorded total has no cap yet (its
account is opened when the total is first recorded, never below what is already allocated).

Writers lock the region's account rows before any unit (region, then units by id), write, and
call ``ensure_within`` before their transaction commits: a write that would break the rule is
refused with the figures and rolled back with the rest of the step.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.notifications import add_notification_once
from kernel import clock, outbox
from kernel.calendar import add_months
from kernel.errors import Conflict
from kernel.records import OutboxMessage
from kernel.sequences import next_number
from registry.figures import LENT, type_figures
from registry.models import PoolLoan, Quota, RegionTotal, Unit
from registry.reservations import lock_unit
from registry.vocabulary import UnitStatus

RETURNED = "returned"
LOAN_SEQUENCE = "pool_loan"
MAX_LOAN_MONTHS = 36
DUE_SOON_DAYS = 30  # a loan's unit and 编办 are told this many days before it falls due


@dataclass(frozen=True)
class RegionFigures:
    region_code: str
    est_type: str
    total: int
    allocated: int  # approved places of the region's units
    pool: int  # kept in the 周转池
    lent: int  # of the pool, on loan to units
    basis: str = ""  # the 文号 the total rests on

    @property
    def headroom(self) -> int:
        """Places of the total neither allocated nor in the pool."""
        return self.total - self.allocated - self.pool

    @property
    def pool_free(self) -> int:
        return self.pool - self.lent

    def as_dict(self) -> dict[str, object]:
        return {**asdict(self), "headroom": self.headroom, "pool_free": self.pool_free}


def lock_region(session: Session, region_code: str) -> dict[str, RegionTotal]:
    """The region's account rows by type, locked for the rest of the transaction."""
    rows = session.scalars(
        select(RegionTotal)
        .where(RegionTotal.region_code == region_code)
        .order_by(RegionTotal.est_type)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return {r.est_type: r for r in rows}


def lock_all(session: Session) -> set[str]:
    """Every region's account locked (a bulk import may touch any region): the regions that have one."""
    rows = session.scalars(
        select(RegionTotal).order_by(RegionTotal.region_code, RegionTotal.est_type).with_for_update()
    ).all()
    return {r.region_code for r in rows}


def shortfall(session: Session, region_code: str, wanted: dict[str, int]) -> list[str]:
    """Why allocating ``wanted`` more places (by type) to the region's units would break its total."""
    problems = []
    for f in region_figures(session, region_code):
        more = wanted.get(f.est_type, 0)
        if more > 0 and more > f.headroom:
            problems.append(f"{describe(f)}，本次拟核定{more}名，超出编制总量")
    return problems


def allocated(session: Session, region_code: str) -> dict[str, int]:
    rows = session.execute(
        select(Quota.est_type, func.sum(Quota.approved))
        .join(Unit, Unit.id == Quota.unit_id)
        .where(Unit.region_code == region_code, Unit.status != UnitStatus.CANCELLED)
        .group_by(Quota.est_type)
    ).tuples()
    return {t: int(n or 0) for t, n in rows}


def lent(session: Session, region_code: str) -> dict[str, int]:
    rows = session.execute(
        select(PoolLoan.est_type, func.sum(PoolLoan.places))
        .where(PoolLoan.region_code == region_code, PoolLoan.status == LENT)
        .group_by(PoolLoan.est_type)
    ).tuples()
    return {t: int(n or 0) for t, n in rows}


def region_figures(session: Session, region_code: str) -> list[RegionFigures]:
    """Every type the region has an account for (types without one are not capped)."""
    accounts = session.scalars(
        select(RegionTotal).where(RegionTotal.region_code == region_code).order_by(RegionTotal.est_type)
    ).all()
    used, out = allocated(session, region_code), lent(session, region_code)
    return [
        RegionFigures(
            region_code, a.est_type, a.total, used.get(a.est_type, 0), a.pool, out.get(a.est_type, 0), a.basis
        )
        for a in accounts
    ]


def figures_of(session: Session, region_code: str, est_type: str) -> RegionFigures | None:
    return next((f for f in region_figures(session, region_code) if f.est_type == est_type), None)


def describe(f: RegionFigures) -> str:
    return (
        f"{f.est_type}总量{f.total}名，已核定到单位{f.allocated}名，周转池{f.pool}名（借出{f.lent}名），"
        f"未分配{f.headroom}名"
    )


def overruns(session: Session, region_code: str) -> list[str]:
    """Why the region's account is broken now (empty when it holds)."""
    problems = []
    for f in region_figures(session, region_code):
        if f.headroom < 0:
            problems.append(f"超出编制总量：{describe(f)}")
        if f.pool_free < 0:
            problems.append(f"周转池借出超过池内编制：{describe(f)}")
    return problems


def ensure_within(session: Session, region_code: str) -> None:
    """Refuse (roll back) the transaction's writes if they break the region's account."""
    session.flush()
    problems = overruns(session, region_code)
    if problems:
        raise Conflict("total_exceeded", "；".join(problems))


def set_total(session: Session, *, region_code: str, est_type: str, total: int, pool: int, basis: str) -> RegionTotal:
    """Record (or change) the region's total and pool of ``est_type``; never below what is used."""
    accounts = lock_region(session, region_code)
    account = accounts.get(est_type)
    if account is None:
        account = RegionTotal(region_code=region_code, est_type=est_type, total=total, pool=pool, basis=basis)
        session.add(account)
    else:
        account.total, account.pool, account.basis = total, pool, basis
    account.updated_at = clock.now()
    ensure_within(session, region_code)
    return account


def lend(session: Session, *, unit: Unit, est_type: str, places: int, months: int, instance_id: str | None) -> PoolLoan:
    """Lend ``places`` of the region's pool to ``unit`` for ``months``, numbered 周转〔year〕N号."""
    accounts = lock_region(session, unit.region_code)
    if est_type not in accounts or accounts[est_type].pool <= 0:
        raise Conflict("no_pool", f"本地区未设{est_type}周转池")
    lock_unit(session, unit.id)
    today = clock.today()
    number = f"周转〔{today.year}〕{next_number(session, LOAN_SEQUENCE, today.year)}号"
    loan = PoolLoan(
        number=number,
        region_code=unit.region_code,
        unit_id=unit.id,
        est_type=est_type,
        places=places,
        lent_on=today,
        due_on=add_months(today, months),
        status=LENT,
        instance_id=instance_id,
    )
    session.add(loan)
    ensure_within(session, unit.region_code)
    return loan


def give_back_refusal(session: Session, loan: PoolLoan) -> str | None:
    """Why ``loan`` cannot go back to the pool now (None: it can): returned already, or the unit's
    persons and open notices do not fit without it."""
    if loan.status != LENT:
        return f"周转池借用{loan.number}已于{loan.returned_on}归还"
    figures = type_figures(session, loan.unit_id, loan.est_type)
    if figures.actual + figures.reserved > figures.usable - loan.places:
        return (
            f"归还{loan.places}名后{loan.est_type}可用{figures.usable - loan.places}名，"
            f"少于实有{figures.actual}名与已预留{figures.reserved}名之和，须先出编或核增"
        )
    return None


def give_back(session: Session, loan: PoolLoan, *, on: date) -> None:
    """Return a loan to the pool, checked again under the region's and the unit's locks."""
    lock_region(session, loan.region_code)
    lock_unit(session, loan.unit_id)
    refusal = give_back_refusal(session, loan)
    if refusal:
        raise Conflict("loan_in_use", refusal)
    loan.status, loan.returned_on = RETURNED, on
    session.flush()


def tell_overdue(session: Session, today: date) -> list[str]:
    """Loans past their due date, told once (to the unit and to 编办) through the outbox; their numbers."""
    due = session.scalars(
        select(PoolLoan)
        .where(PoolLoan.status == LENT, PoolLoan.due_on < today, PoolLoan.overdue_told_on.is_(None))
        .order_by(PoolLoan.id)
        .with_for_update()
    ).all()
    for loan in due:
        loan.overdue_told_on = today
        outbox.emit(session, "pool_loan.overdue", _loan_payload(session, loan))
    return [loan.number for loan in due]


def tell_due_soon(session: Session, today: date) -> list[str]:
    """Loans falling due within ``DUE_SOON_DAYS``, told once ahead (to the unit and to 编办), so
    the unit can give the places back or apply for more in time; their numbers."""
    soon = session.scalars(
        select(PoolLoan)
        .where(
            PoolLoan.status == LENT,
            PoolLoan.due_on >= today,
            PoolLoan.due_on <= today + timedelta(days=DUE_SOON_DAYS),
            PoolLoan.due_soon_told_on.is_(None),
        )
        .order_by(PoolLoan.id)
        .with_for_update()
    ).all()
    for loan in soon:
        loan.due_soon_told_on = today
        outbox.emit(session, "pool_loan.due_soon", _loan_payload(session, loan))
    return [loan.number for loan in soon]


def _loan_payload(session: Session, loan: PoolLoan) -> dict[str, object]:
    unit = session.get(Unit, loan.unit_id)
    return {
        "number": loan.number,
        "unit_code": unit.code if unit else "",
        "unit_name": unit.name if unit else "",
        "est_type": loan.est_type,
        "places": loan.places,
        "due_on": loan.due_on.isoformat(),
        "instance_id": loan.instance_id,
    }


def on_due_soon(session: Session, message: OutboxMessage) -> None:
    """Outbox handler: the borrowing unit and 编办 are told the loan falls due soon."""
    p = message.payload
    loan = f"周转池借用{p['number']}（{p['est_type']}{p['places']}名）"
    text = f"{loan}将于{p['due_on']}到期，请提前办理归还或申请核增（编制调整）"
    add_notification_once(session, message, f"unit:{p['unit_code']}", "pool_loan", text)
    add_notification_once(session, message, "department:bianban", "pool_loan", f"{p['unit_name']}的{text}")


def on_overdue(session: Session, message: OutboxMessage) -> None:
    """Outbox handler: the borrowing unit and 编办 are told the loan is overdue."""
    p = message.payload
    loan = f"周转池借用{p['number']}（{p['est_type']}{p['places']}名）"
    text = f"{loan}已于{p['due_on']}到期，请办理归还（编制调整·周转池归还）"
    add_notification_once(session, message, f"unit:{p['unit_code']}", "pool_loan", text)
    add_notification_once(session, message, "department:bianban", "pool_loan", f"{p['unit_name']}的{text}")


def loans_of(session: Session, *, region_code: str | None = None, unit_id: int | None = None) -> list[PoolLoan]:
    query = select(PoolLoan).order_by(PoolLoan.id.desc())
    if region_code is not None:
        query = query.where(PoolLoan.region_code == region_code)
    if unit_id is not None:
        query = query.where(PoolLoan.unit_id == unit_id)
    return list(session.scalars(query))


def overdue(loan: PoolLoan, today: date) -> bool:
    return loan.status == LENT and loan.due_on < today


def loan_dict(loan: PoolLoan, unit_name: str, today: date) -> dict[str, object]:
    return {
        "number": loan.number,
        "unit_name": unit_name,
        "est_type": loan.est_type,
        "places": loan.places,
        "lent_on": loan.lent_on.isoformat(),
        "due_on": loan.due_on.isoformat(),
        "status": loan.status,
        "status_text": "已归还" if loan.status == RETURNED else ("逾期未还" if overdue(loan, today) else "借用中"),
        "returned_on": loan.returned_on.isoformat() if loan.returned_on else None,
        "overdue": overdue(loan, today),
        "instance_id": loan.instance_id,
    }

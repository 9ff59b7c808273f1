"""人编经费比对: who 财政 pays, who 人社 lists and who is 在编 (the 实名制 roster), compared for one
month; each difference is a finding on its unit, and each finding a 整改 matter for the unit.

Findings, by kind:

- 有薪无编: paid by a unit (财政's list) but 在编 nowhere;
- 有编无薪: 在编 at a unit but paid by none (persons on 自收自支 places are paid by their unit,
  not by 财政's 统发, and are not expected on the list);
- 一人两单位: paid by a unit other than the one they are 在编 at, or paid by two units;
- 超编发放: a unit paying more persons than its approved places (with any lent from the 周转池);
- 人社名册不符: with 人社's list of the month, a person 在编 at a 事业单位 but not on 人社's list
  for it, or on it there but not 在编 there.

A finding is ``open`` until a 整改 matter is opened for it (``rectifying``), then ``resolved``
when 编办 accepts the unit's rectification. A run is kept with the lists it compared.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.models import Instance
from kernel import audit
from kernel.errors import Conflict, NotFound
from registry.figures import unit_figures
from registry.models import Finding, Person, ReconciliationRun, StaffList, StaffListRow, Unit
from registry.staff_lists import HR, PAYROLL, SOURCES, latest
from registry.vocabulary import UnitStatus

PAID_NOT_PLACED, PLACED_NOT_PAID, TWO_UNITS, OVER_PAID, HR_MISMATCH = (
    "有薪无编",
    "有编无薪",
    "一人两单位",
    "超编发放",
    "人社名册不符",
)
KINDS = (PAID_NOT_PLACED, PLACED_NOT_PAID, TWO_UNITS, OVER_PAID, HR_MISMATCH)
PAYROLL_KINDS = (PAID_NOT_PLACED, PLACED_NOT_PAID, TWO_UNITS, OVER_PAID)  # rectified on 财政's payroll too
OPEN, RECTIFYING, RESOLVED = "open", "rectifying", "resolved"
STATUS_LABELS = {OPEN: "待整改", RECTIFYING: "整改中", RESOLVED: "已整改销号"}
SELF_FUNDED = "事业编制（自收自支）"  # paid by the unit itself, not by 财政's 统发
PUBLIC_INSTITUTION = "事业单位"  # 人社 keeps the staff list of 事业单位


@dataclass(frozen=True)
class Placed:
    unit_id: int
    name: str
    est_type: str


@dataclass(frozen=True)
class Listed:
    unit_id: int
    name: str


def compare(session: Session, *, period: str, by: str, on: date) -> ReconciliationRun:
    """Compare the month's latest lists with the roster as it stands; the run and its findings."""
    payroll = latest(session, PAYROLL, period)
    if payroll is None:
        raise Conflict("payroll_missing", f"尚未导入{period}的{SOURCES[PAYROLL].title}，不能比对")
    hr = latest(session, HR, period)
    units = {u.id: u for u in session.scalars(select(Unit).where(Unit.status != UnitStatus.CANCELLED))}
    placed = _placed(session, units)
    paid = _listed(session, payroll)
    found: list[Finding] = []
    found += _payroll_findings(placed, paid, units)
    found += _over_paid(session, paid, units)
    if hr is not None:
        found += _hr_findings(placed, _listed(session, hr), units)
    counts = Counter(f.kind for f in found)
    run = ReconciliationRun(
        period=period,
        payroll_list_id=payroll.id,
        hr_list_id=hr.id if hr else None,
        run_by=by,
        run_on=on,
        counts={kind: counts.get(kind, 0) for kind in KINDS},
    )
    session.add(run)
    session.flush()
    for finding in found:
        finding.run_id = run.id
    session.add_all(found)
    session.flush()
    audit.record(
        session,
        actor=by,
        action="reconciliation_run",
        details={"run": run.id, "period": period, "payroll_list": payroll.id, "hr_list": run.hr_list_id, **run.counts},
    )
    return run


def _placed(session: Session, units: dict[int, Unit]) -> dict[str, Placed]:
    rows = session.execute(
        select(Person.id_number, Person.unit_id, Person.name, Person.est_type).where(Person.status == "在编")
    )
    return {n: Placed(u, name, t) for n, u, name, t in rows if u in units}


def _listed(session: Session, staff_list: StaffList) -> dict[str, list[Listed]]:
    rows = session.execute(
        select(StaffListRow.id_number, StaffListRow.unit_id, StaffListRow.name)
        .where(StaffListRow.list_id == staff_list.id)
        .order_by(StaffListRow.line)
    )
    listed: dict[str, list[Listed]] = defaultdict(list)
    for number, unit_id, name in rows:
        listed[number].append(Listed(unit_id, name))
    return listed


def _finding(unit_id: int, kind: str, detail: str, number: str = "", name: str = "") -> Finding:
    return Finding(unit_id=unit_id, kind=kind, id_number=number, name=name, detail=detail[:500], status=OPEN)


def _payroll_findings(
    placed: dict[str, Placed], paid: dict[str, list[Listed]], units: dict[int, Unit]
) -> Iterable[Finding]:
    for number, payers in sorted(paid.items()):
        where = placed.get(number)
        if where is None:
            for payer in payers:
                yield _finding(
                    payer.unit_id, PAID_NOT_PLACED, "财政统发名单中有，实名制中无在编记录", number, payer.name
                )
            continue
        names = "、".join(units[p.unit_id].name for p in payers)
        for payer in payers:
            if payer.unit_id != where.unit_id:
                detail = f"在编于{units[where.unit_id].name}，由{names}发放工资"
                yield _finding(payer.unit_id, TWO_UNITS, detail, number, payer.name)
        if all(p.unit_id != where.unit_id for p in payers):
            detail = f"在{units[where.unit_id].name}在编，工资由{names}发放"
            yield _finding(where.unit_id, TWO_UNITS, detail, number, where.name)
    for number, where in sorted(placed.items()):
        if number not in paid and where.est_type != SELF_FUNDED:
            detail = f"{where.est_type}在编，财政统发名单中无此人"
            yield _finding(where.unit_id, PLACED_NOT_PAID, detail, number, where.name)


def _over_paid(session: Session, paid: dict[str, list[Listed]], units: dict[int, Unit]) -> Iterable[Finding]:
    paying = Counter(p.unit_id for payers in paid.values() for p in {x.unit_id: x for x in payers}.values())
    for unit_id, count in sorted(paying.items()):
        usable = sum(f.usable for f in unit_figures(session, unit_id) if f.est_type != SELF_FUNDED)
        if count > usable:
            detail = f"核定编制（含周转池借用，不含自收自支）{usable}名，财政统发{count}名，超出{count - usable}名"
            yield _finding(unit_id, OVER_PAID, detail)


def _hr_findings(
    placed: dict[str, Placed], listed: dict[str, list[Listed]], units: dict[int, Unit]
) -> Iterable[Finding]:
    for number, entries in sorted(listed.items()):
        where = placed.get(number)
        for entry in entries:
            if where is None or where.unit_id != entry.unit_id:
                elsewhere = f"在编于{units[where.unit_id].name}" if where else "实名制中无在编记录"
                yield _finding(entry.unit_id, HR_MISMATCH, f"人社人员名册中有，{elsewhere}", number, entry.name)
    for number, where in sorted(placed.items()):
        if units[where.unit_id].kind != PUBLIC_INSTITUTION:
            continue
        if all(e.unit_id != where.unit_id for e in listed.get(number, [])):
            yield _finding(where.unit_id, HR_MISMATCH, "在编，人社人员名册中无此人", number, where.name)


# --- reading ------------------------------------------------------------------------------------------


def get_run(session: Session, run_id: int) -> ReconciliationRun:
    run = session.get(ReconciliationRun, run_id)
    if run is None:
        raise NotFound("run_not_found", "比对记录不存在")
    return run


def run_dict(session: Session, run: ReconciliationRun, *, unit_scope: int | None = None) -> dict[str, Any]:
    """The run with its lists and, per unit with findings (only ``unit_scope`` if given), the counts."""
    lists = [session.get(StaffList, i) for i in (run.payroll_list_id, run.hr_list_id) if i is not None]
    query = select(Finding.unit_id, Finding.kind, Finding.status, func.count()).where(Finding.run_id == run.id)
    if unit_scope is not None:
        query = query.where(Finding.unit_id == unit_scope)
    by_unit: dict[int, dict[str, Any]] = {}
    for unit_id, kind, status, n in session.execute(query.group_by(Finding.unit_id, Finding.kind, Finding.status)):
        entry = by_unit.setdefault(unit_id, {"kinds": Counter(), "open": 0, "resolved": 0, "total": 0})
        entry["kinds"][kind] += n
        entry["total"] += n
        entry["resolved" if status == RESOLVED else "open"] += n
    units = {u.id: u for u in session.scalars(select(Unit).where(Unit.id.in_(by_unit)))}
    return {
        "id": run.id,
        "period": run.period,
        "run_by": run.run_by,
        "run_on": run.run_on.isoformat(),
        "counts": dict(run.counts),
        "lists": [_list_brief(x) for x in lists if x is not None],
        "units": [
            {
                "code": units[u].code,
                "name": units[u].name,
                "frozen": units[u].status == UnitStatus.FROZEN,
                "kinds": {k: entry["kinds"].get(k, 0) for k in KINDS},
                "total": entry["total"],
                "open": entry["open"],
                "resolved": entry["resolved"],
            }
            for u, entry in sorted(by_unit.items(), key=lambda item: (-item[1]["total"], units[item[0]].code))
        ],
    }


def _list_brief(staff_list: StaffList) -> dict[str, Any]:
    return {
        "id": staff_list.id,
        "source": staff_list.source,
        "title": SOURCES[staff_list.source].title,
        "file_name": staff_list.file_name,
        "rows": staff_list.rows,
        "sha256": staff_list.sha256,
    }


def runs(session: Session, *, limit: int = 20) -> list[ReconciliationRun]:
    return list(session.scalars(select(ReconciliationRun).order_by(ReconciliationRun.id.desc()).limit(limit)))


def unit_findings(session: Session, run: ReconciliationRun, unit: Unit) -> dict[str, Any]:
    """One unit's findings of a run, with the figures they come from."""
    paid = session.scalar(
        select(func.count(func.distinct(StaffListRow.id_number))).where(
            StaffListRow.list_id == run.payroll_list_id, StaffListRow.unit_id == unit.id
        )
    )
    listed = None
    if run.hr_list_id is not None:
        listed = session.scalar(
            select(func.count(func.distinct(StaffListRow.id_number))).where(
                StaffListRow.list_id == run.hr_list_id, StaffListRow.unit_id == unit.id
            )
        )
    figures = unit_figures(session, unit.id)
    findings = session.scalars(
        select(Finding).where(Finding.run_id == run.id, Finding.unit_id == unit.id).order_by(Finding.id)
    )
    return {
        "run": {"id": run.id, "period": run.period, "run_on": run.run_on.isoformat()},
        "unit": {
            "code": unit.code,
            "name": unit.name,
            "status": unit.status,
            "frozen": unit.status == UnitStatus.FROZEN,
        },
        "figures": {
            "approved": sum(f.approved for f in figures),
            "lent": sum(f.lent for f in figures),
            "actual": sum(f.actual for f in figures),
            "paid": int(paid or 0),
            "hr_listed": None if listed is None else int(listed),
            "by_type": [f.as_dict() for f in figures if f.approved or f.actual],
        },
        "findings": [finding_dict(f) for f in findings],
    }


def finding_dict(finding: Finding) -> dict[str, Any]:
    return {
        "id": finding.id,
        "kind": finding.kind,
        "id_number": finding.id_number,
        "name": finding.name,
        "detail": finding.detail,
        "status": finding.status,
        "status_label": STATUS_LABELS[finding.status],
        "instance_id": finding.instance_id,
        "resolved_on": finding.resolved_on.isoformat() if finding.resolved_on else None,
        "resolution": finding.resolution,
    }


# --- 整改 -------------------------------------------------------------------------------------------

Opener = Callable[[Session, str, dict[str, Any]], str]
"""Opens the 整改 matter for a unit (its code) with the finding's facts; the matter's id."""


def open_rectifications(session: Session, run: ReconciliationRun, open_matter: Opener, *, by: str) -> list[str]:
    """A 整改 matter for every open finding of the run (each once: a finding with one is skipped)."""
    findings = list(
        session.scalars(
            select(Finding)
            .where(Finding.run_id == run.id, Finding.status == OPEN)
            .order_by(Finding.id)
            .with_for_update()
        )
    )
    units = {u.id: u for u in session.scalars(select(Unit).where(Unit.id.in_({f.unit_id for f in findings})))}
    opened = []
    for finding in findings:
        unit = units[finding.unit_id]
        facts = {**finding_dict(finding), "period": run.period, "run_id": run.id, "unit_name": unit.name}
        finding.instance_id = open_matter(session, unit.code, {"finding": facts})
        finding.status = RECTIFYING
        opened.append(finding.instance_id)
    session.flush()
    audit.record(session, actor=by, action="reconciliation_rectify", details={"run": run.id, "opened": len(opened)})
    return opened


def reopen_for_matter(session: Session, instance: Instance) -> None:
    """Engine end hook: a 整改 matter that ended without closing its finding (withdrawn or
    terminated) gives the finding back as 待整改, for 编办 to send out again."""
    finding = session.scalars(
        select(Finding).where(Finding.instance_id == instance.id, Finding.status == RECTIFYING)
    ).first()
    if finding is not None:
        finding.status, finding.instance_id = OPEN, None


def resolve(session: Session, finding_id: int, *, instance_id: str, on: date, resolution: str) -> dict[str, Any]:
    """编办 accepted the unit's rectification of the finding its matter was opened for."""
    finding = session.get(Finding, finding_id, with_for_update=True)
    if finding is None or finding.instance_id != instance_id:
        raise LookupError("整改事项对应的比对问题不存在")
    finding.status, finding.resolved_on, finding.resolution = RESOLVED, on, resolution[:1000]
    session.flush()
    return {"done": True, "message": f"{finding.kind}（{finding.name or '单位'}）已整改销号", **finding_dict(finding)}

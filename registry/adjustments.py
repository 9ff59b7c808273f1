"""编制调整: 核增, 核减 and 划转 of a unit's approved places, and loans of the region's 周转池.

One function says what is wrong with an application against the register (``problems``: the
form's check, the figures 编办 sees, and the re-check when 编委's decision is carried out); one
carries it out (``carry_out``) under the region's and the units' locks, in the step's
transaction. Places and persons are conserved: a 划转 takes from one unit what it gives the
other, and the persons named move with their places (as 非领导: a leadership post stays with the
unit left); the region's total is never exceeded.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from forms.identifiers import check_ric
from registry import totals
from registry.figures import type_figures
from registry.models import Person, PoolLoan, Quota, Unit
from registry.reservations import lock_unit
from registry.staff import record_history
from registry.vocabulary import UnitStatus

INCREASE, DECREASE, MOVE, BORROW, GIVE_BACK = "核增", "核减", "划转", "周转池借用", "周转池归还"
KINDS = (INCREASE, DECREASE, MOVE, BORROW, GIVE_BACK)
IN_PLACE = "在编"
NON_LEADER = "非领导"
OUT_EVENT, IN_EVENT = "划出", "划入"  # the history lines of a person moving with a 划转


@dataclass
class Problems:
    """What is wrong, by form field ("" for the application as a whole)."""

    found: list[tuple[str, str]] = field(default_factory=list)

    def add(self, path: str, message: str) -> None:
        self.found.append((path, message))

    def __bool__(self) -> bool:
        return bool(self.found)

    @property
    def message(self) -> str:
        return "；".join(m for _, m in self.found)


def target_unit(session: Session, app: Mapping[str, Any]) -> Unit | None:
    name = str(app.get("to_unit") or "").strip()
    return session.scalars(select(Unit).where(Unit.name == name)).first() if name else None


def loan_of(session: Session, app: Mapping[str, Any]) -> PoolLoan | None:
    number = str(app.get("loan_number") or "").strip()
    return session.scalars(select(PoolLoan).where(PoolLoan.number == number)).first() if number else None


def problems(session: Session, unit: Unit, app: Mapping[str, Any]) -> Problems:
    """Everything that stops the application now; empty when it can be carried out as it stands."""
    found = Problems()
    kind = app.get("kind")
    if kind == GIVE_BACK:
        _check_give_back(session, unit, app, found)
        return found
    est_type, places = app.get("est_type"), app.get("places")
    if not est_type:
        found.add("/est_type", "请选择编制类型")
    if not places:
        found.add("/places", "请填写调整名额")
    if found:
        return found
    assert isinstance(est_type, str) and isinstance(places, int)
    figures = type_figures(session, unit.id, est_type)
    if kind == INCREASE:
        for message in totals.shortfall(session, unit.region_code, {est_type: places}):
            found.add("/places", message)
    elif kind in (DECREASE, MOVE):
        moving = _check_persons(session, unit, est_type, places, app, found) if kind == MOVE else 0
        if kind == MOVE:
            _check_target(session, unit, app, found)
        occupied = figures.actual - moving + figures.reserved
        if places > figures.approved:
            found.add("/places", f"{est_type}核定{figures.approved}名，不能{kind}{places}名")
        elif figures.usable - places < occupied:
            found.add(
                "/places",
                f"{kind}{places}名后{est_type}核定{figures.approved - places}名"
                f"{f'（另借用周转池{figures.lent}名）' if figures.lent else ''}，"
                f"少于实有{figures.actual - moving}名与已预留{figures.reserved}名之和",
            )
    elif kind == BORROW:
        months = app.get("months")
        if not months:
            found.add("/months", "请填写借用期限（月）")
        region = totals.figures_of(session, unit.region_code, est_type)
        if region is None or region.pool <= 0:
            found.add("/est_type", f"本地区未设{est_type}周转池")
        elif places > region.pool_free:
            found.add("/places", f"{est_type}周转池{region.pool}名，已借出{region.lent}名，可借{region.pool_free}名")
    return found


def _check_target(session: Session, unit: Unit, app: Mapping[str, Any], found: Problems) -> None:
    refusal = receiving_refusal(unit, target_unit(session, app), app, role="划入单位", doing="划转")
    if refusal:
        found.add("/to_unit", refusal)


def receiving_refusal(unit: Unit, target: Unit | None, app: Mapping[str, Any], *, role: str, doing: str) -> str | None:
    """Why ``target`` (the application's ``to_unit``) may not receive ``unit``'s places; None when it may."""
    if target is None:
        named = str(app.get("to_unit") or "").strip()
        return f"登记簿中没有名为“{named}”的单位" if named else f"请填写{role}（全称）"
    if target.id == unit.id:
        return f"{role}不能是本单位"
    if target.region_code != unit.region_code:
        return f"{target.name}不在本地区，跨地区{doing}须报上级机构编制部门"
    if target.status != UnitStatus.ACTIVE:
        return f"{target.name}已撤销或冻结，不能接收编制"
    return None


def _check_persons(
    session: Session, unit: Unit, est_type: str, places: int, app: Mapping[str, Any], found: Problems
) -> int:
    persons = list(app.get("persons") or [])
    if len(persons) > places:
        found.add("/persons", f"随编制划转的人员{len(persons)}名，多于划转名额{places}名")
    seen: set[str] = set()
    for i, entry in enumerate(persons):
        number = check_ric(str(entry.get("id_number", ""))).normalized or str(entry.get("id_number", ""))
        person = _in_place(session, unit, number)
        if number in seen:
            found.add(f"/persons/{i}/id_number", f"身份证号码{number}重复填写")
        elif person is None:
            found.add(f"/persons/{i}/id_number", f"{entry.get('name', '')}不是本单位在编人员")
        elif person.est_type != est_type:
            found.add(f"/persons/{i}/id_number", f"{person.name}占用的是{person.est_type}，不是{est_type}")
        seen.add(number)
    return len(persons)


def _check_give_back(session: Session, unit: Unit, app: Mapping[str, Any], found: Problems) -> None:
    loan = loan_of(session, app)
    if loan is None or loan.unit_id != unit.id:
        found.add("/loan_number", f"本单位没有周转池借用“{app.get('loan_number') or ''}”")
        return
    refusal = totals.give_back_refusal(session, loan)
    if refusal:
        found.add("/loan_number", refusal)


def _in_place(session: Session, unit: Unit, id_number: str) -> Person | None:
    return session.scalars(
        select(Person).where(Person.unit_id == unit.id, Person.id_number == id_number, Person.status == IN_PLACE)
    ).first()


def summary(session: Session, unit: Unit, app: Mapping[str, Any]) -> dict[str, Any]:
    """The figures 编办 and 编委 decide on: the unit's (and the receiving unit's) and the region's."""
    kind = app.get("kind")
    loan = loan_of(session, app) if kind == GIVE_BACK else None
    est_type = loan.est_type if loan else str(app.get("est_type") or "")
    lines = [f"{unit.name}：{_unit_line(session, unit, est_type)}"]
    target = target_unit(session, app) if kind == MOVE else None
    if target is not None:
        lines.append(f"{target.name}：{_unit_line(session, target, est_type)}")
    region = totals.figures_of(session, unit.region_code, est_type)
    lines.append(f"本地区：{totals.describe(region)}" if region else f"本地区尚未核定{est_type}总量")
    return {"kind": kind, "est_type": est_type, "unit_kind": unit.kind, "figures": lines}


def _unit_line(session: Session, unit: Unit, est_type: str) -> str:
    f = type_figures(session, unit.id, est_type)
    lent = f"，周转池借用{f.lent}名" if f.lent else ""
    return f"{est_type}核定{f.approved}名{lent}，实有{f.actual}名，已预留{f.reserved}名，空缺{max(f.vacancy, 0)}名"


def carry_out(
    session: Session, unit: Unit, app: Mapping[str, Any], *, instance_id: str, basis: str, on: date, by: str
) -> dict[str, Any]:
    """编委's decision carried out, all of it or (with ``done`` False and the reason) none of it."""
    totals.lock_region(session, unit.region_code)
    kind = app["kind"]
    target = target_unit(session, app) if kind == MOVE else None
    for unit_id in sorted({unit.id, *([target.id] if target else [])}):
        lock_unit(session, unit_id)
    found = problems(session, unit, app)
    if found:
        return {"done": False, "message": found.message}
    if kind == GIVE_BACK:
        loan = loan_of(session, app)
        assert loan is not None
        totals.give_back(session, loan, on=on)
        return {"done": True, "message": f"{unit.name}已归还周转池借用{loan.number}（{loan.est_type}{loan.places}名）"}
    est_type, places = str(app["est_type"]), int(app["places"])
    if kind == BORROW:
        loan = totals.lend(
            session, unit=unit, est_type=est_type, places=places, months=int(app["months"]), instance_id=instance_id
        )
        return {
            "done": True,
            "loan_number": loan.number,
            "due_on": loan.due_on.isoformat(),
            "message": f"{unit.name}借用{est_type}周转池{places}名（{loan.number}），{loan.due_on.isoformat()}前归还",
        }
    if kind == INCREASE:
        add_places(session, unit, est_type, places)
        message = f"{unit.name}核增{est_type}{places}名"
    elif kind == DECREASE:
        add_places(session, unit, est_type, -places)
        message = f"{unit.name}核减{est_type}{places}名"
    else:
        assert target is not None
        add_places(session, unit, est_type, -places)
        add_places(session, target, est_type, places)
        persons = app.get("persons") or []
        moved = [_move(session, unit, target, str(p["id_number"]), basis=basis, on=on, by=by) for p in persons]
        with_persons = f"，{'、'.join(moved)}随编制划转" if moved else ""
        message = f"{unit.name}{est_type}{places}名划转至{target.name}{with_persons}"
    totals.ensure_within(session, unit.region_code)
    return {"done": True, "message": message}


def add_places(session: Session, unit: Unit, est_type: str, places: int) -> None:
    quota = session.get(Quota, (unit.id, est_type))
    if quota is None:
        session.add(Quota(unit_id=unit.id, est_type=est_type, approved=places))
    else:
        quota.approved += places
    session.flush()


def _move(session: Session, unit: Unit, target: Unit, id_number: str, *, basis: str, on: date, by: str) -> str:
    number = check_ric(id_number).normalized or id_number
    person = _in_place(session, unit, number)
    assert person is not None  # checked under the same locks
    move_person(session, person, target, doc_no=basis, on=on, by=by)
    return person.name


def move_person(session: Session, person: Person, target: Unit, *, doc_no: str, on: date, by: str) -> None:
    """A person in place moves with their place: written off at one unit and on at the other, one
    history line each, as 非领导 (a leadership post held at the unit left does not move: an
    appointment there is a 任免 matter)."""
    record_history(session, person, event=OUT_EVENT, on=on, doc_no=doc_no, by=by)
    person.unit_id, person.internal_unit, person.category, person.rank = target.id, "", NON_LEADER, ""
    session.flush()
    record_history(session, person, event=IN_EVENT, on=on, doc_no=doc_no, by=by)

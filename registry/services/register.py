"""Reading the establishment register: units with their derived figures, and staff.

Who sees what (personal data is shown on a need-to-know basis):

* administrators and the establishment office (编办, which keeps the register)
  see every unit; an approver of another department sees the units that
  applied for a matter in which the department has a step; a unit's clerk
  sees the unit;
* ID numbers in full only for those who handle entries and exits (编办, 人社局,
  administrators) and for the unit's own clerk; everyone else sees
  ``110105********0021``;
* every read of a unit's staff list is an audit event (on the reader's chain).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.context import EngineContext
from engine.models import Instance, Task
from kernel import audit, clock
from kernel.actors import APPROVER, Actor
from kernel.errors import Forbidden, NotFound
from registry import totals
from registry.figures import leadership_figures, unit_figures
from registry.legal_persons import format_fund
from registry.models import LegalPerson, Person, Unit
from registry.reservations import notices_of
from registry.unit_lifecycle import events_of
from registry.vocabulary import UNIT_STATUSES

REGISTER_KEEPERS = frozenset({"bianban"})
FULL_ID_DEPARTMENTS = frozenset({"bianban", "renshe"})


def _scope(actor: Actor) -> Any:
    """None: the whole register. Otherwise the condition on ``Unit`` this actor may read."""
    if actor.is_admin or (APPROVER in actor.roles and actor.departments & REGISTER_KEEPERS):
        return None
    if APPROVER in actor.roles and actor.departments:
        dealt_with = (
            select(Instance.unit_code)
            .join(Task, Task.instance_id == Instance.id)
            .where(Task.department.in_(sorted(actor.departments)), Instance.unit_code.is_not(None))
        )
        return Unit.code.in_(dealt_with)
    if actor.is_applicant:
        return Unit.code == actor.unit_code
    raise Forbidden("register_forbidden", "无权查看机构编制台账")


def sees_full_id_numbers(actor: Actor, unit_code: str) -> bool:
    if actor.is_admin or (APPROVER in actor.roles and actor.departments & FULL_ID_DEPARTMENTS):
        return True
    return actor.is_applicant and actor.unit_code == unit_code


def masked(id_number: str) -> str:
    """``110105********0021``: the region and the last four, enough to tell two persons apart."""
    return id_number[:6] + "*" * max(len(id_number) - 10, 0) + id_number[-4:] if len(id_number) > 10 else "****"


def _unit(session: Session, actor: Actor, code: str) -> Unit:
    query = select(Unit).where(Unit.code == code)
    scope = _scope(actor)
    if scope is not None:
        query = query.where(scope)
    unit = session.scalars(query).first()
    if unit is None:
        raise NotFound("unit_not_found", "单位不存在或无权查看")
    return unit


def _summary(unit: Unit) -> dict[str, Any]:
    return {
        "code": unit.code,
        "name": unit.name,
        "kind": unit.kind,
        "region_code": unit.region_code,
        "credit_code": unit.credit_code,
        "funding_form": unit.funding_form,
        "status": unit.status,
        "status_label": UNIT_STATUSES.get(unit.status, unit.status),
    }


def list_units(ctx: EngineContext, actor: Actor) -> list[dict[str, Any]]:
    with ctx.reading() as session:
        query = select(Unit).order_by(Unit.code)
        scope = _scope(actor)
        if scope is not None:
            query = query.where(scope)
        return [
            {**_summary(u), "figures": [f.as_dict() for f in unit_figures(session, u.id)]}
            for u in session.scalars(query)
        ]


def get_unit(ctx: EngineContext, actor: Actor, code: str) -> dict[str, Any]:
    with ctx.reading() as session:
        unit = _unit(session, actor, code)
        return {
            **_summary(unit),
            "figures": [f.as_dict() for f in unit_figures(session, unit.id)],
            "leadership": [f.as_dict() for f in leadership_figures(session, unit.id)],
            "notices": notices_of(session, unit.id),
            "events": events_of(session, unit.id),
            "legal_person": _legal_person(session, unit.id),
            "loans": [
                totals.loan_dict(loan, unit.name, clock.today()) for loan in totals.loans_of(session, unit_id=unit.id)
            ],
        }


def _legal_person(session: Session, unit_id: int) -> dict[str, Any] | None:
    """A 事业单位's registered items (法人登记), if it was registered through the platform."""
    found = session.get(LegalPerson, unit_id)
    if found is None:
        return None
    return {
        "representative": found.representative,
        "address": found.address,
        "purpose": found.purpose,
        "start_fund": format_fund(found.start_fund),
        "sponsor": found.sponsor,
        "registered_on": found.registered_on.isoformat(),
        "valid_until": found.valid_until.isoformat(),
        "cancelled_on": found.cancelled_on.isoformat() if found.cancelled_on else None,
    }


def list_persons(ctx: EngineContext, actor: Actor, code: str, *, limit: int = 100, offset: int = 0) -> dict[str, Any]:
    """A unit's staff; the read is audited (who, which unit, which page, whether ID numbers were shown)."""
    with ctx.transaction() as session:
        unit = _unit(session, actor, code)
        where = (Person.unit_id == unit.id, Person.status == "在编")
        total = session.scalar(select(func.count()).select_from(Person).where(*where)) or 0
        persons = list(session.scalars(select(Person).where(*where).order_by(Person.id).limit(limit).offset(offset)))
        full = sees_full_id_numbers(actor, unit.code)
        audit.access(
            session,
            actor=actor.username,
            action="register_persons_read",
            details={"unit_code": unit.code, "offset": offset, "shown": len(persons), "id_numbers": full},
        )
        return {
            "total": total,
            "id_numbers_masked": not full,
            "items": [
                {
                    "name": p.name,
                    "sex": p.sex,
                    "id_number": p.id_number if full else masked(p.id_number),
                    "birth_date": p.birth_date.isoformat(),
                    "category": p.category,
                    "est_type": p.est_type,
                    "internal_unit": p.internal_unit,
                    "entry_date": p.entry_date.isoformat() if p.entry_date else None,
                }
                for p in persons
            ],
        }


def unit_names(ctx: EngineContext, codes: set[str]) -> dict[str, str]:
    """The names of the units behind matters the caller already sees (lists show who applied)."""
    wanted = {c for c in codes if c}
    if not wanted:
        return {}
    with ctx.reading() as session:
        return dict(session.execute(select(Unit.code, Unit.name).where(Unit.code.in_(wanted))).tuples().all())


def units_named(ctx: EngineContext, text: str, *, limit: int = 50) -> tuple[str, ...]:
    """The codes of units whose name or short name contains ``text`` (a list searched by applicant)."""
    word = text.strip()
    if not word:
        return ()
    with ctx.reading() as session:
        found = session.scalars(
            select(Unit.code)
            .where(Unit.name.contains(word, autoescape=True) | Unit.short_name.contains(word, autoescape=True))
            .limit(limit)
        )
        return tuple(found)

"""Reading the establishment register: units with their derived figures, and staff."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.actors import ADMIN, APPROVER, Actor
from engine.context import EngineContext
from engine.errors import Forbidden, NotFound
from registry.figures import leadership_figures, unit_figures
from registry.models import Person, Unit
from registry.reservations import notices_of
from registry.unit_lifecycle import events_of
from registry.vocabulary import UNIT_STATUSES


def _scope(actor: Actor) -> Any:
    """Admins and approvers read the whole register; an applicant only its own unit."""
    if actor.roles & {ADMIN, APPROVER}:
        return None
    if actor.is_applicant:
        return Unit.code == actor.unit_code
    raise Forbidden("register_forbidden", "无权查看机构编制台账")


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
        }


def list_persons(ctx: EngineContext, actor: Actor, code: str, *, limit: int = 100, offset: int = 0) -> dict[str, Any]:
    with ctx.reading() as session:
        unit = _unit(session, actor, code)
        where = (Person.unit_id == unit.id, Person.status == "在编")
        total = session.scalar(select(func.count()).select_from(Person).where(*where)) or 0
        persons = session.scalars(select(Person).where(*where).order_by(Person.id).limit(limit).offset(offset))
        return {
            "total": total,
            "items": [
                {
                    "name": p.name,
                    "sex": p.sex,
                    "id_number": p.id_number,
                    "birth_date": p.birth_date.isoformat(),
                    "category": p.category,
                    "est_type": p.est_type,
                    "internal_unit": p.internal_unit,
                    "entry_date": p.entry_date.isoformat() if p.entry_date else None,
                }
                for p in persons
            ],
        }

"""领导职务任免 on the register: an appointment makes a person in place a leader of one level
(人员分类 领导正职/领导副职, with the post's name as 职务) within the approved 领导职数; a removal
makes them 非领导 and frees the post. Both under the unit's lock, with one history line each.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from forms.identifiers import check_ric
from registry.figures import LEADER_CATEGORY, leadership_figures, posts_problems
from registry.models import Person, Unit
from registry.reservations import lock_unit
from registry.staff import record_history

APPOINT, REMOVE = "appoint", "remove"
APPOINTED, REMOVED = "任职", "免职"  # history events
NON_LEADER = "非领导"


@dataclass(frozen=True)
class Outcome:
    done: bool
    message: str
    figures: list[dict[str, object]]

    def as_dict(self) -> dict[str, object]:
        return {"done": self.done, "message": self.message, "figures": self.figures}


def person_in_place(session: Session, unit: Unit, id_number: str) -> Person | None:
    number = check_ric(id_number).normalized
    if number is None:
        return None
    return session.scalars(
        select(Person).where(Person.id_number == number, Person.unit_id == unit.id, Person.status == "在编")
    ).first()


def posts_for(session: Session, unit: Unit, level: str) -> tuple[list[str], list[dict[str, object]]]:
    """Why one more leader of ``level`` does not fit (empty when it does), and the figures by level."""
    figures = leadership_figures(session, unit.id)
    return posts_problems(figures, {level: 1}), [f.as_dict() for f in figures]


def appoint(session: Session, unit: Unit, *, id_number: str, level: str, position: str, on: date, by: str) -> Outcome:
    """Appoint within the posts still free (approved − held − held on open notices), checked under the lock."""
    lock_unit(session, unit.id)
    person = person_in_place(session, unit, id_number)
    if person is None:
        raise ValueError(f"{unit.name}没有在编人员{id_number}")
    problems, figures = posts_for(session, unit, level)
    if problems:
        return Outcome(False, "超出核定领导职数：" + "；".join(problems), figures)
    person.category, person.rank = LEADER_CATEGORY[level], position[:50]
    record_history(session, person, event=APPOINTED, on=on, by=by)
    session.flush()
    return Outcome(
        True, f"已任命{person.name}为{position}（{level}）", [f.as_dict() for f in leadership_figures(session, unit.id)]
    )


def remove(session: Session, unit: Unit, *, id_number: str, on: date, by: str) -> Outcome:
    """Remove from a leadership post: the person stays in place as 非领导 and the post is free again."""
    lock_unit(session, unit.id)
    person = person_in_place(session, unit, id_number)
    if person is None:
        raise ValueError(f"{unit.name}没有在编人员{id_number}")
    if person.category not in LEADER_CATEGORY.values():
        return Outcome(False, f"{person.name}未担任领导职务，无需免职", [])
    position = person.rank or person.category
    person.category, person.rank = NON_LEADER, ""
    record_history(session, person, event=REMOVED, on=on, by=by)
    session.flush()
    figures = [f.as_dict() for f in leadership_figures(session, unit.id)]
    return Outcome(True, f"已免去{person.name}的{position}职务", figures)

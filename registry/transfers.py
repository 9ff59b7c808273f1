"""人员调动 (人编同调): a person in place moves to another unit of the region, onto a place of the
same establishment type that a 核准使用编制通知单 reserved at the receiving unit.

The write-off at the unit left and the entry at the unit joined are one change of the same
person row, in the caller's transaction, under both units' locks: the person is never in two
places and never in none, the unit left gains a vacancy and the receiving unit's reserved place
becomes an actual one. Both history lines cite the same notice (one 文号 basis).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from forms.identifiers import check_ric
from registry import notices
from registry.models import Person, Reservation, Unit
from registry.reservations import lock_unit
from registry.staff import record_history

IN_PLACE = "在编"
OUT_EVENT, IN_EVENT = "调出", "调入"  # the two history lines of one transfer
ENTRY_FORM = "调入"


@dataclass(frozen=True)
class Placed:
    """Where a person in place stands now, as the transfer's form and steps need it."""

    person_id: int
    id_number: str
    name: str
    unit_code: str
    unit_name: str
    unit_kind: str
    est_type: str
    category: str

    def as_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "unit_code": self.unit_code,
            "unit_name": self.unit_name,
            "unit_kind": self.unit_kind,
            "est_type": self.est_type,
            "category": self.category,
        }


def placed(session: Session, id_number: str) -> Placed | None:
    """The unit and place of the person with this ID number, if they are in place (一人一编: one at most)."""
    number = check_ric(id_number).normalized
    if number is None:
        return None
    row = session.execute(
        select(Person, Unit)
        .join(Unit, Unit.id == Person.unit_id)
        .where(Person.id_number == number, Person.status == IN_PLACE)
    ).first()
    if row is None:
        return None
    person, unit = row
    return Placed(
        person.id, person.id_number, person.name, unit.code, unit.name, unit.kind, person.est_type, person.category
    )


def transfer(
    session: Session, *, id_number: str, to_unit: Unit, notice_number: str, category: str, on: date, by: str
) -> dict[str, object]:
    """Move the person onto the notice's place at ``to_unit``; raise (an incident) if the register
    changed so that the move no longer holds (the person left, the notice ended)."""
    where = placed(session, id_number)
    if where is None:
        raise ValueError(f"身份证号码为{id_number}的人员已不在编，不能调动")
    if where.unit_code == to_unit.code:
        raise ValueError(f"{where.name}已在{to_unit.name}在编")
    from_unit = session.scalars(select(Unit).where(Unit.code == where.unit_code)).one()
    for unit_id in sorted((from_unit.id, to_unit.id)):  # both units, always in the same order
        lock_unit(session, unit_id)
    notice = session.scalars(select(Reservation).where(Reservation.number == notice_number)).one()
    if notice.unit_id != to_unit.id or notice.est_type != where.est_type:
        raise ValueError(f"核准使用编制通知单{notice.number}不是{to_unit.name}的{where.est_type}")
    notices.use(notice, 1, on)
    person = session.get(Person, where.person_id)
    assert person is not None
    record_history(session, person, event=OUT_EVENT, on=on, doc_no=notice.number, by=by)
    person.unit_id, person.category, person.internal_unit = to_unit.id, category, ""
    person.entry_form, person.entry_date, person.notice_no = ENTRY_FORM, on, notice.number
    session.flush()
    record_history(session, person, event=IN_EVENT, on=on, doc_no=notice.number, by=by)
    return {
        "name": person.name,
        "id_number": person.id_number,
        "est_type": person.est_type,
        "category": category,
        "from_unit": from_unit.name,
        "to_unit": to_unit.name,
        "on": on.isoformat(),
        "notice": notice.number,
    }

"""What happens to a person's place is written down once, the same way everywhere."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from registry.models import Person, PersonHistory


def record_history(session: Session, person: Person, *, event: str, on: date, by: str, doc_no: str = "") -> None:
    """One history line (入编, 出编, 导入) for the person's current unit and establishment type."""
    session.add(
        PersonHistory(
            person_id=person.id,
            event=event,
            unit_id=person.unit_id,
            est_type=person.est_type,
            on=on,
            doc_no=doc_no,
            recorded_by=by,
        )
    )

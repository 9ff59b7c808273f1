"""Gap-free numbering (通知单编号, 文号): one counter row per name and year.

The row is created if missing (insert-or-ignore, so two first users do not
collide) and then locked for the rest of the transaction: numbers are
handed out in commit order with no gaps, and a rolled-back transaction
gives its number back.
"""

from __future__ import annotations

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, Session, mapped_column

from kernel.db import Base, locked_row


class Sequence(Base):
    __tablename__ = "sequences"

    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


def next_number(session: Session, name: str, year: int) -> int:
    row = locked_row(session, Sequence, name=name, year=year, last=0)
    row.last += 1
    session.flush()
    return row.last

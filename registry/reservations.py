"""Vacancy checks and 核准使用编制通知单 (reservations of places).

A check is made and places are reserved under a lock on the unit's row, so
concurrent requests of one unit queue and can never over-allocate. The
refusal explains itself with the figures: an over-staffed unit hires none, a
full unit hires one-out-one-in (一出一进), otherwise at most the vacancy.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from kernel.calendar import add_months
from kernel.errors import Conflict, NotFound
from kernel.sequences import next_number
from registry.figures import OVER, TypeFigures, leadership_figures, posts_problems, type_figures
from registry.models import Reservation, Unit
from registry.notices import DEFAULT_VALIDITY_MONTHS, STATUS_TEXT


@dataclass(frozen=True)
class VacancyDecision:
    allowed: bool
    figures: TypeFigures
    message: str

    def as_dict(self) -> dict[str, object]:
        return {"allowed": self.allowed, "message": self.message, "figures": self.figures.as_dict()}


def lock_unit(session: Session, unit_id: int) -> Unit:
    unit = session.scalars(
        select(Unit).where(Unit.id == unit_id).with_for_update().execution_options(populate_existing=True)
    ).first()
    if unit is None:
        raise NotFound("unit_not_found", "单位不存在")
    return unit


def check_vacancy(session: Session, unit_id: int, est_type: str, places: int) -> VacancyDecision:
    figures = type_figures(session, unit_id, est_type)
    shown = (
        f"核定{figures.approved}名，{f'周转池借用{figures.lent}名，' if figures.lent else ''}"
        f"实有{figures.actual}名，已预留{figures.reserved}名，空缺{max(figures.vacancy, 0)}名"
    )
    if figures.state == OVER:
        return VacancyDecision(False, figures, f"{est_type}已超编（{shown}），不得进人")
    if figures.vacancy <= 0:
        return VacancyDecision(False, figures, f"{est_type}已满编（{shown}），须按“出一进一”办理")
    if places > figures.vacancy:
        return VacancyDecision(False, figures, f"{est_type}空缺不足（{shown}），本次申请{places}名")
    return VacancyDecision(True, figures, f"{est_type}有空缺（{shown}），可使用{places}名")


def reserve(
    session: Session,
    *,
    unit_id: int,
    est_type: str,
    places: int,
    instance_id: str | None,
    on: date,
    posts: dict[str, int] | None = None,
    validity_months: int = DEFAULT_VALIDITY_MONTHS,
) -> Reservation:
    """Issue a numbered notice reserving ``places`` of ``est_type`` (and the
    leadership ``posts`` among them, by level), or refuse with the figures.

    Both caps are checked under the unit's lock, posts first: a notice is
    never issued for a hire the approved 领导职数 cannot take.
    """
    lock_unit(session, unit_id)
    wanted = {"正职": 0, "副职": 0, **(posts or {})}
    problems = posts_problems(leadership_figures(session, unit_id), wanted)
    if problems:
        raise Conflict("posts_exceeded", "超出核定领导职数：" + "；".join(problems))
    decision = check_vacancy(session, unit_id, est_type, places)
    if not decision.allowed:
        raise Conflict("no_vacancy", decision.message, decision.as_dict())
    number = next_number(session, "reservation", on.year)
    reservation = Reservation(
        number=f"编核〔{on.year}〕{number}号",
        unit_id=unit_id,
        est_type=est_type,
        places=places,
        principal_posts=wanted["正职"],
        deputy_posts=wanted["副职"],
        instance_id=instance_id,
        issued_on=on,
        expires_on=add_months(on, validity_months),
    )
    session.add(reservation)
    session.flush()
    return reservation


def notices_of(session: Session, unit_id: int, *, limit: int = 50) -> list[dict[str, object]]:
    """A unit's notices, open ones first, for the register and the approver."""
    rows = session.scalars(
        select(Reservation)
        .where(Reservation.unit_id == unit_id)
        .order_by(Reservation.status != "issued", Reservation.id.desc())
        .limit(limit)
    )
    return [
        {
            "number": n.number,
            "est_type": n.est_type,
            "places": n.places,
            "used": n.used,
            "posts": {"正职": n.principal_posts, "副职": n.deputy_posts},
            "status": n.status,
            "status_text": STATUS_TEXT.get(n.status, n.status),
            "issued_on": n.issued_on.isoformat() if n.issued_on else None,
            "expires_on": n.expires_on.isoformat() if n.expires_on else None,
            "ended_on": n.ended_on.isoformat() if n.ended_on else None,
            "end_reason": n.end_reason,
            "instance_id": n.instance_id,
        }
        for n in rows
    ]

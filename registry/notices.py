"""The life of a 核准使用编制通知单 (DOMAIN.md): issued, then ended exactly once.

- used: the 入编 it was issued for placed its persons;
- released: its matter ended without the hire, at whatever step (不予批准,
  未录用, 超出领导职数, withdrawn, cancelled by an administrator);
- expired: its validity (default six months) passed unused; the daily job
  ends it and tells the unit.

Only issued notices hold places, so the reserved figure is always the places
of open notices, and a place comes back the moment its notice ends.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import Instance
from engine.notifications import add_notification_once
from engine.vocabulary import InstanceStatus
from kernel import clock, outbox
from kernel.records import OutboxMessage
from registry.models import Reservation, Unit

ISSUED, USED, RELEASED, EXPIRED = "issued", "used", "released", "expired"
PLAN = "plan"  # a notice held for a 用编计划's later 入编 (else "hire": its own matter's 入编)
ENDED = (USED, RELEASED, EXPIRED)
STATUS_TEXT = {ISSUED: "有效（预留中）", USED: "已使用", RELEASED: "已释放", EXPIRED: "已过期"}
DEFAULT_VALIDITY_MONTHS = 6

# Why a matter ended without the hire, by its final status.
RELEASE_REASONS: dict[str, str] = {
    InstanceStatus.REJECTED: "事项未通过",
    InstanceStatus.WITHDRAWN: "申请单位撤回",
    InstanceStatus.CANCELLED: "管理员终止事项",
    InstanceStatus.COMPLETED: "事项办结，余额释放",
}


def end(notice: Reservation, status: str, reason: str, on: date) -> None:
    """End an open notice; a notice that has ended is never ended again."""
    if status not in ENDED:
        raise ValueError(f"unknown end of a notice: {status}")
    if notice.status != ISSUED:
        raise ValueError(f"核准使用编制通知单{notice.number}已{STATUS_TEXT.get(notice.status, notice.status)}")
    notice.status, notice.end_reason, notice.ended_on = status, reason[:100], on


def use(notice: Reservation, persons: int, on: date) -> None:
    """A 入编 places ``persons`` on the notice; the notice ends as used when its places are all taken."""
    if notice.status != ISSUED:
        state = STATUS_TEXT.get(notice.status, notice.status)
        raise ValueError(f"核准使用编制通知单{notice.number}已{state}，不能用于入编")
    if notice.expires_on is not None and notice.expires_on < on:
        raise ValueError(f"核准使用编制通知单{notice.number}已于{notice.expires_on.isoformat()}到期")
    if notice.used + persons > notice.places:
        raise ValueError(f"核准使用编制通知单{notice.number}只核准{notice.places}名，已使用{notice.used}名")
    notice.used += persons
    if notice.used == notice.places:
        end(notice, USED, "已入编", on)


def release_for_matter(session: Session, instance: Instance) -> None:
    """Engine end hook: the matter has ended, so its open notices end too.

    A notice that was partly used is recorded as used (its persons are in
    place); one never used is released. Either way its places come back.
    A plan's notices outlive the plan once its recruitment is done: persons
    enter on them later, and what is left expires at the validity end.
    """
    notices = session.scalars(
        select(Reservation).where(Reservation.instance_id == instance.id, Reservation.status == ISSUED)
    ).all()
    today = clock.today()
    for notice in notices:
        if notice.purpose == PLAN and instance.status == InstanceStatus.COMPLETED:
            continue
        if notice.used:
            end(notice, USED, f"已入编{notice.used}名，余额释放", today)
        else:
            end(notice, RELEASED, RELEASE_REASONS.get(instance.status, "事项结束未入编"), today)


def expire_due(session: Session, today: date) -> list[str]:
    """End every open notice whose validity has passed and tell its unit; the numbers ended."""
    due = session.scalars(
        select(Reservation)
        .where(Reservation.status == ISSUED, Reservation.expires_on < today)
        .order_by(Reservation.id)
        .with_for_update()
    ).all()
    for notice in due:
        end(notice, EXPIRED, "超过有效期未使用", today)
        unit = session.get(Unit, notice.unit_id)
        outbox.emit(
            session,
            "notice.expired",
            {
                "number": notice.number,
                "unit_code": unit.code if unit else "",
                "est_type": notice.est_type,
                "places": notice.places - notice.used,
                "expires_on": notice.expires_on.isoformat() if notice.expires_on else None,
                "instance_id": notice.instance_id,
            },
        )
    return [n.number for n in due]


def on_expired(session: Session, message: OutboxMessage) -> None:
    """Outbox handler: the unit is told that its notice lapsed and the places came back."""
    p = message.payload
    add_notification_once(
        session,
        message,
        f"unit:{p['unit_code']}",
        "notice",
        f"核准使用编制通知单{p['number']}已于{p['expires_on']}到期未使用，预留的{p['est_type']}{p['places']}名已释放",
    )

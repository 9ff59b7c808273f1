"""The 核准使用编制通知单 ends exactly once: used, released when its matter ends
without the hire, or expired after its validity (and the unit is told)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import select

from engine import services
from kernel.outbox import drain
from kernel.records import Notification
from onestop.bootstrap import Platform, build_platform
from onestop.settings import Settings
from registry.models import Reservation
from registry.notices import expire_due
from tests.conftest import actors_of
from tests.engine.helpers import decide
from tests.engine.test_staff_processes import FULL_FUNDED, example, figures


def notice_of(platform: Platform, instance_id: str) -> Reservation:
    with platform.ctx.reading() as session:
        notice = session.scalars(select(Reservation).where(Reservation.instance_id == instance_id)).one()
        session.expunge(notice)
        return notice


@pytest.mark.parametrize("how", ["not_hired", "cancelled"])
def test_a_matter_ending_after_the_notice_gives_every_place_back(platform: Platform, how: str) -> None:
    ctx, actors = platform.ctx, actors_of(platform)
    before = figures(platform, "demo-unit-001", FULL_FUNDED)
    iid = services.start(ctx, actors["applicant"], process_key="staff_entry", data=example("staff_entry_application"))[
        "id"
    ]
    decide(ctx, actors["bianban"], iid)  # 用编核准: two places held on a notice
    actual, reserved, vacancy = before
    assert figures(platform, "demo-unit-001", FULL_FUNDED) == (actual, reserved + 2, vacancy - 2)
    if how == "not_hired":
        assert decide(ctx, actors["renshe"], iid, "reject", "笔试未达合格线")["status"] == "rejected"
    else:
        services.cancel(ctx, actors["admin"], iid, reason="单位撤回用编计划")
    assert figures(platform, "demo-unit-001", FULL_FUNDED) == before
    notice = notice_of(platform, iid)
    reason = {"not_hired": "事项未通过", "cancelled": "管理员终止事项"}[how]
    assert (notice.status, notice.used, notice.end_reason) == ("released", 0, reason)
    assert notice.ended_on is not None


def test_a_notice_expires_after_its_validity_and_the_unit_is_told(sqlite_platform: Platform) -> None:
    ctx, actors = sqlite_platform.ctx, actors_of(sqlite_platform)
    before = figures(sqlite_platform, "demo-unit-001", FULL_FUNDED)
    with time_machine.travel(datetime(2026, 8, 31, 2, 0, tzinfo=UTC), tick=False):  # China: 31 August
        iid = services.start(
            ctx, actors["applicant"], process_key="staff_entry", data=example("staff_entry_application")
        )["id"]
        decide(ctx, actors["bianban"], iid)
    notice = notice_of(sqlite_platform, iid)
    assert (notice.issued_on, notice.expires_on) == (date(2026, 8, 31), date(2027, 2, 28))  # six months on
    with ctx.transaction() as session:
        assert expire_due(session, date(2027, 2, 28)) == []  # valid through its last day
    with ctx.transaction() as session:
        assert expire_due(session, date(2027, 3, 1)) == [notice.number]
    with ctx.transaction() as session:
        assert expire_due(session, date(2027, 3, 2)) == []  # ended once, never again
    assert figures(sqlite_platform, "demo-unit-001", FULL_FUNDED) == before
    assert notice_of(sqlite_platform, iid).status == "expired"
    drain(ctx.session_factory, ctx.outbox_handlers)
    with ctx.reading() as session:
        told = session.scalars(select(Notification.message).where(Notification.kind == "notice")).all()
    assert told == [f"核准使用编制通知单{notice.number}已于2027-02-28到期未使用，预留的{FULL_FUNDED}2名已释放"]
    # The hire that comes too late cannot use the lapsed notice: the matter stops as an incident, holding nothing.
    assert decide(ctx, actors["renshe"], iid)["status"] == "incident"
    assert figures(sqlite_platform, "demo-unit-001", FULL_FUNDED) == before


def test_the_validity_is_configurable(sqlite_url: str, tmp_path: Path) -> None:
    settings = Settings(ONESTOP_DATA_DIR=tmp_path / "data", DATABASE_URL=sqlite_url, ONESTOP_NOTICE_VALIDITY_MONTHS=3)
    platform = build_platform(settings, migrate=False)
    try:
        ctx, actors = platform.ctx, actors_of(platform)
        with time_machine.travel(datetime(2026, 11, 30, 2, 0, tzinfo=UTC), tick=False):
            iid = services.start(
                ctx, actors["applicant"], process_key="staff_entry", data=example("staff_entry_application")
            )["id"]
            decide(ctx, actors["bianban"], iid)
            plan = services.start(
                ctx, actors["applicant"], process_key="staff_plan", data=example("staff_plan_application")
            )["id"]
            decide(ctx, actors["bianban"], plan)  # a 用编计划's notices take the same validity
        assert notice_of(platform, iid).expires_on == date(2027, 2, 28)
        with ctx.reading() as session:
            ends = session.scalars(select(Reservation.expires_on).where(Reservation.instance_id == plan)).all()
        assert ends == [date(2027, 2, 28), date(2027, 2, 28)]
    finally:
        platform.close()

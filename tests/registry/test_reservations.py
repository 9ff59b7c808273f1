"""Vacancy checks and reservations: explained refusals, never over-allocated."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
from sqlalchemy import select

from kernel.errors import Conflict
from onestop.bootstrap import Platform
from registry.figures import unit_figures
from registry.models import Unit
from registry.reservations import check_vacancy, reserve

FULL_FUNDED = "事业编制（全额拨款）"


def _unit_id(platform: Platform, code: str) -> int:
    with platform.ctx.reading() as session:
        return int(session.scalars(select(Unit.id).where(Unit.code == code)).one())


def test_refusals_explain_the_figures(sqlite_platform: Platform) -> None:
    with sqlite_platform.ctx.reading() as session:
        over = check_vacancy(session, _unit_id(sqlite_platform, "demo-unit-003"), FULL_FUNDED, 1)
        full = check_vacancy(session, _unit_id(sqlite_platform, "demo-unit-002"), "行政编制", 1)
        short = check_vacancy(session, _unit_id(sqlite_platform, "demo-unit-001"), FULL_FUNDED, 17)
        fine = check_vacancy(session, _unit_id(sqlite_platform, "demo-unit-001"), FULL_FUNDED, 2)
    assert not over.allowed and "超编" in over.message and "核定3名，实有4名" in over.message
    assert not full.allowed and "出一进一" in full.message
    assert not short.allowed and "空缺16名" in short.message
    assert fine.allowed


def test_concurrent_reservations_never_over_allocate(platform: Platform) -> None:
    unit_id = _unit_id(platform, "demo-unit-001")  # 20 approved, 4 in post: 16 vacant
    barrier = threading.Barrier(6)

    def request(i: int) -> str:
        if i < 6:
            barrier.wait()
        try:
            with platform.ctx.transaction() as session:
                return reserve(
                    session, unit_id=unit_id, est_type=FULL_FUNDED, places=1, instance_id=None, on=date(2026, 11, 23)
                ).number
        except Conflict as exc:
            assert exc.code == "no_vacancy"
            return "refused"

    with ThreadPoolExecutor(6) as pool:
        results = list(pool.map(request, range(24)))
    numbers = [r for r in results if r != "refused"]
    assert len(numbers) == 16 and results.count("refused") == 8
    assert sorted(numbers, key=lambda n: int(n.split("〕")[1][:-1])) == [f"编核〔2026〕{n}号" for n in range(1, 17)]
    with platform.ctx.reading() as session:
        [figures] = [f for f in unit_figures(session, unit_id) if f.est_type == FULL_FUNDED]
    assert (figures.reserved, figures.vacancy) == (16, 0)


def test_reservation_of_unknown_type_is_refused(sqlite_platform: Platform) -> None:
    with pytest.raises(Conflict), sqlite_platform.ctx.transaction() as session:
        reserve(
            session,
            unit_id=_unit_id(sqlite_platform, "demo-unit-001"),
            est_type="行政编制",
            places=1,
            instance_id=None,
            on=date(2026, 11, 23),
        )

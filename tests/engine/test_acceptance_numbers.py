"""受理编号 as an invariant: random sequences of starts (accepted or refused), withdrawals and
the turn of the year, checked after every step on SQLite and PostgreSQL. Every matter has one
number; a year's numbers are exactly 1..n in the order the matters were accepted; a refused
start gives its number back."""

from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import time_machine
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, consumes, invariant, rule
from sqlalchemy import select

from engine import services
from engine.models import Instance
from kernel.errors import ValidationFailed
from onestop.bootstrap import Platform
from tests.conftest import PG_URL, _pg, actors_of, make_platform
from tests.engine.helpers import application

DEMO = "demo_cross_department"
# Moments around the turn of a year, UTC: 31 Dec 16:30 UTC is already 1 January in China.
MOMENTS = [
    datetime(2026, 12, 31, 15, 59, tzinfo=UTC),
    datetime(2026, 12, 31, 16, 30, tzinfo=UTC),
    datetime(2027, 6, 1, 2, 0, tzinfo=UTC),
    datetime(2028, 1, 2, 3, 0, tzinfo=UTC),
]
CHINA_YEAR = {MOMENTS[0]: 2026, MOMENTS[1]: 2027, MOMENTS[2]: 2027, MOMENTS[3]: 2028}


class AcceptanceMachine(RuleBasedStateMachine):
    platform_factory: Any = None
    matters = Bundle("matters")

    def __init__(self) -> None:
        super().__init__()
        self.platform, self.close = self.platform_factory()
        self.actors = actors_of(self.platform)
        self.moment = MOMENTS[0]
        self.expected: dict[str, str] = {}  # instance id -> number, as the model predicts it
        self.last: dict[int, int] = {}

    def teardown(self) -> None:
        self.close()

    @rule(moment=st.sampled_from(MOMENTS))
    def clock_moves(self, moment: datetime) -> None:
        self.moment = max(self.moment, moment)  # the clock never runs backwards

    @rule(target=matters)
    def start_accepted(self) -> str:
        with time_machine.travel(self.moment, tick=False):
            started = services.start(self.platform.ctx, self.actors["applicant"], process_key=DEMO, data=application())
        year = CHINA_YEAR[self.moment]
        self.last[year] = self.last.get(year, 0) + 1
        self.expected[started["id"]] = f"{year}-{self.last[year]:06d}"
        assert started["number"] == self.expected[started["id"]]
        return str(started["id"])

    @rule()
    def start_refused(self) -> None:
        broken = {**application(), "contact_phone": "not a phone"}
        with time_machine.travel(self.moment, tick=False), pytest.raises(ValidationFailed):
            services.start(self.platform.ctx, self.actors["applicant"], process_key=DEMO, data=broken)

    @rule(matter=consumes(matters))
    def withdraw(self, matter: str) -> None:
        with time_machine.travel(self.moment, tick=False):
            services.withdraw(self.platform.ctx, self.actors["applicant"], matter)

    @invariant()
    def numbers_are_gap_free_per_year(self) -> None:
        with self.platform.ctx.reading() as session:
            found = dict(session.execute(select(Instance.id, Instance.number)).tuples().all())
        assert found == self.expected
        by_year: dict[str, list[int]] = {}
        for number in found.values():
            matched = re.fullmatch(r"(\d{4})-(\d{6})", number)
            assert matched, number
            by_year.setdefault(matched.group(1), []).append(int(matched.group(2)))
        for serials in by_year.values():
            assert sorted(serials) == list(range(1, len(serials) + 1))


def _run(factory: Any, examples: int) -> None:
    from hypothesis.stateful import run_state_machine_as_test

    machine = type("Machine", (AcceptanceMachine,), {"platform_factory": staticmethod(factory)})
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=examples,
            stateful_step_count=15,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            phases=[Phase.explicit, Phase.reuse, Phase.generate],
        ),
    )


def test_acceptance_numbers_on_sqlite(sqlite_template: Path, tmp_path: Path) -> None:
    import shutil

    counter = itertools.count()

    def fresh() -> tuple[Platform, Any]:
        folder = tmp_path / f"run{next(counter)}"
        folder.mkdir()
        shutil.copy(sqlite_template, folder / "db.sqlite3")
        platform = make_platform(f"sqlite:///{folder / 'db.sqlite3'}", tmp_path / "data")
        return platform, platform.close

    _run(fresh, examples=8)


@pytest.mark.postgres
def test_acceptance_numbers_on_postgresql(pg_template: str, tmp_path: Path) -> None:
    import uuid

    def fresh() -> tuple[Platform, Any]:
        name = f"onestop_n_{uuid.uuid4().hex[:12]}"
        _pg(f'CREATE DATABASE "{name}" TEMPLATE "{pg_template}"')
        platform = make_platform(PG_URL.format(name=name), tmp_path / "data")

        def close() -> None:
            platform.close()
            _pg(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

        return platform, close

    _run(fresh, examples=4)

"""The comparison's findings as a property, on SQLite and PostgreSQL: for any payroll list drawn
over the demo roster (each person paid at their own unit, not at all, at another unit, or at
both; strangers paid somewhere), the findings per unit and kind are what the rules say, computed
here from the drawn list alone."""

from __future__ import annotations

from collections import Counter
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from forms.identifiers import make_ric
from kernel import clock
from onestop.bootstrap import Platform
from registry import reconciliation, staff_lists
from registry.figures import unit_figures
from registry.models import Finding, Person, Unit
from registry.vocabulary import UnitStatus

PERIOD = "2026-10"
HOW = ("own", "own", "own", "none", "other", "both")  # mostly paid where they are, as in life


def _roster(platform: Platform) -> tuple[list[tuple[str, str, int, str]], dict[int, str], dict[int, int]]:
    """Persons in place (name, id, unit id, type), the units' names, and their paid capacity."""
    with platform.ctx.reading() as session:
        units = {u.id: u.name for u in session.scalars(select(Unit).where(Unit.status != UnitStatus.CANCELLED))}
        people = [
            (p.name, p.id_number, p.unit_id, p.est_type)
            for p in session.scalars(select(Person).where(Person.status == "在编").order_by(Person.id))
        ]
        usable = {
            u: sum(f.usable for f in unit_figures(session, u) if f.est_type != reconciliation.SELF_FUNDED)
            for u in units
        }
    return people, units, usable


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_findings_follow_the_rules(platform: Platform, data: st.DataObject) -> None:
    people, units, usable = _roster(platform)
    unit_ids = sorted(units)
    paid: list[tuple[str, str, int]] = []
    expected: Counter[tuple[int, str]] = Counter()
    for name, number, own, est_type in people:
        how = data.draw(st.sampled_from(HOW))
        other = data.draw(st.sampled_from([u for u in unit_ids if u != own]))
        payers = {"own": [own], "none": [], "other": [other], "both": [own, other]}[how]
        paid += [(name, number, u) for u in payers]
        if not payers and est_type != reconciliation.SELF_FUNDED:
            expected[(own, reconciliation.PLACED_NOT_PAID)] += 1
        for u in payers:
            if u != own:
                expected[(u, reconciliation.TWO_UNITS)] += 1
        if payers and own not in payers:
            expected[(own, reconciliation.TWO_UNITS)] += 1
    strangers = data.draw(st.lists(st.sampled_from(unit_ids), max_size=3))
    for i, u in enumerate(strangers):
        number = make_ric("141002", date(1980, 1, 1 + i), 700 + i, "男")
        paid.append((f"外来{i}", number, u))
        expected[(u, reconciliation.PAID_NOT_PLACED)] += 1
    for u, count in Counter(u for _, _, u in paid).items():
        if count > usable[u]:
            expected[(u, reconciliation.OVER_PAID)] += 1
    content = "\n".join(["姓名,身份证号,单位名称", *(f"{n},{i},{units[u]}" for n, i, u in paid)]).encode()
    with platform.ctx.transaction() as session:
        report, _ = staff_lists.import_list(
            session, source="payroll", period=PERIOD, filename="名单.csv", content=content, by="caizheng"
        )
        assert report.applied, report.as_dict()
        run = reconciliation.compare(session, period=PERIOD, by="bianban", on=clock.today())
        found = Counter((f.unit_id, f.kind) for f in session.scalars(select(Finding).where(Finding.run_id == run.id)))
        counts = dict(run.counts)
    assert found == expected
    assert counts == {k: sum(n for (_, kind), n in expected.items() if kind == k) for k in reconciliation.KINDS}

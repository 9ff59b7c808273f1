"""Dashboard figures, and the retirement age under the 2024 gradual-delay decision."""

from __future__ import annotations

from datetime import date

import pytest

from onestop.bootstrap import Platform
from registry.dashboard import is_worker, retirement_date, saturation


@pytest.mark.parametrize(
    ("sex", "birth", "retires"),
    [
        ("男", date(1964, 12, 15), date(2024, 12, 1)),  # before the reform: 60
        ("男", date(1965, 1, 10), date(2025, 2, 1)),  # first cohort: 60 and one month
        ("男", date(1965, 4, 30), date(2025, 5, 1)),  # the same four-month batch
        ("男", date(1965, 5, 1), date(2025, 7, 1)),  # next batch: two months
        ("男", date(1976, 12, 1), date(2039, 12, 1)),  # capped at 63
        ("女", date(1969, 12, 31), date(2024, 12, 1)),  # 55 before the reform
        ("女", date(1970, 1, 1), date(2025, 2, 1)),  # 55 and one month
        ("女", date(1990, 6, 1), date(2048, 6, 1)),  # capped at 58
    ],
)
def test_retirement_date(sex: str, birth: date, retires: date) -> None:
    assert retirement_date(sex, birth) == retires


@pytest.mark.parametrize(
    ("birth", "retires"),
    [
        (date(1974, 12, 31), date(2024, 12, 1)),  # 50 before the reform
        (date(1975, 1, 10), date(2025, 2, 1)),  # first cohort: 50 and one month
        (date(1975, 2, 28), date(2025, 3, 1)),  # the same two-month batch
        (date(1975, 3, 1), date(2025, 5, 1)),  # next batch: two months later
        (date(1985, 1, 1), date(2040, 1, 1)),  # capped at 55
    ],
)
def test_women_workers_retire_from_fifty(birth: date, retires: date) -> None:
    assert retirement_date("女", birth, worker=True) == retires
    assert retirement_date("男", birth, worker=True) == retirement_date("男", birth)  # men: one scheme


def test_who_counts_as_a_worker() -> None:
    assert is_worker("事业工勤编制", "") and is_worker("机关工勤编制", "") and is_worker("事业编制（全额拨款）", "工勤")
    assert not is_worker("事业编制（全额拨款）", "专技") and not is_worker("行政编制", "管理")


def test_saturation_by_unit_adds_up_over_its_types(sqlite_platform: Platform) -> None:
    with sqlite_platform.ctx.reading() as session:
        rows = saturation(session)
    assert rows, "the demo register has units"
    for row in rows:
        assert row["approved"] == sum(t["approved"] for t in row["by_type"])
        assert row["actual"] == sum(t["actual"] for t in row["by_type"])
        for by_type in row["by_type"]:
            expected = round(by_type["actual"] / by_type["approved"], 3) if by_type["approved"] else None
            assert by_type["rate"] == expected
    assert len({t["type"] for row in rows for t in row["by_type"]}) > 1  # more than one type to compare

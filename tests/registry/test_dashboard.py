"""Dashboard figures, and the retirement age under the 2024 gradual-delay decision."""

from __future__ import annotations

from datetime import date

import pytest

from registry.dashboard import retirement_date


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

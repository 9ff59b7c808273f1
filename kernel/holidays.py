"""The statutory holidays of a year whose arrangement is not yet announced.

《全国年节及纪念日放假办法》 (as amended in 2024, in force from 2025) fixes
the days: 元旦 1 January; 春节 除夕 and 正月初一 to 初三; 清明 the day of the
清明 solar term; 劳动节 1 and 2 May; 端午 五月初五; 中秋 八月十五; 国庆 1 to 3
October. A statutory day on a Saturday or Sunday, or on a day that is
already another holiday, is made up (补假) on the first working days after
that holiday. Lunar dates and the solar term come from ``lunar_python``.

The State Council's 调休 swaps (a weekend turned into a working day to make
a longer break) are never guessed: until an administrator enters the
announced arrangement, deadlines in such a year are provisional and say so.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

from lunar_python import Lunar

FIRST_YEAR = 2025  # the amended rules apply from 2025; earlier years come from the seeded table


def _solar(lunar: Lunar) -> date:
    solar = lunar.getSolar()
    return date(solar.getYear(), solar.getMonth(), solar.getDay())


def statutory_days(year: int) -> list[tuple[str, list[date]]]:
    """Each holiday of ``year`` with its statutory days, in calendar order."""
    new_year = _solar(Lunar.fromYmd(year, 1, 1))
    qingming = Lunar.fromYmd(year, 3, 1).getJieQiTable()["清明"]
    return [
        ("元旦", [date(year, 1, 1)]),
        ("春节", [new_year - timedelta(days=1), *(new_year + timedelta(days=i) for i in range(3))]),
        ("清明节", [date(qingming.getYear(), qingming.getMonth(), qingming.getDay())]),
        ("劳动节", [date(year, 5, 1), date(year, 5, 2)]),
        ("端午节", [_solar(Lunar.fromYmd(year, 5, 5))]),
        ("中秋节", [_solar(Lunar.fromYmd(year, 8, 15))]),
        ("国庆节", [date(year, 10, 1), date(year, 10, 2), date(year, 10, 3)]),
    ]


@lru_cache(maxsize=64)
def estimated_rest_days(year: int) -> dict[date, str]:
    """Every day of ``year`` off by law, with its note: the holidays and their 补假."""
    if year < FIRST_YEAR:
        return {}
    rest: dict[date, str] = {}
    for name, days in sorted(statutory_days(year), key=lambda item: item[1][0]):
        owed = 0
        for day in days:
            if day.weekday() >= 5 or day in rest:
                owed += 1  # on a weekend, or the same day as another holiday: made up later
            else:
                rest[day] = name
            rest.setdefault(day, name)
        current = max(days)
        while owed:
            current += timedelta(days=1)
            if current.weekday() < 5 and current not in rest:
                rest[current] = f"{name}补假"
                owed -= 1
    return {day: rest[day] for day in sorted(rest) if day.year == year}

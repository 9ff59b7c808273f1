"""The platform's one clock.

Every stored moment is UTC; every business date (a deadline's day, a 文号's
year, an entry date, "today" on a page) is the date in the platform's time
zone, ``ONESTOP_TIMEZONE`` (default Asia/Shanghai). Between 16:00 and 24:00
UTC the two calendars disagree by one day, so nothing may take a business
date from ``date.today()`` (the server's zone) or from a UTC moment's
``.date()``: it asks this module. Tests set the moment by travelling in time
(``time-machine``), which this module reads like any other caller.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_TIMEZONE = "Asia/Shanghai"


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"ONESTOP_TIMEZONE 不是有效的时区名称：{name!r}") from exc


_ZONE = _zone(os.environ.get("ONESTOP_TIMEZONE") or DEFAULT_TIMEZONE)


def configure(name: str) -> None:
    """Set the business time zone (from the settings, at start-up)."""
    global _ZONE
    _ZONE = _zone(name)


def zone() -> ZoneInfo:
    return _ZONE


def now() -> datetime:
    """The current moment, UTC-aware."""
    return datetime.now(UTC)


def today() -> date:
    """The business date now."""
    return business_day(now())


def business_day(moment: datetime) -> date:
    """The business date of a moment (a naive moment is UTC, as stored)."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(_ZONE).date()


def local(moment: datetime) -> datetime:
    """A moment on the business zone's wall clock."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(_ZONE)


def start_of(day: date) -> datetime:
    """The first moment of a business date, UTC-aware."""
    return datetime.combine(day, time.min, tzinfo=_ZONE).astimezone(UTC)


def end_of(day: date) -> datetime:
    """The last second of a business date, UTC-aware."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=_ZONE).astimezone(UTC)

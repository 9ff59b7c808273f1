"""Tests that start every matter start a seasonal one (a ``Season`` in its manifest)
inside its season, with its example filled for that day as the demo fills it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, time
from typing import Any

import time_machine

from kernel import clock
from onestop.bootstrap import Platform
from processes import catalogue as matters

CATALOGUE = matters.load()


@contextmanager
def in_season(key: str) -> Iterator[None]:
    """The clock on the first morning of the matter's next season (China time); unchanged
    for a matter any day will do."""
    matter = CATALOGUE.get(key)
    if matter is None or matter.season is None:
        yield
        return
    opens, _closes = matter.season.current_or_next(clock.today())
    with time_machine.travel(datetime.combine(opens, time(2, 0), tzinfo=UTC), tick=True):
        yield


def filled(platform: Platform, key: str, example: dict[str, Any]) -> dict[str, Any]:
    """A seasonal matter's example as the demo fills it today (a report names last year)."""
    matter = CATALOGUE.get(key)
    if matter is None or matter.season is None or matter.demo_fill is None:
        return example
    with platform.ctx.reading() as session:
        return matter.demo_fill(session, dict(example))

"""Exactly one beat: a second waits on standby and takes over when the first ends."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from onestop.beat_guard import sole_beat
from onestop.settings import Settings


def _second_beat_waits_until_the_first_ends(settings: Settings) -> None:
    events: list[str] = []
    first_ends = threading.Event()

    def beat(name: str, hold: threading.Event | None) -> None:
        with sole_beat(settings, poll=0.05):
            events.append(f"{name} runs")
            if hold is not None:
                hold.wait(10)
        events.append(f"{name} ends")

    first = threading.Thread(target=beat, args=("first", first_ends))
    first.start()
    while "first runs" not in events:
        time.sleep(0.01)
    second = threading.Thread(target=beat, args=("second", None))
    second.start()
    time.sleep(0.5)
    assert events == ["first runs"]  # the second is on standby, not running
    first_ends.set()
    first.join(10)
    second.join(10)
    assert events == ["first runs", "first ends", "second runs", "second ends"]


def test_embedded_beats_exclude_each_other_by_a_file_lock(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _second_beat_waits_until_the_first_ends(Settings(ONESTOP_DATA_DIR=tmp_path))
    assert "待命" in capsys.readouterr().out


@pytest.mark.postgres
def test_production_beats_exclude_each_other_by_an_advisory_lock(pg_platform_url: str, tmp_path: Path) -> None:
    """Any machine: the lock is the database's, released when the holder's connection goes."""
    _second_beat_waits_until_the_first_ends(Settings(ONESTOP_DATA_DIR=tmp_path, DATABASE_URL=pg_platform_url))

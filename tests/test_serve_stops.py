"""`onestop serve` takes its worker and beat with it: on SIGTERM, and when it is killed outright."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.demo_server import free_port

pytestmark = pytest.mark.timeout(180)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"  # a zombie has ended; only its exit status is left


def _children(pid: int) -> list[int]:
    return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def _serve(data_dir: Path) -> tuple[subprocess.Popen[bytes], list[int]]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "BROKER_URL")}
    process = subprocess.Popen(
        [sys.executable, "-m", "onestop", "serve", "--port", str(port), "--data-dir", str(data_dir)],
        cwd=data_dir.parent,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.3)
    helpers = _children(process.pid)
    assert len(helpers) == 2, helpers  # the worker and the beat
    return process, helpers


def _gone(pids: list[int], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not any(_alive(pid) for pid in pids):
            return True
        time.sleep(0.2)
    return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL])
def test_the_worker_and_beat_end_with_serve(tmp_path: Path, how: signal.Signals) -> None:
    process, helpers = _serve(tmp_path / "data")
    try:
        os.kill(process.pid, how)  # the server alone, not its process group
        process.wait(timeout=60)
        assert _gone(helpers, 45), [pid for pid in helpers if _alive(pid)]
    finally:
        for pid in [process.pid, *helpers]:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)

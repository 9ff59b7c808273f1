"""Start ``onestop serve --demo`` in a subprocess on a free loopback port and
wait until it answers, as a user would run it; stop it with its worker."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

LOG_NAME = "server.log"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_demo(
    data_dir: Path, *, keep_output: bool = False, wait_seconds: float = 120
) -> tuple[subprocess.Popen[str], str]:
    """The server process (its output kept for ``stop`` when asked) and its base URL."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "BROKER_URL")}
    # Not kept: to a file in the data folder, so a failing test can show what the server said.
    output: Any = subprocess.PIPE if keep_output else (data_dir / LOG_NAME).open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "onestop", "serve", "--demo", "--port", str(port), "--data-dir", str(data_dir)],
        cwd=data_dir,
        env=env,
        stdout=output,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    if not keep_output:
        output.close()  # the child holds its own copy
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + wait_seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).json() == {"status": "ok"}:
                return process, base
        except (httpx.HTTPError, ValueError):
            time.sleep(0.5)
    stop(process)
    pytest.fail("the demo server did not start")


def log_tail(data_dir: Path, lines: int = 200) -> str:
    """The end of what a server started without ``keep_output`` printed."""
    path = data_dir / LOG_NAME
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""


def stop(process: subprocess.Popen[str]) -> str:
    """Stop the server and the worker it started; what it printed, if kept."""
    os.killpg(process.pid, signal.SIGTERM)
    return process.communicate(timeout=30)[0] or ""

"""The production topology on this machine, started from ``deploy/Procfile`` itself:
one API (``serve --workers 2``: two API worker processes), two workers, one beat,
on PostgreSQL, Redis and SeaweedFS; the database and S3 reached through fault proxies."""

from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[2]
PROCFILE = REPO / "deploy" / "Procfile"


def procfile_commands(port: int) -> dict[str, list[str]]:
    """The Procfile's commands with ``onestop`` run by this interpreter."""
    commands = {}
    for line in PROCFILE.read_text("utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        name, command = line.split(":", 1)
        command = command.replace("${PORT:-8000}", str(port))
        command = re.sub(r"\$\{\w+:-([^}]*)\}", r"\1", command)
        words = shlex.split(command)
        assert words[0] == "onestop"
        commands[name.strip()] = [sys.executable, "-m", "onestop", *words[1:]]
    return commands


@dataclass
class Topology:
    env: dict[str, str]
    port: int
    logs: Path
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, name: str, kind: str) -> None:
        command = procfile_commands(self.port)[kind]
        log = open(self.logs / f"{name}.log", "ab")  # noqa: SIM115 - closed with the process
        self.processes[name] = subprocess.Popen(command, env=self.env, stdout=log, stderr=subprocess.STDOUT)

    def start_all(self) -> None:
        self.start("api", "api")
        self.start("worker1", "worker")
        self.start("worker2", "worker")
        self.start("beat", "beat")
        self.wait_until(lambda: _answers(f"{self.base_url}/healthz"), 90, "the API to answer")

    def kill(self, name: str) -> None:
        """kill -9: no clean-up, no goodbye."""
        self.processes[name].send_signal(signal.SIGKILL)
        self.processes[name].wait(10)

    def api_worker_pids(self) -> list[int]:
        """The uvicorn worker processes under the API's supervisor."""
        found = subprocess.run(
            ["pgrep", "-P", str(self.processes["api"].pid)], capture_output=True, text=True, check=False
        )
        pids = [int(pid) for pid in found.stdout.split()]
        return [pid for pid in pids if b"resource_tracker" not in Path(f"/proc/{pid}/cmdline").read_bytes()]

    def stop_all(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        for process in self.processes.values():
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()

    def log_tail(self, lines: int = 40) -> str:
        out = []
        for path in sorted(self.logs.glob("*.log")):
            out.append(f"--- {path.name}")
            out.extend(path.read_text("utf-8", errors="replace").splitlines()[-lines:])
        return "\n".join(out)

    @staticmethod
    def wait_until(condition: Callable[[], Any], seconds: float, what: str) -> Any:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            result = condition()
            if result:
                return result
            time.sleep(0.25)
        raise AssertionError(f"timed out after {seconds:.0f} s waiting for {what}")


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def environment(**settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ONESTOP_") and k != "DATABASE_URL"}
    env.update(settings)
    env["PYTHONUNBUFFERED"] = "1"
    env["ONESTOP_DEVELOPMENT_SIGNING"] = "1"  # a test rig: no real signing keys or TSA here
    return env

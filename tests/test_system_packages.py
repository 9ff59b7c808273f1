"""The set-up script `make run` and CI share: check mode on this machine, and what a non-root user is told."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "deploy" / "system-packages.sh"


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", str(SCRIPT), *args], capture_output=True, text=True, env=env, timeout=60)


def test_check_mode_finds_everything_on_this_machine() -> None:
    checked = _run("--check", "--with-browser")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "齐全" in checked.stdout


def test_a_user_who_is_not_root_is_told_what_to_install_and_nothing_is_installed(tmp_path: Path) -> None:
    fake = tmp_path / "bin"
    fake.mkdir()
    marker = tmp_path / "apt-get-was-called"
    for name, body in {
        "ldconfig": "exit 0",  # no shared libraries found: Pango is missing
        "id": "echo 1000",
        "apt-get": f"touch {marker}",
    }.items():
        (fake / name).write_text(f"#!/bin/sh\n{body}\n")
        (fake / name).chmod(0o755)
    env = {**os.environ, "PATH": f"{fake}:{os.environ['PATH']}"}
    checked = _run("--check", env=env)
    assert checked.returncode == 1 and "libpango-1.0-0" in checked.stdout
    refused = _run(env=env)
    assert refused.returncode == 1
    assert "libpango-1.0-0" in refused.stderr and "apt-get install -y" in refused.stderr and "root" in refused.stderr
    assert not marker.exists()


def test_an_unknown_option_is_refused() -> None:
    assert _run("--everything").returncode == 2

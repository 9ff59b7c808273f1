"""The helper processes ``onestop serve`` starts (worker, beat) end with it, however it ends.

* SIGTERM and Ctrl-C: ``serve`` stops them, waiting for their own shutdown;
* ``serve`` killed outright (``kill -9``, a crash): Linux sends each helper
  SIGTERM when its parent dies (``PR_SET_PDEATHSIG``), so none is orphaned.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import signal
import subprocess
import sys
from types import FrameType

PR_SET_PDEATHSIG = 1
STOP_SECONDS = 30


def die_with_parent() -> None:
    """In a child just forked (``preexec_fn``): be sent SIGTERM when the parent dies."""
    if not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def exit_on_signal(signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


def stop_all(helpers: list[subprocess.Popen[bytes]]) -> None:
    """Ask each helper to stop, wait for them, and kill any that do not within ``STOP_SECONDS``."""
    for helper in helpers:
        if helper.poll() is None:
            helper.terminate()
    for helper in helpers:
        try:
            helper.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            helper.kill()
            helper.wait()

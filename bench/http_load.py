"""Section (d): completions per second through the real HTTP server (2 uvicorn workers).

The server runs as a subprocess on a free loopback port; it is always stopped.
Eight client threads complete the departments' open tasks of pre-created demo
instances, then call ``GET /api/v1/auth/me`` for comparison.
"""

from __future__ import annotations

import contextlib
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench.processes import DEMO_KEY, DEMO_PLAN, demo_application
from bench.report import Json
from onestop.demo import DEMO_PASSWORD

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


class Server:
    """``onestop serve`` in its own process group, logging to a file."""

    def __init__(self, data_dir: Path, *, database_url: str | None, workers: int = 2) -> None:
        self.port = free_port()
        self.workers = workers
        self.base = f"http://{HOST}:{self.port}"
        data_dir.parent.mkdir(parents=True, exist_ok=True)
        self.log_path = data_dir.parent / f"server-{self.port}.log"
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "ONESTOP_DATA_DIR")}
        args = [
            sys.executable,
            "-m",
            "onestop",
            "serve",
            "--no-worker",
            "--workers",
            str(workers),
            "--host",
            HOST,
            "--port",
            str(self.port),
            "--data-dir",
            str(data_dir),
        ]
        if database_url is None:
            args.append("--demo")
        else:
            env["DATABASE_URL"] = database_url
            env["ONESTOP_DEVELOPMENT_SIGNING"] = "1"  # a benchmark rig, not production
        with self.log_path.open("wb") as log:
            # cwd is the scratch folder: Kombu's filesystem transport writes ./control there.
            self.proc = subprocess.Popen(
                args, cwd=data_dir.parent, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )

    def wait_healthy(self, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                if httpx.get(f"{self.base}/healthz", timeout=2.0).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"server not healthy after {timeout:.0f}s:\n{self.log_tail()}")

    def worker_rss_mb(self) -> list[float]:
        """Resident memory of each uvicorn worker process (not the supervisor)."""
        children = subprocess.run(["pgrep", "-P", str(self.proc.pid)], capture_output=True, text=True, check=False)
        sizes = []
        for pid in children.stdout.split():
            with contextlib.suppress(OSError):
                if b"resource_tracker" in Path(f"/proc/{pid}/cmdline").read_bytes():
                    continue
                status = Path(f"/proc/{pid}/status").read_text()
                kb = int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:")))
                sizes.append(round(kb / 1024, 1))
        return sizes

    def log_tail(self, lines: int = 30) -> str:
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        """SIGTERM the server (uvicorn stops its workers), then SIGKILL what is left of its group."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)


def login(base: str, username: str) -> str:
    response = httpx.post(
        f"{base}/api/v1/auth/token", data={"username": username, "password": DEMO_PASSWORD}, timeout=30.0
    )
    response.raise_for_status()
    return str(response.json()["access_token"])


@dataclass
class PoolResult:
    ok: int = 0
    elapsed: float = 0.0
    errors: Counter[str] = field(default_factory=Counter)

    @property
    def per_second(self) -> float:
        return self.ok / self.elapsed if self.elapsed > 0 else 0.0


Request = Callable[[httpx.Client, str, str], httpx.Response]


def run_pool(
    base: str,
    items: list[tuple[str, str]],
    request: Request,
    threads: int,
    ok_status: int,
    *,
    duration: float | None = None,
) -> PoolResult:
    """Run ``request(client, token, arg)`` over ``items`` (or repeatedly until ``duration``) on threads."""
    work: queue.Queue[tuple[str, str]] = queue.Queue()
    for item in items:
        work.put(item)
    result, lock = PoolResult(), threading.Lock()
    deadline = time.perf_counter() + duration if duration is not None else None

    def worker(index: int) -> None:
        with httpx.Client(base_url=base, timeout=120.0) as client:
            n = index
            while True:
                if deadline is not None:
                    if time.perf_counter() >= deadline:
                        return
                    token, arg = items[n % len(items)]
                    n += threads
                else:
                    try:
                        token, arg = work.get_nowait()
                    except queue.Empty:
                        return
                try:
                    status = str(request(client, token, arg).status_code)
                except httpx.HTTPError as exc:
                    status = type(exc).__name__
                with lock:
                    if status == str(ok_status):
                        result.ok += 1
                    else:
                        result.errors[status] += 1

    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    t0 = time.perf_counter()
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    result.elapsed = time.perf_counter() - t0
    return result


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _start(client: httpx.Client, token: str, _arg: str) -> httpx.Response:
    return client.post(
        "/api/v1/instances", headers=_auth(token), json={"process_key": DEMO_KEY, "data": demo_application()}
    )


def _complete(client: httpx.Client, token: str, task_id: str) -> httpx.Response:
    return client.post(
        f"/api/v1/tasks/{task_id}/complete",
        headers=_auth(token),
        json={"decision": "approve", "opinion": "同意", "data": {}},
    )


def _me(client: httpx.Client, token: str, _arg: str) -> httpx.Response:
    return client.get("/api/v1/auth/me", headers=_auth(token))


def open_tasks(base: str, token: str) -> list[tuple[str, str]]:
    """(instance id, task id) of every open demo task in this department's inbox."""
    found: list[tuple[str, str]] = []
    with httpx.Client(base_url=base, timeout=60.0) as client:
        while True:
            response = client.get(
                "/api/v1/tasks",
                headers=_auth(token),
                params={"process_key": DEMO_KEY, "limit": 200, "offset": len(found)},
            )
            response.raise_for_status()
            page = response.json()
            found.extend((t["instance_id"], t["id"]) for t in page)
            if len(page) < 200:
                return found


class LockSampler:
    """Polls PostgreSQL every 20 ms during the run: how many lock requests wait, and how many of
    them wait on the audit (a head row or any advisory lock)."""

    QUERY = """
        SELECT count(*) FILTER (WHERE NOT l.granted),
               count(*) FILTER (WHERE NOT l.granted AND (l.locktype = 'advisory' OR a.query ILIKE '%audit_%'))
        FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE a.datname = current_database() AND a.pid <> pg_backend_pid()
    """

    def __init__(self, database_url: str) -> None:
        self.dsn = database_url.replace("postgresql+psycopg://", "postgresql://")
        self.samples = self.waiting_max = self.audit_waiting_samples = self.audit_waiting_max = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> LockSampler:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join(10)

    def _run(self) -> None:
        import psycopg

        with psycopg.connect(self.dsn, autocommit=True) as conn:
            while not self._stop.wait(0.02):
                row = conn.execute(self.QUERY.encode()).fetchone()
                waiting, audit = (int(row[0]), int(row[1])) if row else (0, 0)
                self.samples += 1
                self.waiting_max = max(self.waiting_max, waiting)
                self.audit_waiting_max = max(self.audit_waiting_max, audit)
                self.audit_waiting_samples += 1 if audit else 0

    def as_dict(self) -> Json:
        return {
            "samples": self.samples,
            "waiting_max": self.waiting_max,
            "audit_waiting_samples": self.audit_waiting_samples,
            "audit_waiting_max": self.audit_waiting_max,
        }


def measure(server: Server, *, instances: int, threads: int, me_seconds: float) -> Json:
    """Pre-create instances, time completing all their review tasks, then time ``/auth/me``."""
    tokens = {name: login(server.base, name) for name in ("applicant", *DEMO_PLAN)}
    created = run_pool(server.base, [(tokens["applicant"], "")] * instances, _start, threads, 201)
    if created.errors:
        raise RuntimeError(f"creating instances failed: {dict(created.errors)}\n{server.log_tail()}")
    # Department-major order: concurrent requests hit different instances (no optimistic-lock races).
    work: list[tuple[str, str]] = []
    for name in DEMO_PLAN:
        tasks = sorted(open_tasks(server.base, tokens[name]))
        work.extend((tokens[name], task_id) for _instance, task_id in tasks)
    completes = run_pool(server.base, work, _complete, threads, 200)
    callers = [(tokens[name], "") for name in DEMO_PLAN]
    me = run_pool(server.base, callers, _me, threads, 200, duration=me_seconds)
    return {
        "api_workers": server.workers,
        "api_worker_rss_mb": server.worker_rss_mb(),
        "instances": instances,
        "client_threads": threads,
        "start_per_s": round(created.per_second, 1),
        "completions": completes.ok,
        "complete_errors": dict(completes.errors),
        "complete_per_s": round(completes.per_second, 1),
        "me_requests": me.ok,
        "me_errors": dict(me.errors),
        "me_per_s": round(me.per_second, 1),
    }


def run_server(
    data_dir: Path, database_url: str | None, *, instances: int, threads: int, me_seconds: float, workers: int = 2
) -> Json:
    """Start the server (``--demo`` on embedded SQLite), measure, and always stop it."""
    server = Server(data_dir, database_url=database_url, workers=workers)
    try:
        server.wait_healthy()
        if database_url is None:
            return measure(server, instances=instances, threads=threads, me_seconds=me_seconds)
        with LockSampler(database_url) as locks:
            found = measure(server, instances=instances, threads=threads, me_seconds=me_seconds)
        return found | {"locks": locks.as_dict()}
    finally:
        server.stop()

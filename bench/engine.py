"""Engine benchmark: ``python -m bench.engine [--quick] [--steps 10,50,200]``.

Prints, for the demo process and generated linear processes, (a) the
in-memory SpiffWorkflow step, (b) the naive persisted step, (c)
``engine.services.complete`` warm and cold, the (b)/(c) ratios, and (d) HTTP
completions per second against ``/auth/me``. Figures also go to
``bench/results/engine.json``. Timing is reported, never asserted.
"""

from __future__ import annotations

import argparse
import os
import platform as pyplatform
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import SpiffWorkflow.version

from bench import render
from bench.http_load import run_server
from bench.pg import ThrowawayDatabase, unreachable_reason
from bench.processes import Workload, all_workloads
from bench.report import Json, StepStats, write_json
from bench.service_steps import COLD, WARM, open_platforms, service_steps
from bench.spiff_steps import in_memory, naive_engine, naive_persisted
from onestop.bootstrap import build_platform
from onestop.demo import seed_demo
from onestop.settings import Settings

SQLITE, POSTGRES = "sqlite", "postgresql"


@dataclass(frozen=True)
class Options:
    quick: bool
    steps: list[int]
    http: bool
    threads: int

    @property
    def target_steps(self) -> int:
        """Timed steps aimed for per workload and section (several instances for small n)."""
        return 40 if self.quick else 400

    def instances(self, workload: Workload) -> int:
        cap = 5 if self.quick else 25
        return max(1, min(cap, round(self.target_steps / len(workload.plan))))

    @property
    def http_instances(self) -> int:
        return 40 if self.quick else 150

    @property
    def me_seconds(self) -> float:
        return 3.0 if self.quick else 6.0


def parse_args(argv: list[str] | None) -> Options:
    parser = argparse.ArgumentParser(prog="python -m bench.engine", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (smoke run)")
    parser.add_argument("--steps", default="10,50,200", help="user-task counts of the linear processes")
    parser.add_argument("--no-http", action="store_true", help="skip section (d)")
    parser.add_argument("--threads", type=int, default=8, help="HTTP client threads (default 8)")
    args = parser.parse_args(argv)
    try:
        steps = sorted({int(s) for s in args.steps.split(",") if s.strip()})
    except ValueError:
        parser.error("--steps takes comma-separated integers, e.g. 10,50,200")
    if not steps or min(steps) < 2:
        parser.error("each linear process needs at least 2 user tasks (submit + one approval)")
    if args.threads < 1:
        parser.error("--threads must be at least 1")
    return Options(quick=args.quick, steps=steps, http=not args.no_http, threads=args.threads)


def say(text: str) -> None:
    print(text, flush=True)


def progress(text: str) -> None:
    print(f"  .. {text}", file=sys.stderr, flush=True)


def summarize(label: str, samples: list[float], t0: float) -> StepStats:
    """Statistics of ``samples``; reports progress with the section's wall time since ``t0``."""
    stats = StepStats.of(samples)
    elapsed = time.perf_counter() - t0
    progress(f"{label}: {stats.steps} steps, median {stats.median_ms:.2f} ms ({elapsed:.1f}s)")
    return stats


@contextmanager
def postgres_database(prefix: str, results: Json) -> Iterator[str | None]:
    """A migrated throwaway database URL, or None (reason recorded) when PostgreSQL is unreachable."""
    reason = unreachable_reason()
    if reason is not None:
        results["skipped"][POSTGRES] = reason
        yield None
        return
    database = ThrowawayDatabase(prefix)
    try:
        yield database.create()
    finally:
        database.drop()


def run_step_sections(opts: Options, workloads: list[Workload], tmp: Path, results: Json) -> None:
    for workload in workloads:
        n = opts.instances(workload)
        t0 = time.perf_counter()
        stats = summarize(f"(a) {workload.label}", in_memory(workload, n), t0)
        results["in_memory"][workload.label] = stats.as_dict() | {"instances": n}
    with postgres_database("onestop_bench", results) as pg_url:
        backends = [(SQLITE, f"sqlite:///{tmp / 'naive.sqlite3'}", f"sqlite:///{tmp / 'service.sqlite3'}")]
        if pg_url is not None:
            backends.append((POSTGRES, pg_url, pg_url))
        for backend, naive_url, service_url in backends:
            run_backend(opts, workloads, backend, naive_url, service_url, tmp, results)


def run_backend(
    opts: Options, workloads: list[Workload], backend: str, naive_url: str, service_url: str, tmp: Path, results: Json
) -> None:
    db = naive_engine(naive_url)
    try:
        naive: Json = results["naive"].setdefault(backend, {})
        for workload in workloads:
            t0 = time.perf_counter()
            samples, largest = naive_persisted(db, workload, opts.instances(workload))
            stats = summarize(f"(b) {backend} {workload.label}", samples, t0)
            naive[workload.label] = stats.as_dict() | {"max_blob_bytes": largest}
    finally:
        db.dispose()
    platforms = open_platforms(service_url, tmp / f"data-{backend}", workloads, migrate=backend == SQLITE)
    try:
        service: Json = results["service"].setdefault(backend, {WARM: {}, COLD: {}})
        for workload in workloads:
            for mode in (WARM, COLD):
                t0 = time.perf_counter()
                samples, statements = service_steps(platforms, mode, workload, opts.instances(workload))
                stats = summarize(f"(c) {backend} {mode} {workload.label}", samples, t0)
                service[mode][workload.label] = stats.as_dict() | {"statements_per_step": round(statements, 1)}
    finally:
        platforms.close()


def http_backend(
    opts: Options, backend: str, data_dir: Path, url: str | None, results: Json, *, workers: int = 2
) -> None:
    """Run (d) on one backend; a failing server is reported, not fatal. With ``url`` set, the
    database's lock waits are sampled during the run (audit appends must never wait on each other)."""
    progress(f"(d) {backend}: starting server")
    try:
        results["http"][backend] = run_server(
            data_dir,
            url,
            instances=opts.http_instances,
            threads=opts.threads,
            me_seconds=opts.me_seconds,
            workers=workers,
        )
    except (RuntimeError, httpx.HTTPError) as exc:
        results["skipped"][f"{backend} HTTP"] = f"{type(exc).__name__}: {exc}"
        progress(f"(d) {backend}: failed: {exc}")
        return
    progress(f"(d) {backend}: {results['http'][backend]}")


def run_http(opts: Options, tmp: Path, results: Json) -> None:
    http_backend(opts, SQLITE, tmp / "http-sqlite" / "data", None, results)
    with postgres_database("onestop_bench_http", results) as pg_url:
        if pg_url is None:
            return
        data_dir = tmp / "http-postgresql" / "data"
        settings = Settings(ONESTOP_DATA_DIR=data_dir, DATABASE_URL=pg_url, ONESTOP_DEVELOPMENT_SIGNING=True)
        platform = build_platform(settings, migrate=False)
        try:
            with platform.ctx.transaction() as session:
                seed_demo(session)
        finally:
            platform.close()
        http_backend(opts, POSTGRES, data_dir, pg_url, results)
        http_backend(opts, f"{POSTGRES} x4 API", data_dir, pg_url, results, workers=4)


def main(argv: list[str] | None = None) -> int:
    opts = parse_args(argv)
    started = time.perf_counter()
    results: Json = {
        "meta": {
            "quick": opts.quick,
            "linear_steps": opts.steps,
            "python": pyplatform.python_version(),
            "spiffworkflow": SpiffWorkflow.version.__version__,
            "machine": pyplatform.platform(),
            "cpus": os.cpu_count(),
            "loadavg_start": [round(x, 2) for x in os.getloadavg()],
        },
        "in_memory": {},
        "naive": {},
        "service": {},
        "http": {},
        "skipped": {},
    }
    with tempfile.TemporaryDirectory(prefix="onestop-bench-") as tmp_name:
        tmp = Path(tmp_name)
        workloads = all_workloads(tmp / "bpmn", opts.steps)
        run_step_sections(opts, workloads, tmp, results)
        if opts.http:
            run_http(opts, tmp, results)
    results["meta"]["workloads"] = {
        w.label: {"user_tasks": w.user_tasks, "instances": opts.instances(w)} for w in workloads
    }
    results["ratios"] = render.ratios(results)
    results["meta"]["elapsed_s"] = round(time.perf_counter() - started, 1)
    results["meta"]["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    say(render.everything(results))
    say(f"JSON written to {write_json(results)} (total {results['meta']['elapsed_s']}s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

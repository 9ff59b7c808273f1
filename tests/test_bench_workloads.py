"""The benchmark's workloads still load and run (a moved form once broke ``python -m bench.engine``)."""

from __future__ import annotations

from pathlib import Path

from bench.processes import DEMO_KEY, all_workloads
from bench.service_steps import WARM, open_platforms, service_steps
from bench.spiff_steps import in_memory


def test_the_demo_and_linear_workloads_run_through_the_platform(tmp_path: Path) -> None:
    workloads = all_workloads(tmp_path / "bpmn", [3])
    demo, linear = workloads
    assert (demo.process_key, linear.process_key) == (DEMO_KEY, "linear_3")
    assert demo.application, "the demo workload starts with its form's first example"
    assert len(in_memory(linear, 1)) == len(linear.plan)
    platforms = open_platforms(f"sqlite:///{tmp_path / 'bench.sqlite3'}", tmp_path / "data", workloads, migrate=True)
    try:
        for workload in workloads:
            samples, statements = service_steps(platforms, WARM, workload, 1)
            assert len(samples) == len(workload.plan) and statements > 0
    finally:
        platforms.close()

"""Races: one task completed twice at once, parallel departments on one
instance, and many instances at once. Real threads, real databases."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy import func, select

from engine import services
from engine.models import Instance, Task
from kernel.audit import verify_chain
from kernel.errors import Conflict
from onestop.bootstrap import Platform
from tests.engine.helpers import DEMO, DEPARTMENTS, application, decide, open_task


def _race(n: int, action: Any) -> list[Any]:
    barrier = threading.Barrier(n)

    def run(i: int) -> Any:
        barrier.wait()
        try:
            return action(i)
        except Conflict as exc:
            return exc

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(run, range(n)))


def test_two_completions_of_one_task_exactly_one_wins(platform: Platform, actors: dict[str, Any]) -> None:
    ctx = platform.ctx
    iid = services.start(ctx, actors["applicant"], process_key=DEMO, data=application())["id"]
    task_id = open_task(ctx, actors["bianban"], iid)["id"]
    results = _race(
        2, lambda i: services.complete(ctx, actors["bianban"], task_id, decision="approve", opinion=f"第{i}次")
    )
    wins = [r for r in results if isinstance(r, dict)]
    losses = [r for r in results if isinstance(r, Conflict)]
    assert len(wins) == 1 and len(losses) == 1
    assert losses[0].code in ("task_already_completed", "instance_changed")
    detail = services.get(ctx, actors["admin"], iid)
    assert sum(1 for o in detail["opinions"] if o["department"] == "bianban") == 1


def test_parallel_departments_deciding_at_once_all_succeed(platform: Platform, actors: dict[str, Any]) -> None:
    ctx = platform.ctx
    iid = services.start(ctx, actors["applicant"], process_key=DEMO, data=application())["id"]
    tasks = {d: open_task(ctx, actors[d], iid)["id"] for d in DEPARTMENTS}
    results = _race(
        4,
        lambda i: services.complete(
            ctx, actors[DEPARTMENTS[i]], tasks[DEPARTMENTS[i]], decision="approve", opinion="同意"
        ),
    )
    assert all(isinstance(r, dict) for r in results), results
    assert services.get(ctx, actors["admin"], iid)["status"] == "completed"


def test_fifty_parallel_instances_all_complete(platform: Platform, actors: dict[str, Any]) -> None:
    ctx = platform.ctx

    def one_matter(_: int) -> str:
        iid = services.start(ctx, actors["applicant"], process_key=DEMO, data=application())["id"]
        for dept in DEPARTMENTS:
            result = decide(ctx, actors[dept], iid)
        return str(result["status"])

    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(one_matter, range(50)))
    assert statuses == ["completed"] * 50
    with ctx.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Instance).where(Instance.status == "completed")) == 50
        assert session.scalar(select(func.count()).select_from(Task).where(Task.state == "open")) == 0
        report = verify_chain(session)
    assert report.ok and report.events == 50 * 6

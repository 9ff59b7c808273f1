"""Section (c): ``engine.services.complete`` through a real platform.

One database per backend holds both platforms: the warm one keeps the default
workflow cache, the cold one has ``ONESTOP_WORKFLOW_CACHE_SIZE=0`` so every
step restores the workflow from its task rows. Only the ``complete`` call is
timed; finding the task id through the inbox is not.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, event, select

from bench.processes import Workload, deploy_workloads
from engine import services
from kernel.accounts import User
from kernel.actors import Actor
from onestop.bootstrap import Platform, build_platform
from onestop.demo import seed_demo
from onestop.settings import Settings

WARM, COLD = "warm", "cold"


@dataclass
class ServicePlatforms:
    warm: Platform
    cold: Platform
    actors: dict[str, Actor]

    def get(self, mode: str) -> Platform:
        return self.warm if mode == WARM else self.cold

    def close(self) -> None:
        self.warm.close()
        self.cold.close()


def open_platforms(url: str, data_dir: Path, workloads: list[Workload], *, migrate: bool) -> ServicePlatforms:
    """Migrate (if asked), deploy the workloads, seed the demo accounts, build both platforms."""
    settings = Settings(ONESTOP_DATA_DIR=data_dir, DATABASE_URL=url, ONESTOP_DEVELOPMENT_SIGNING=True)
    warm = build_platform(settings, migrate=migrate)
    deploy_workloads(warm, workloads)
    with warm.ctx.transaction() as session:
        seed_demo(session)
    with warm.ctx.transaction() as session:
        actors = {user.username: user.to_actor() for user in session.scalars(select(User))}
    cold_settings = Settings(
        ONESTOP_DATA_DIR=data_dir, DATABASE_URL=url, ONESTOP_WORKFLOW_CACHE_SIZE=0, ONESTOP_DEVELOPMENT_SIGNING=True
    )
    cold = build_platform(cold_settings, migrate=False)
    return ServicePlatforms(warm, cold, actors)


def _open_task(platform: Platform, actor: Actor, workload: Workload, instance_id: str) -> str:
    for task in services.inbox(platform.ctx, actor, process_key=workload.process_key, limit=200):
        if task["instance_id"] == instance_id:
            return str(task["id"])
    raise RuntimeError(f"{workload.label}: no open task for {actor.username} on {instance_id}")


class StatementCounter:
    """Statements the database receives (not counting the driver's BEGIN and COMMIT)."""

    def __init__(self, engine: Engine) -> None:
        self.count = 0
        event.listen(engine, "before_cursor_execute", self._seen)
        self._engine = engine

    def _seen(self, *_args: object) -> None:
        self.count += 1

    def close(self) -> None:
        event.remove(self._engine, "before_cursor_execute", self._seen)


def service_steps(
    platforms: ServicePlatforms, mode: str, workload: Workload, instances: int
) -> tuple[list[float], float]:
    """Seconds per ``services.complete`` call over every approval step of ``instances`` instances,
    and the mean number of statements one such call sends."""
    platform, actors = platforms.get(mode), platforms.actors
    samples: list[float] = []
    statements: list[int] = []
    counter = StatementCounter(platform.db)
    for _ in range(instances):
        detail = services.start(
            platform.ctx, actors["applicant"], process_key=workload.process_key, data=dict(workload.application)
        )
        instance_id = str(detail["id"])
        for username in workload.plan:
            actor = actors[username]
            task_id = _open_task(platform, actor, workload, instance_id)
            before = counter.count
            t0 = time.perf_counter()
            detail = services.complete(platform.ctx, actor, task_id, decision="approve", opinion="同意", data={})
            samples.append(time.perf_counter() - t0)
            statements.append(counter.count - before)
        if detail["status"] != "completed":
            raise RuntimeError(f"{workload.label}: instance ended {detail['status']!r}, not completed")
    counter.close()
    return samples, sum(statements) / len(statements)

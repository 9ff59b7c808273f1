"""Driving the demo process through the engine services."""

from __future__ import annotations

from typing import Any

from engine import services
from engine.context import EngineContext
from kernel.actors import Actor
from processes import catalogue as matters

DEMO = "demo_cross_department"
DEPARTMENTS = ("bianban", "zuzhi", "renshe", "caizheng")


def application() -> dict[str, Any]:
    form = matters.load().forms().get("demo_application")
    assert form is not None
    return dict(form.schema["examples"][0])


def open_task(ctx: EngineContext, actor: Actor, instance_id: str) -> dict[str, Any]:
    tasks = [t for t in services.inbox(ctx, actor, limit=200) if t["instance_id"] == instance_id]
    assert len(tasks) == 1, tasks
    return tasks[0]


def decide(
    ctx: EngineContext,
    actor: Actor,
    instance_id: str,
    decision: str = "approve",
    opinion: str = "同意",
    data: dict[str, Any] | None = None,
) -> dict[str, Any]:
    task = open_task(ctx, actor, instance_id)
    return services.complete(ctx, actor, task["id"], decision=decision, opinion=opinion, data=data or {})


def add_clerk(platform: Any, username: str, unit_code: str) -> None:
    """An applicant account for another demo unit (tests of unit-specific rules)."""
    from kernel.accounts import create_user

    with platform.ctx.transaction() as session:
        create_user(
            session,
            username=username,
            password="x",
            display_name=f"{unit_code} 经办人",
            roles=["applicant"],
            unit_code=unit_code,
        )


def issue_documents(platform: Any, instance_id: str) -> str:
    """Run the worker's outbox pass, where a finished matter's documents are
    issued and the matter told, and return the matter's status."""
    from engine.models import Instance
    from kernel.outbox import drain

    report = drain(platform.ctx.session_factory, platform.ctx.outbox_handlers)
    assert report.failed == 0 and report.retried == 0, report
    with platform.ctx.reading() as session:
        instance = session.get(Instance, instance_id)
        assert instance is not None
        return instance.status

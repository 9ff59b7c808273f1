"""Save/restore round trip: after every step, the state reloaded from the
database equals the live state the step left in memory."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, select

from engine import services
from engine.models import Instance, WorkflowTask
from engine.services import stepping
from onestop.bootstrap import Platform
from tests.engine.helpers import DEMO, DEPARTMENTS, application, decide


def fingerprint(workflow: Any) -> str:
    tasks = sorted(
        (
            str(t.id),
            t.task_spec.name,
            t.state,
            str(t._parent),
            [str(c) for c in t._children],
            t.data,
            t.internal_data,
        )
        for t in workflow.get_tasks()
    )
    return json.dumps(
        {"tasks": tasks, "data": workflow.data, "completed": workflow.completed},
        sort_keys=True,
        default=str,
        ensure_ascii=False,
    )


def assert_round_trip(platform: Platform, instance_id: str) -> None:
    ctx = platform.ctx
    cached = ctx.store.cached(instance_id)
    assert cached is not None, "a committed step leaves the workflow in the cache"
    row_version, live = cached
    before = fingerprint(live.workflow)
    ctx.store.forget(instance_id)
    with ctx.transaction() as session:
        instance = session.get(Instance, instance_id)
        assert instance is not None and instance.row_version == row_version
        reloaded = stepping.load(ctx, session, instance)
        assert fingerprint(reloaded.workflow) == before
    ctx.store.remember(instance_id, row_version, reloaded.live)


def test_every_step_round_trips_including_a_return(platform: Platform, actors: dict[str, Any]) -> None:
    ctx = platform.ctx
    started = services.start(ctx, actors["applicant"], process_key=DEMO, data=application())
    iid = started["id"]
    assert_round_trip(platform, iid)
    for dept in DEPARTMENTS:
        decide(ctx, actors[dept], iid, "return" if dept == "zuzhi" else "approve", "请补充职责说明")
        assert_round_trip(platform, iid)
    assert services.get(ctx, actors["applicant"], iid)["status"] == "returned"
    resubmitted = decide(ctx, actors["applicant"], iid, "submit", "", application() | {"requested_places": 1})
    assert resubmitted["status"] == "running"
    assert_round_trip(platform, iid)
    for dept in DEPARTMENTS:
        final = decide(ctx, actors[dept], iid)
        assert_round_trip(platform, iid)
    assert final["status"] == "completed"


def test_a_step_writes_only_the_tasks_it_changed(platform: Platform, actors: dict[str, Any]) -> None:
    ctx = platform.ctx
    iid = services.start(ctx, actors["applicant"], process_key=DEMO, data=application())["id"]
    with ctx.transaction() as session:
        rows_before = dict(
            session.execute(select(WorkflowTask.task_id, WorkflowTask.body).where(WorkflowTask.instance_id == iid))
            .tuples()
            .all()
        )
    decide(ctx, actors["bianban"], iid)
    with ctx.transaction() as session:
        rows_after = dict(
            session.execute(select(WorkflowTask.task_id, WorkflowTask.body).where(WorkflowTask.instance_id == iid))
            .tuples()
            .all()
        )
        count = session.scalar(select(func.count()).select_from(WorkflowTask).where(WorkflowTask.instance_id == iid))
    changed = {k for k in rows_after if rows_before.get(k) != rows_after[k]}
    assert count == len(rows_after)
    # Completing one of four parallel reviews touches that review and little else,
    # never the whole tree.
    assert 1 <= len(changed) <= 3, changed
    assert len(changed) < len(rows_after) // 2


def test_cold_load_without_cache_gives_the_same_result(platform: Platform, actors: dict[str, Any]) -> None:
    ctx = platform.ctx
    iid = services.start(ctx, actors["applicant"], process_key=DEMO, data=application())["id"]
    for dept in DEPARTMENTS:
        ctx.store.clear()  # every step deserializes from the task rows
        result = decide(ctx, actors[dept], iid)
    assert result["status"] == "completed"
    assert services.get(ctx, actors["applicant"], iid)["data"]["application"] == application()

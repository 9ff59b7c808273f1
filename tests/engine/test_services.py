"""Engine services on the real demo BPMN, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from engine import services
from engine.models import Task
from kernel.actors import SYSTEM
from kernel.errors import Conflict, Forbidden, NotFound, ValidationFailed
from onestop.bootstrap import Platform
from tests.engine.helpers import DEMO, DEPARTMENTS, application, decide, open_task


def test_start_submits_and_opens_one_task_per_department(platform: Platform, actors: dict[str, Any]) -> None:
    started = services.start(platform.ctx, actors["applicant"], process_key=DEMO, data=application())
    assert started["status"] == "running"
    assert started["version"] == 1
    assert sorted(t["department"] for t in started["tasks"]) == sorted(DEPARTMENTS)
    assert all(t["due_at"] for t in started["tasks"])
    assert started["data"]["application"]["credit_code"] == application()["credit_code"]
    actions = [e["action"] for e in started["history"]]
    assert actions == ["start", "submit"]


def test_all_approve_completes_and_every_department_saw_the_same_data(
    platform: Platform, actors: dict[str, Any]
) -> None:
    ctx = platform.ctx
    iid = services.start(ctx, actors["applicant"], process_key=DEMO, data=application())["id"]
    for dept in DEPARTMENTS:
        task = open_task(ctx, actors[dept], iid)
        detail = services.get_task(ctx, actors[dept], task["id"])
        assert detail["data"]["application"] == application()  # entered once, read by all
        result = services.complete(ctx, actors[dept], task["id"], decision="approve", opinion=f"{dept}同意")
    assert result["status"] == "completed"
    assert result["finished_at"] is not None
    detail = services.get(ctx, actors["applicant"], iid)
    assert {o["department"] for o in detail["opinions"]} == {"applicant", *DEPARTMENTS}
    assert set(detail["data"]["reviews"]) == {f"review_{d}" for d in DEPARTMENTS}
    assert detail["data"]["reviews"]["review_zuzhi"]["opinion"] == "zuzhi同意"


def test_return_goes_back_prefilled_and_resubmission_continues(platform: Platform, actors: dict[str, Any]) -> None:
    ctx = platform.ctx
    iid = services.start(ctx, actors["applicant"], process_key=DEMO, data=application())["id"]
    decide(ctx, actors["bianban"], iid, "return", "请补充单位主要职责说明", {"correction_items": ["主要职责说明"]})
    for dept in DEPARTMENTS[1:]:
        result = decide(ctx, actors[dept], iid)
    assert result["status"] == "returned"
    task = open_task(ctx, actors["applicant"], iid)
    detail = services.get_task(ctx, actors["applicant"], task["id"])
    assert detail["prefill"] == application()
    assert any(o["decision"] == "return" and "职责" in o["opinion"] for o in detail["opinions"])
    corrected = application() | {"summary": "补充：承担全市政务数据归集共享、开放利用等职责。"}
    result = decide(ctx, actors["applicant"], iid, "submit", "", corrected)
    assert result["status"] == "running"
    assert len(result["tasks"]) == 4
    for dept in DEPARTMENTS:
        result = decide(ctx, actors[dept], iid)
    assert result["status"] == "completed"
    assert services.get(ctx, actors["applicant"], iid)["data"]["application"]["summary"].startswith("补充")


def test_reject_ends_the_matter_as_rejected(platform: Platform, actors: dict[str, Any]) -> None:
    ctx = platform.ctx
    iid = services.start(ctx, actors["applicant"], process_key=DEMO, data=application())["id"]
    decide(ctx, actors["caizheng"], iid, "reject", "预算资金无来源")
    for dept in DEPARTMENTS[:3]:
        result = decide(ctx, actors[dept], iid)
    assert result["status"] == "rejected"
    assert [t for t in services.inbox(ctx, actors["bianban"]) if t["instance_id"] == iid] == []
    with pytest.raises(NotFound):  # not involved: invisible
        services.get(ctx, actors["archivist"], iid)


def test_withdraw_only_before_any_decision(platform: Platform, actors: dict[str, Any]) -> None:
    ctx = platform.ctx
    first = services.start(ctx, actors["applicant"], process_key=DEMO, data=application())["id"]
    withdrawn = services.withdraw(ctx, actors["applicant"], first, reason="填报有误")
    assert withdrawn["status"] == "withdrawn"
    assert withdrawn["tasks"] == []
    with platform.ctx.transaction() as session:
        states = set(session.scalars(select(Task.state).where(Task.instance_id == first)))
    assert states == {"completed", "cancelled"}
    second = services.start(ctx, actors["applicant"], process_key=DEMO, data=application())["id"]
    decide(ctx, actors["zuzhi"], second)
    with pytest.raises(Conflict) as exc:
        services.withdraw(ctx, actors["applicant"], second)
    assert exc.value.code == "already_decided"


def test_admin_cancel_needs_a_reason_and_ends_open_tasks(platform: Platform, actors: dict[str, Any]) -> None:
    ctx = platform.ctx
    iid = services.start(ctx, actors["applicant"], process_key=DEMO, data=application())["id"]
    with pytest.raises(Forbidden):
        services.cancel(ctx, actors["bianban"], iid, reason="x")
    with pytest.raises(ValidationFailed):
        services.cancel(ctx, actors["admin"], iid, reason="  ")
    cancelled = services.cancel(ctx, actors["admin"], iid, reason="重复申报")
    assert cancelled["status"] == "cancelled"
    assert services.inbox(ctx, actors["bianban"]) == []


def test_claim_guards_the_task(platform: Platform, actors: dict[str, Any]) -> None:
    ctx = platform.ctx
    iid = services.start(ctx, actors["applicant"], process_key=DEMO, data=application())["id"]
    task = open_task(ctx, actors["renshe"], iid)
    claimed = services.claim(ctx, actors["renshe"], task["id"])
    assert claimed["assignee"] == "renshe"
    with pytest.raises(Forbidden):
        services.claim(ctx, actors["zuzhi"], task["id"])
    services.unclaim(ctx, actors["renshe"], task["id"])
    with pytest.raises(Conflict) as exc:
        services.unclaim(ctx, actors["renshe"], task["id"])
    assert exc.value.code == "task_not_claimed"


def test_decisions_are_validated(platform: Platform, actors: dict[str, Any]) -> None:
    ctx = platform.ctx
    iid = services.start(ctx, actors["applicant"], process_key=DEMO, data=application())["id"]
    task = open_task(ctx, actors["bianban"], iid)
    for decision, opinion, data, code in [
        ("return", "", {}, "opinion_required"),
        ("maybe", "x", {}, "invalid_decision"),
        ("approve", "x", {"unknown_field": 1}, "form_invalid"),
    ]:
        with pytest.raises(ValidationFailed) as exc:
            services.complete(ctx, actors["bianban"], task["id"], decision=decision, opinion=opinion, data=data)
        assert exc.value.code == code
    with pytest.raises(ValidationFailed) as bad_start:
        services.start(ctx, actors["applicant"], process_key=DEMO, data=application() | {"credit_code": "X"})
    assert bad_start.value.code == "form_invalid"
    assert bad_start.value.details[0]["path"] == "/credit_code"


def test_running_instances_stay_on_their_version(platform: Platform, actors: dict[str, Any], tmp_path: Path) -> None:
    ctx = platform.ctx
    old = services.start(ctx, actors["applicant"], process_key=DEMO, data=application())["id"]
    source = platform.settings.processes_dir / DEMO / f"{DEMO}.bpmn"
    changed = tmp_path / f"{DEMO}.bpmn"
    changed.write_text(source.read_text(encoding="utf-8").replace('name="编办审核"', 'name="编办初审"'), "utf-8")
    assert services.deploy(ctx, SYSTEM, source)[0].created is False  # unchanged file: no new version
    deployed = services.deploy(ctx, SYSTEM, changed)
    assert [(d.version, d.created) for d in deployed] == [(2, True)]
    new = services.start(ctx, actors["applicant"], process_key=DEMO, data=application())
    assert new["version"] == 2
    assert "编办初审" in {t["step"] for t in new["tasks"]}
    for dept in DEPARTMENTS:
        result = decide(ctx, actors[dept], old)
    assert result["version"] == 1 and result["status"] == "completed"

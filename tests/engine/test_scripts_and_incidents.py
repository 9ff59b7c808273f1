"""BPMN scripts run restricted; a failing script becomes a visible incident."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from engine import services
from engine.restricted_scripts import RestrictedEnvironment, ScriptRejected
from kernel.actors import SYSTEM
from kernel.errors import ValidationFailed
from onestop.bootstrap import Platform

PROCESSES = Path(__file__).parent / "processes"


@pytest.mark.parametrize(
    "script",
    [
        "import os",
        "__import__('os')",
        "x = ().__class__.__bases__",
        "open('/etc/passwd')",
        "eval('1')",
        "getattr(application, '__class__')",
    ],
)
def test_dangerous_scripts_are_refused(script: str) -> None:
    with pytest.raises((ScriptRejected, NameError, ImportError, AttributeError, TypeError)):
        RestrictedEnvironment().execute(script, {"application": {}})


def test_scripts_compute_on_task_data() -> None:
    data: dict[str, Any] = {"reviews": [("编办", {"decision": "return"}), ("财政局", {"decision": "approve"})]}
    RestrictedEnvironment().execute(
        'returned = [name for name, r in reviews if r["decision"] == "return"]\ntotal = sum([1, 2])', data
    )
    assert data["returned"] == ["编办"] and data["total"] == 3
    assert RestrictedEnvironment().evaluate("len(returned) > 0", data) is True


def test_script_error_becomes_an_incident_and_retry_resumes(sqlite_platform: Platform) -> None:
    from tests.conftest import actors_of

    ctx = sqlite_platform.ctx
    actors = actors_of(sqlite_platform)
    services.deploy(ctx, SYSTEM, PROCESSES / "script_error.bpmn")
    broken = services.start(ctx, actors["applicant"], process_key="script_error", data={"divisor": 0})
    assert broken["status"] == "incident"
    assert broken["tasks"] == []
    [incident] = broken["incidents"]
    assert incident["task_spec"] == "compute" and "ZeroDivisionError" in incident["error_type"]
    assert [i["id"] for i in services.list_incidents(ctx, actors["admin"])] == [incident["id"]]
    assert broken["history"][-2]["action"] == "incident"

    retried = services.retry(ctx, actors["admin"], incident["id"])  # same data, fails again
    assert retried["status"] == "incident"
    [still] = retried["incidents"]  # not resolved by asking: the same incident stays open
    assert still["id"] == incident["id"] and still["resolved_at"] is None
    assert still["retry_requested_by"] == "admin"
    assert [i["id"] for i in services.list_incidents(ctx, actors["admin"])] == [incident["id"]]

    healthy = services.start(ctx, actors["applicant"], process_key="script_error", data={"divisor": 5})
    assert healthy["status"] == "running"
    assert [t["department"] for t in healthy["tasks"]] == ["bianban"]


def test_invalid_bpmn_is_refused_at_deploy(sqlite_platform: Platform, tmp_path: Path) -> None:
    bad = tmp_path / "bad.bpmn"
    bad.write_text(
        (PROCESSES / "script_error.bpmn")
        .read_text("utf-8")
        .replace('<spiffworkflow:property name="department" value="bianban"/>', ""),
        "utf-8",
    )
    with pytest.raises(ValidationFailed) as missing:
        services.deploy(sqlite_platform.ctx, SYSTEM, bad)
    assert "department" in missing.value.message
    bad.write_text("<bpmn:definitions", "utf-8")
    with pytest.raises(ValidationFailed) as broken:
        services.deploy(sqlite_platform.ctx, SYSTEM, bad)
    assert broken.value.code == "invalid_bpmn"
    assert "bad" not in {p["key"] for p in services.list_processes(sqlite_platform.ctx)}


@pytest.mark.parametrize(
    ("department", "routine", "message"),
    [
        ("bianban", "yes", "routine 属性应为 true 或 false"),
        ("applicant", "true", "不能设为可批量办理"),
    ],
)
def test_a_routine_mark_is_checked_at_deploy(
    sqlite_platform: Platform, tmp_path: Path, department: str, routine: str, message: str
) -> None:
    mark = f'<spiffworkflow:property name="department" value="{department}"/>'
    bad = tmp_path / "bad_routine.bpmn"
    bad.write_text(
        (PROCESSES / "script_error.bpmn")
        .read_text("utf-8")
        .replace(mark, f'{mark}<spiffworkflow:property name="routine" value="{routine}"/>'),
        "utf-8",
    )
    with pytest.raises(ValidationFailed) as refused:
        services.deploy(sqlite_platform.ctx, SYSTEM, bad)
    assert refused.value.code == "invalid_bpmn" and message in refused.value.message

"""Every shipped matter driven through HTTP by the demo departments, from its form's example."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import pytest

from tests.api.helpers import PDF_BYTES
from tests.conftest import Api
from tests.seasons import CATALOGUE, filled, in_season

# The matters a unit starts (one a department opens for a unit has its own tests: test_reconciliation).
PROCESSES = sorted(
    path.stem
    for path in (Path(__file__).parents[2] / "processes").rglob("*.bpmn")
    if not getattr(CATALOGUE.get(path.stem), "opened_for", None)
)
DEPARTMENT_USERS = {"bianban": "bianban", "zuzhi": "zuzhi", "renshe": "renshe", "caizheng": "caizheng"}
UNIT_CLERKS = {"demo-unit-001": "applicant", "demo-unit-003": "clerk003"}  # the demo's clerks by unit


@pytest.fixture(autouse=True)
def seasonal(request: pytest.FixtureRequest) -> Iterator[None]:
    """A matter with a season is driven inside it."""
    callspec = getattr(request.node, "callspec", None)
    key = callspec.params.get("key") if callspec else None
    with in_season(key) if key else nullcontext():
        yield


def _actor_for(task: dict[str, Any]) -> str:
    if task["department"] in ("applicant", "unit"):  # the matter's own unit, or a unit asked to decide
        return UNIT_CLERKS[task["acting_unit"]]
    return str(task["assignee"] or DEPARTMENT_USERS[task["department"]])


def drive(api: Api, instance_id: str, decide: Any = None, limit: int = 30) -> dict[str, Any]:
    """Let whoever holds each open task decide (approve unless ``decide`` says otherwise)."""
    for _ in range(limit):
        detail = api.get(f"/api/v1/instances/{instance_id}", "admin").json()
        if not detail["tasks"] and detail["status"] == "running":  # waiting for its documents
            api.run_worker()
            continue
        if not detail["tasks"]:
            return dict(detail)
        task = detail["tasks"][0]
        user = _actor_for(task)
        body = (decide and decide(task)) or {
            "decision": "submit" if task["role"] == "applicant" else "approve",
            "opinion": "同意",
        }
        if body["decision"] == "submit":
            body = {**body, "data": api.get(f"/api/v1/tasks/{task['id']}", user).json()["prefill"]}
        if task["form_key"] == "credit_code_review" and body["decision"] == "approve":
            # The example's rename rests on another authority's 批复: 编办 attaches its scan.
            fields = [("decision", (None, "approve")), ("opinion", (None, body["opinion"]))]
            scan = ("files", ("批复扫描件.pdf", PDF_BYTES, "application/pdf"))
            response = api.post(f"/api/v1/tasks/{task['id']}/complete", user, files=[*fields, scan])
        else:
            response = api.post(f"/api/v1/tasks/{task['id']}/complete", user, json=body)
        assert response.status_code == 200, (task, response.text)
    raise AssertionError("the matter did not finish")


def start(api: Api, key: str) -> str:
    form = api.get(f"/api/v1/processes/{key}/form", "applicant").json()
    data = filled(api.platform, key, form["examples"][0])
    response = api.post("/api/v1/instances", "applicant", json={"process_key": key, "data": data})
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


@pytest.mark.parametrize("key", PROCESSES)
def test_every_matter_completes_when_everyone_approves(sqlite_api: Api, key: str) -> None:
    finished = drive(sqlite_api, start(sqlite_api, key))
    assert finished["status"] == "completed", finished
    assert finished["outcome"] == "办结"
    changes = [event for event in finished["history"] if event["status_after"]]
    assert changes[-1]["status_after"] == "completed"


def test_institution_setup_over_http_with_a_return_on_postgresql_too(api: Api) -> None:
    returned_once: list[str] = []

    def decide(task: dict[str, Any]) -> dict[str, Any] | None:
        if task["department"] == "renshe" and not returned_once:
            returned_once.append(task["id"])
            return {"decision": "return", "opinion": "请细化招聘岗位", "data": {"correction_items": ["岗位设置方案"]}}
        return None

    iid = start(api, "institution_setup")
    finished = drive(api, iid, decide)
    assert finished["status"] == "completed" and returned_once
    notice = finished["data"]["results"]["correction_notice"]
    assert notice["returned"] == []  # the last round needed no correction
    actions = [e["action"] for e in finished["history"]]
    assert actions.count("submit") == 2  # the one return was answered once


def _first(decision: str, opinion: str) -> Any:
    """A decider that takes ``decision`` on the first task offering it, then approves."""
    taken: list[str] = []

    def decide(task: dict[str, Any], api: Api) -> dict[str, Any] | None:
        if taken or task["department"] == "applicant":
            return None
        offered = api.get(f"/api/v1/tasks/{task['id']}", _actor_for(task)).json()["decisions"]
        if decision not in offered:
            return None
        taken.append(task["id"])
        return {"decision": decision, "opinion": opinion}

    return decide, taken


@pytest.mark.parametrize("key", PROCESSES)
def test_every_matter_returned_once_then_completed(sqlite_api: Api, key: str) -> None:
    decide, taken = _first("return", "请补充材料")
    finished = drive(sqlite_api, start(sqlite_api, key), lambda task: decide(task, sqlite_api))
    assert taken and finished["status"] == "completed"
    assert [e["action"] for e in finished["history"]].count("submit") >= 2


@pytest.mark.parametrize("key", PROCESSES)
def test_every_matter_can_be_refused(sqlite_api: Api, key: str) -> None:
    decide, taken = _first("reject", "不符合设立条件")
    finished = drive(sqlite_api, start(sqlite_api, key), lambda task: decide(task, sqlite_api))
    assert taken and finished["status"] == "rejected"
    assert finished["outcome"] and finished["outcome"] != "办结"

"""Process versions and migration through HTTP, on SQLite and PostgreSQL: a running 新设机构 matter
moves to a version that adds a step (preview, then apply, then the new step is reached); a matter
whose open step the new version drops is refused and stays; only administrators may do any of it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from engine import services
from tests.api.helpers import assert_error, decide, instance, open_task
from tests.api.helpers import start as start_demo
from tests.api.test_matters import drive
from tests.api.test_matters import start as start_matter
from tests.conftest import Api, actors_of
from tests.seasons import CATALOGUE

LEADER = (
    '<bpmn:userTask id="review_leader" name="编办分管领导审核"><bpmn:extensionElements><spiffworkflow:properties>'
    '<spiffworkflow:property name="department" value="bianban"/><spiffworkflow:property name="decisions" '
    'value="approve"/></spiffworkflow:properties></bpmn:extensionElements>'
    "<bpmn:incoming>flow_review_bianban_gw_bianban</bpmn:incoming><bpmn:outgoing>flow_leader_gw</bpmn:outgoing>"
    "</bpmn:userTask>\n"
    '    <bpmn:sequenceFlow id="flow_leader_gw" sourceRef="review_leader" targetRef="gw_bianban"/>\n'
)


def _bpmn(key: str) -> str:
    matter = CATALOGUE.get(key)
    assert matter is not None
    return matter.bpmn.read_text(encoding="utf-8")


def _with_a_leader_step(title: str = "编办分管领导审核") -> str:
    """新设机构 with a step (编办分管领导审核) between 编办审核 and its gateway."""
    xml = _bpmn("institution_setup")
    xml = xml.replace(
        'sourceRef="review_bianban" targetRef="gw_bianban"/>', 'sourceRef="review_bianban" targetRef="review_leader"/>'
    )
    xml = xml.replace(
        "<bpmn:incoming>flow_review_bianban_gw_bianban</bpmn:incoming><bpmn:outgoing>flow_gw_bianban_end",
        "<bpmn:incoming>flow_leader_gw</bpmn:incoming><bpmn:outgoing>flow_gw_bianban_end",
    )
    leader = LEADER.replace("编办分管领导审核", title)
    return xml.replace(
        '    <bpmn:exclusiveGateway id="gw_bianban"', "    " + leader + '    <bpmn:exclusiveGateway id="gw_bianban"'
    )


def _without_renshe() -> str:
    """The demo process without 人社局's parallel review (its element, flows and shapes)."""
    xml = _bpmn("demo_cross_department").replace('("人社局", review_renshe), ', "")
    xml = xml.replace("<bpmn:outgoing>flow_fork_renshe</bpmn:outgoing>", "")
    xml = xml.replace("<bpmn:incoming>flow_renshe_join</bpmn:incoming>", "")
    xml = xml.replace("<bpmn:flowNodeRef>review_renshe</bpmn:flowNodeRef>", "")
    gone = ('id="review_renshe', 'id="flow_fork_renshe', 'id="flow_renshe_join')
    return "\n".join(line for line in xml.splitlines() if not any(mark in line for mark in gone))


def _deploy(api: Api, tmp_path: Path, name: str, xml: str) -> None:
    path = tmp_path / name
    path.write_text(xml, encoding="utf-8")
    services.deploy(api.platform.ctx, actors_of(api.platform)["admin"], path)


def test_a_running_matter_moves_to_a_version_with_an_added_step(api: Api, tmp_path: Path) -> None:
    matter = start_matter(api, "institution_setup")
    before = open_task(api, matter, "bianban")
    _deploy(api, tmp_path, "institution_setup.bpmn", _with_a_leader_step())

    listed = api.get("/api/v1/processes/institution_setup/versions", "admin")
    assert listed.status_code == 200, listed.text
    newest, oldest = listed.json()[0], listed.json()[-1]
    assert (newest["version"], newest["running"], newest["latest"]) == (2, 0, True)
    assert (oldest["version"], oldest["running"]) == (1, 1)

    seen = api.get("/api/v1/processes/institution_setup/migration?from_version=1", "admin")
    assert seen.status_code == 200, seen.text
    [plan] = seen.json()["matters"]
    assert (seen.json()["from"], seen.json()["to"], plan["instance_id"]) == (1, 2, matter)
    assert plan["mapped"] == [{"step": "review_bianban", "title": "编办审核", "to": "编办审核"}]
    assert plan["added"] == ["编办分管领导审核"] and plan["lost"] == [] and plan["can_migrate"] is True
    assert instance(api, matter)["version"] == 1  # a preview changes nothing

    moved = api.post("/api/v1/processes/institution_setup/migration", "admin", json={"from_version": 1})
    assert moved.status_code == 200, moved.text
    assert [m["instance_id"] for m in moved.json()["migrated"]] == [matter] and moved.json()["refused"] == []
    after = instance(api, matter)
    assert after["version"] == 2
    assert [t["id"] for t in after["tasks"]] == [before["id"]]  # the same task, in the same inbox
    [migrated] = [e for e in after["history"] if e["action"] == "migrate"]
    assert (migrated["actor"], migrated["status_after"]) == ("admin", "running")
    api.platform.ctx.store.clear()  # from the stored matter on
    assert decide(api, matter, "bianban").status_code == 200
    assert [t["step"] for t in instance(api, matter)["tasks"]] == ["编办分管领导审核"]
    assert drive(api, matter)["status"] == "completed"
    again = api.post("/api/v1/processes/institution_setup/migration", "admin", json={"from_version": 1})
    assert again.json()["migrated"] == [] and again.json()["refused"] == []  # nothing left on version 1


def test_a_matter_whose_open_step_would_be_lost_is_refused_and_stays(api: Api, tmp_path: Path) -> None:
    matter = start_demo(api)["id"]
    assert decide(api, matter, "bianban").status_code == 200
    _deploy(api, tmp_path, "demo_cross_department.bpmn", _without_renshe())
    [plan] = api.get("/api/v1/processes/demo_cross_department/migration?from_version=1", "admin").json()["matters"]
    assert plan["can_migrate"] is False and plan["removed"] == ["人社局审核"]
    assert [lost["step"] for lost in plan["lost"]] == ["review_renshe"]
    moved = api.post(
        "/api/v1/processes/demo_cross_department/migration", "admin", json={"from_version": 1, "instance_ids": [matter]}
    )
    assert moved.status_code == 200 and moved.json()["migrated"] == []
    [refused] = moved.json()["refused"]
    assert refused["code"] == "migration_would_lose" and "人社局审核" in refused["message"]
    assert instance(api, matter)["version"] == 1
    for department in ("zuzhi", "renshe", "caizheng"):
        assert decide(api, matter, department).status_code == 200
    assert instance(api, matter)["status"] == "completed"


def test_versions_and_migration_are_for_administrators(api: Api) -> None:
    for path in (
        "/api/v1/processes/institution_setup/versions",
        "/api/v1/processes/institution_setup/migration?from_version=1",
    ):
        assert_error(api.get(path, "bianban"), 403, "admin_only")
    body: dict[str, Any] = {"from_version": 1}
    assert_error(api.post("/api/v1/processes/institution_setup/migration", "bianban", json=body), 403, "admin_only")
    assert_error(api.get("/api/v1/processes/nothing_here/versions", "admin"), 404, "process_not_found")
    same = api.get("/api/v1/processes/institution_setup/migration?from_version=1&to_version=1", "admin")
    assert_error(same, 422, "same_version")

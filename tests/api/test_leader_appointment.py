"""领导职务任免 through HTTP on SQLite and PostgreSQL: 编办's 事前沟通 answers with the figures, 组织部
decides, the person's 人员分类 and 职务 count against the approved 领导职数; a removal frees the post."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from sqlalchemy import select

from onestop.bootstrap import Platform
from processes import catalogue as matters
from registry.figures import leadership_figures
from registry.models import Person, PersonHistory, Unit
from tests.api.helpers import assert_error, instance
from tests.api.test_matters import drive
from tests.conftest import Api

KEY = "leader_appointment"
UNIT = "demo-unit-001"  # 正职 1 (李明), 副职 2 (张华 and one free)


def application(**changes: Any) -> dict[str, Any]:
    form = matters.load().forms().get("leader_appointment_application")
    assert form is not None
    return {**copy.deepcopy(form.schema["examples"][0]), **changes}


def start(api: Api, data: dict[str, Any] | None = None) -> Any:
    return api.post("/api/v1/instances", "applicant", json={"process_key": KEY, "data": data or application()})


def posts(platform: Platform) -> dict[str, tuple[int, int]]:
    """(approved, used) by level."""
    with platform.ctx.reading() as session:
        unit_id = session.scalars(select(Unit.id).where(Unit.code == UNIT)).one()
        return {f.level: (f.approved, f.used) for f in leadership_figures(session, unit_id)}


def only_task(api: Api, instance_id: str) -> dict[str, Any]:
    tasks = instance(api, instance_id)["tasks"]
    assert len(tasks) == 1, tasks
    return dict(tasks[0])


def complete(api: Api, instance_id: str, user: str, decision: str = "approve", opinion: str = "同意") -> Any:
    task = only_task(api, instance_id)
    return api.post(f"/api/v1/tasks/{task['id']}/complete", user, json={"decision": decision, "opinion": opinion})


def person(platform: Platform, name: str) -> Person:
    with platform.ctx.reading() as session:
        found = session.scalars(select(Person).where(Person.name == name)).one()
        session.expunge(found)
        return found


def number_of(platform: Platform, name: str) -> str:
    return person(platform, name).id_number


def test_an_appointment_within_the_posts_is_recorded_and_counted(api: Api, platform: Platform) -> None:
    before = posts(platform)
    iid = start(api).json()["id"]
    consult = only_task(api, iid)
    assert consult["step"] == "编办领导职数事前沟通"
    shown = api.get(f"/api/v1/tasks/{consult['id']}", "bianban").json()["data"]["results"]["posts"]
    assert shown["allowed"] and "副职尚有空缺职数1名" in shown["message"]
    assert {f["level"]: f["free"] for f in shown["figures"]} == {"正职": 0, "副职": 1}
    assert complete(api, iid, "bianban").status_code == 200
    assert only_task(api, iid)["department"] == "zuzhi"
    assert complete(api, iid, "zuzhi").status_code == 200
    assert posts(platform)["副职"] == (before["副职"][0], before["副职"][1] + 1)
    zhao = person(platform, "赵磊")
    assert (zhao.category, zhao.rank) == ("领导副职", "副主任")
    finished = drive(api, iid)
    assert finished["status"] == "completed"
    documents = api.get(f"/api/v1/instances/{iid}/documents", "applicant").json()
    by_kind = {d["kind"]: d for d in documents}
    assert set(by_kind) == {"leader_posts_opinion", "appointment_notice"}
    assert by_kind["leader_posts_opinion"]["number"].startswith("示编职〔")
    assert by_kind["appointment_notice"]["number"].startswith("示组任〔")
    assert "组织部" in by_kind["appointment_notice"]["issuer"]
    download = api.get(f"/api/v1/documents/{by_kind['appointment_notice']['id']}/download", "applicant")
    verified = api.client.post("/api/v1/verify", files={"file": ("任免通知.pdf", download.content)}).json()
    assert verified["valid"] and verified["document_number"] == by_kind["appointment_notice"]["number"]


def test_over_the_posts_bianban_sees_why_and_refuses(api: Api, platform: Platform) -> None:
    data = application(level="正职", position="主任")  # 正职: 1 approved, 李明 holds it
    iid = start(api, data).json()["id"]
    shown = instance(api, iid)["data"]["results"]["posts"]
    assert not shown["allowed"] and "正职核定1名，已配备1名" in shown["message"]
    assert complete(api, iid, "bianban", "reject", "正职职数已满，不同意任职").status_code == 200
    detail = instance(api, iid)
    assert (detail["status"], detail["outcome"]) == ("rejected", "超出领导职数，编办不同意")
    assert person(platform, "赵磊").category == "非领导"


def test_the_posts_are_checked_again_when_recorded(api: Api, platform: Platform) -> None:
    """Two appointments to the one free 副职 both pass 事前沟通; the second to be recorded is refused."""
    first = start(api).json()["id"]
    second = start(api, application(name="王芳", id_number=number_of(platform, "王芳"), position="副主任")).json()["id"]
    for iid in (first, second):
        assert complete(api, iid, "bianban").status_code == 200
    assert complete(api, first, "zuzhi").status_code == 200
    assert complete(api, second, "zuzhi").status_code == 200
    detail = instance(api, second)
    assert (detail["status"], detail["outcome"]) == ("rejected", "领导职数已满，不予任职")
    assert "超出核定领导职数" in detail["data"]["results"]["appointment"]["message"]
    assert person(platform, "王芳").category == "非领导"


def test_returned_by_the_organization_department_then_resubmitted(api: Api, platform: Platform) -> None:
    iid = start(api).json()["id"]
    assert complete(api, iid, "bianban").status_code == 200
    assert complete(api, iid, "zuzhi", "return", "请补充民主推荐和考察情况").status_code == 200
    assert instance(api, iid)["status"] == "returned"
    correction = only_task(api, iid)
    data = api.get(f"/api/v1/tasks/{correction['id']}", "applicant").json()["prefill"]
    data["reason"] += "民主推荐得票率92%，考察结论为优秀。"
    response = api.post(
        f"/api/v1/tasks/{correction['id']}/complete", "applicant", json={"decision": "submit", "data": data}
    )
    assert response.status_code == 200, response.text
    assert only_task(api, iid)["step"] == "编办领导职数事前沟通"  # the figures are checked again
    assert drive(api, iid)["status"] == "completed"
    assert person(platform, "赵磊").category == "领导副职"


def test_a_removal_frees_the_post_without_consultation(api: Api, platform: Platform) -> None:
    before = posts(platform)
    data = application(action="remove", name="张华", id_number=number_of(platform, "张华"), position="副主任")
    data.pop("level")
    iid = start(api, data).json()["id"]
    assert only_task(api, iid)["department"] == "zuzhi"  # no 事前沟通 for a removal
    finished = drive(api, iid)
    assert finished["status"] == "completed"
    assert posts(platform)["副职"] == (before["副职"][0], before["副职"][1] - 1)
    zhang = person(platform, "张华")
    assert (zhang.category, zhang.rank, zhang.status) == ("非领导", "", "在编")
    with platform.ctx.reading() as session:
        events = session.scalars(select(PersonHistory.event).where(PersonHistory.person_id == zhang.id)).all()
    assert "免职" in events
    kinds = [d["kind"] for d in api.get(f"/api/v1/instances/{iid}/documents", "applicant").json()]
    assert kinds == ["appointment_notice"]


@pytest.mark.parametrize(
    ("changes", "path", "says"),
    [
        ({"id_number": "11010519491231002X", "name": "无此人"}, "/id_number", "本单位没有该在编人员"),
        ({"name": "赵雷"}, "/name", "台账为赵磊"),
        ({"level": None}, "/level", "任职须选择正职或副职"),
        ({"action": "remove"}, "/action", "未担任领导职务"),
    ],
)
def test_refused_at_submission(sqlite_api: Api, changes: dict[str, Any], path: str, says: str) -> None:
    data = application(**changes)
    data = {k: v for k, v in data.items() if v is not None}
    body = assert_error(start(sqlite_api, data), 422, "form_invalid")
    found = {d["path"]: d["message"] for d in body["details"]}
    assert says in found[path], found

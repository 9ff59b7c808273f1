"""人员调动 through HTTP on SQLite and PostgreSQL: both units consent, the place moves with the
person in one change, and each refusal ends the matter with nothing written."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from sqlalchemy import select

from onestop.bootstrap import Platform
from processes import catalogue as matters
from registry.figures import unit_figures
from registry.models import Person, PersonHistory, Quota, Reservation, Unit
from tests.api.helpers import add_user, assert_error, instance
from tests.api.test_matters import drive
from tests.conftest import Api

KEY = "staff_transfer"
FULL = "事业编制（全额拨款）"
RECEIVING, LEAVING = "demo-unit-001", "demo-unit-003"  # 数据资源服务中心 takes 孙伟 from 档案馆


def application(**changes: Any) -> dict[str, Any]:
    form = matters.load().forms().get("staff_transfer_application")
    assert form is not None
    return {**copy.deepcopy(form.schema["examples"][0]), **changes}


def start(api: Api, data: dict[str, Any] | None = None, *, as_user: str = "applicant") -> Any:
    return api.post("/api/v1/instances", as_user, json={"process_key": KEY, "data": data or application()})


def figures(platform: Platform, code: str, est_type: str = FULL) -> tuple[int, int]:
    """(actual, reserved) of the unit's type."""
    with platform.ctx.reading() as session:
        unit_id = session.scalars(select(Unit.id).where(Unit.code == code)).one()
        found = next(f for f in unit_figures(session, unit_id) if f.est_type == est_type)
        return found.actual, found.reserved


def only_task(api: Api, instance_id: str) -> dict[str, Any]:
    tasks = instance(api, instance_id)["tasks"]
    assert len(tasks) == 1, tasks
    return dict(tasks[0])


def complete(api: Api, task_id: str, user: str, decision: str = "approve", opinion: str = "同意", **extra: Any) -> Any:
    return api.post(f"/api/v1/tasks/{task_id}/complete", user, json={"decision": decision, "opinion": opinion, **extra})


def test_both_units_consent_and_the_place_moves_with_the_person(api: Api, platform: Platform) -> None:
    receiving, leaving = figures(platform, RECEIVING), figures(platform, LEAVING)
    response = start(api)
    assert response.status_code == 201, response.text
    iid = response.json()["id"]

    api.run_worker()  # the unit left is told, not the receiving unit (its matter is not back for correction)
    told = [(n["kind"], n["message"]) for n in api.get("/api/v1/notifications", "clerk003").json()]
    assert [kind for kind, _ in told] == ["task"] and "新的待办：调出单位同意调出" in told[0][1]
    assert api.get("/api/v1/notifications", "applicant").json() == []
    consent = only_task(api, iid)  # the unit left is asked first, in its own clerk's list
    assert (consent["step"], consent["department"], consent["acting_unit"]) == ("调出单位同意调出", "unit", LEAVING)
    assert [t["id"] for t in api.get("/api/v1/tasks", "clerk003").json()] == [consent["id"]]
    assert consent["id"] not in [t["id"] for t in api.get("/api/v1/tasks", "applicant").json()]
    assert_error(complete(api, consent["id"], "applicant"), 403, "not_your_unit")  # the receiving unit cannot consent
    assert complete(api, consent["id"], "clerk003", opinion="同意调出").status_code == 200
    assert api.get(f"/api/v1/instances/{iid}", "clerk003").status_code == 200  # the unit left follows the matter

    assert complete(api, only_task(api, iid)["id"], "bianban").status_code == 200  # 编办: a place reserved
    assert figures(platform, RECEIVING) == (receiving[0], receiving[1] + 1)
    hire = only_task(api, iid)
    assert hire["department"] == "renshe"  # a 事业单位 receives: 人社局 approves
    assert complete(api, hire["id"], "renshe").status_code == 200  # 编办 moves the person in this step
    assert figures(platform, RECEIVING) == (receiving[0] + 1, receiving[1])
    assert figures(platform, LEAVING) == (leaving[0] - 1, leaving[1])

    finished = drive(api, iid)  # 财政 moves the payroll; the notice is issued
    assert finished["status"] == "completed" and finished["outcome"] == "办结"
    with platform.ctx.reading() as session:
        person = session.scalars(select(Person).where(Person.name == "孙伟")).one()
        unit = session.get(Unit, person.unit_id)
        assert unit is not None and (unit.code, person.status, person.entry_form) == (RECEIVING, "在编", "调入")
        notice = session.scalars(select(Reservation).where(Reservation.instance_id == iid)).one()
        assert (notice.status, notice.used) == ("used", 1) and person.notice_no == notice.number
        lines = session.execute(
            select(PersonHistory.event, Unit.code, PersonHistory.doc_no)
            .join(Unit, Unit.id == PersonHistory.unit_id)
            .where(PersonHistory.person_id == person.id, PersonHistory.event.in_(("调出", "调入")))
            .order_by(PersonHistory.id)
        ).all()
        assert [tuple(line) for line in lines] == [("调出", LEAVING, notice.number), ("调入", RECEIVING, notice.number)]
    documents = api.get(f"/api/v1/instances/{iid}/documents", "applicant").json()
    assert [d["kind"] for d in documents] == ["staff_transfer_notice"]
    assert documents[0]["number"].startswith("示编调〔")
    download = api.get(f"/api/v1/documents/{documents[0]['id']}/download", "clerk003")  # the unit left has its copy
    assert download.status_code == 200 and download.content.startswith(b"%PDF-")
    verified = api.client.post("/api/v1/verify", files={"file": ("调动通知单.pdf", download.content)}).json()
    assert verified["valid"] and verified["document_number"] == documents[0]["number"]
    found = api.get("/api/v1/archive/records", "archivist", params={"q": "孙伟"}).json()
    assert iid in {r["instance_id"] for r in found["items"]}


def test_returned_by_bianban_then_corrected_and_consented_again(api: Api, platform: Platform) -> None:
    iid = start(api).json()["id"]
    first = only_task(api, iid)
    assert complete(api, first["id"], "clerk003").status_code == 200
    review = only_task(api, iid)
    assert complete(api, review["id"], "bianban", "return", "请写明拟任岗位的职责").status_code == 200
    assert instance(api, iid)["status"] == "returned"
    correction = only_task(api, iid)
    assert correction["role"] == "applicant" and correction["acting_unit"] == RECEIVING
    data = api.get(f"/api/v1/tasks/{correction['id']}", "applicant").json()["prefill"]
    data["post"] = "数据治理专业技术岗（负责政务数据目录编制）"
    response = api.post(
        f"/api/v1/tasks/{correction['id']}/complete", "applicant", json={"decision": "submit", "data": data}
    )
    assert response.status_code == 200, response.text
    again = only_task(api, iid)  # the corrected application goes back to the unit left for its consent
    assert again["acting_unit"] == LEAVING and again["id"] != first["id"]  # asked anew
    finished = drive(api, iid)
    assert finished["status"] == "completed"
    assert finished["data"]["application"]["post"].endswith("（负责政务数据目录编制）")


def test_the_unit_left_refuses_and_nothing_is_reserved(api: Api, platform: Platform) -> None:
    before = figures(platform, RECEIVING)
    iid = start(api).json()["id"]
    consent = only_task(api, iid)
    assert_error(complete(api, consent["id"], "clerk003", "reject", ""), 422, "opinion_required")
    assert complete(api, consent["id"], "clerk003", "reject", "该同志承担重点项目，暂不同意调出").status_code == 200
    detail = instance(api, iid)
    assert (detail["status"], detail["outcome"]) == ("rejected", "调出单位不同意调出")
    assert figures(platform, RECEIVING) == before
    with platform.ctx.reading() as session:
        assert session.scalars(select(Reservation).where(Reservation.instance_id == iid)).all() == []


def test_no_place_of_that_type_at_the_receiving_unit_is_refused_with_the_figures(api: Api, platform: Platform) -> None:
    """档案馆 is over its approved number: it takes nobody, not even by transfer."""
    data = application(name="赵磊", id_number=_number(platform, "赵磊"), from_unit="示范市数据资源服务中心")
    iid = start(api, data, as_user="clerk003").json()["id"]
    consent = only_task(api, iid)
    assert consent["acting_unit"] == RECEIVING
    assert complete(api, consent["id"], "applicant").status_code == 200
    detail = instance(api, iid)
    assert (detail["status"], detail["outcome"]) == ("rejected", "调入单位空缺不足，不予调入")
    assert "超编" in detail["data"]["results"]["vacancy"]["message"]


def test_a_transfer_into_an_organ_goes_to_the_organization_department(api: Api, platform: Platform) -> None:
    with platform.ctx.transaction() as session:
        organ = Unit(
            code="demo-unit-009", name="示范市政务服务中心", kind="机关", region_code="141002", funding_form="财政拨款"
        )
        session.add(organ)
        session.flush()
        session.add(Quota(unit_id=organ.id, est_type="行政编制", approved=3))
    add_user(platform, "clerk009", roles=["applicant"], unit_code="demo-unit-009")
    add_user(platform, "clerk002", roles=["applicant"], unit_code="demo-unit-002")
    data = application(
        name="黄涛", id_number=_number(platform, "黄涛"), from_unit="示范市行政审批服务管理局", post_category="管理"
    )
    iid = start(api, data, as_user="clerk009").json()["id"]
    assert complete(api, only_task(api, iid)["id"], "clerk002").status_code == 200
    assert complete(api, only_task(api, iid)["id"], "bianban").status_code == 200
    hire = only_task(api, iid)
    assert hire["department"] == "zuzhi"
    assert complete(api, hire["id"], "zuzhi", "reject", "不符合公务员转任条件").status_code == 200
    detail = instance(api, iid)
    assert (detail["status"], detail["outcome"]) == ("rejected", "不予调动")
    assert figures(platform, "demo-unit-009", "行政编制") == (0, 0)  # the notice was released
    assert figures(platform, "demo-unit-002", "行政编制")[0] == 4  # 黄涛 still in his unit


@pytest.mark.parametrize(
    ("changes", "path", "says"),
    [
        ({"id_number": "11010519491231002X", "name": "无此人"}, "/id_number", "不在实名制在编人员中"),
        ({"name": "孙薇"}, "/name", "台账为孙伟"),
        ({"from_unit": "示范市行政审批服务管理局"}, "/from_unit", "在编单位为示范市档案馆"),
        ({"name": "赵磊", "from_unit": "示范市数据资源服务中心"}, "/id_number", "无需调动"),
        ({"name": "刘洋", "from_unit": "示范市行政审批服务管理局"}, "/id_number", "未核定行政编制"),
    ],
)
def test_refused_at_submission_with_the_field_and_nothing_started(
    sqlite_api: Api, sqlite_platform: Platform, changes: dict[str, Any], path: str, says: str
) -> None:
    if "id_number" not in changes and changes.get("name") in ("赵磊", "刘洋"):
        changes = {**changes, "id_number": _number(sqlite_platform, changes["name"])}
    body = assert_error(start(sqlite_api, application(**changes)), 422, "form_invalid")
    found = {d["path"]: d["message"] for d in body["details"]}
    assert says in found[path], found
    assert sqlite_api.get("/api/v1/instances", "applicant", params={"process_key": KEY}).json()["total"] == 0


def test_one_transfer_of_a_person_at_a_time(sqlite_api: Api) -> None:
    first = start(sqlite_api).json()["id"]
    body = assert_error(start(sqlite_api), 422, "form_invalid")
    assert "已有正在办理的调动事项" in body["details"][0]["message"]
    consent = only_task(sqlite_api, first)
    assert complete(sqlite_api, consent["id"], "clerk003", "reject", "暂不同意").status_code == 200
    assert start(sqlite_api).status_code == 201  # the first ended: a new application may be made


def test_another_unit_neither_sees_nor_decides_the_consent(sqlite_api: Api, sqlite_platform: Platform) -> None:
    add_user(sqlite_platform, "clerk002", roles=["applicant"], unit_code="demo-unit-002")
    iid = start(sqlite_api).json()["id"]
    consent = only_task(sqlite_api, iid)
    assert_error(sqlite_api.get(f"/api/v1/tasks/{consent['id']}", "clerk002"), 404, "task_not_found")
    assert_error(complete(sqlite_api, consent["id"], "clerk002"), 404, "task_not_found")
    assert_error(complete(sqlite_api, consent["id"], "bianban"), 404, "task_not_found")  # not yet its matter
    handed = sqlite_api.post(
        f"/api/v1/tasks/{consent['id']}/transfer", "clerk003", json={"to": "applicant", "opinion": "请代办"}
    )
    assert_error(handed, 409, "unit_task")


def _number(platform: Platform, name: str) -> str:
    with platform.ctx.reading() as session:
        return str(session.scalars(select(Person.id_number).where(Person.name == name)).one())

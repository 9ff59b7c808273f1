"""事业单位法人变更、注销登记 through HTTP on SQLite and PostgreSQL: each item changed with its
evidence and recorded as a unit event, the 法人证书 reissued with its validity kept; a change of
名称 rests on a 批复; 注销 refused while persons are 在编, then the code cancelled for good;
return and refusal change nothing."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from onestop.bootstrap import Platform
from registry.models import LegalPerson, Person, Unit, UnitEvent
from tests.api.helpers import assert_error, instance
from tests.api.test_matters import drive
from tests.api.test_staff_plan import complete, example, only_task, start
from tests.conftest import Api

UNIT = "demo-unit-001"  # 示范市数据资源服务中心, registered in the demo (住所 示范市尧都区鼓楼北街1号)
NEW_ADDRESS = "示范市尧都区解放路99号政务服务中心6层"


def application(**changes: Any) -> dict[str, Any]:
    return example("legal_person_application", **changes)


def registered(platform: Platform) -> tuple[Unit, LegalPerson]:
    with platform.ctx.reading() as session:
        unit = session.scalars(select(Unit).where(Unit.code == UNIT)).one()
        lp = session.get(LegalPerson, unit.id)
        assert lp is not None
        session.expunge_all()
        return unit, lp


def test_a_change_is_recorded_with_its_evidence_and_the_certificate_reissued(api: Api, platform: Platform) -> None:
    _, before = registered(platform)
    iid = start(api, "legal_person_change", application()).json()["id"]
    task = only_task(api, iid)
    assert task["department"] == "bianban" and task["step"] == "登记管理局审查决定"
    finished = drive(api, iid)
    assert finished["status"] == "completed", finished
    _, after = registered(platform)
    assert after.address == NEW_ADDRESS and after.valid_until == before.valid_until
    documents = api.get(f"/api/v1/instances/{iid}/documents", "applicant").json()
    assert sorted(d["kind"] for d in documents) == ["legal_person_certificate", "legal_person_change_notice"]
    with platform.ctx.reading() as session:
        events = session.scalars(select(UnitEvent).where(UnitEvent.event == "法人变更登记：住所")).all()
        assert [(e.before, e.after) for e in events] == [("示范市尧都区鼓楼北街1号", NEW_ADDRESS)]
        assert events[0].basis_doc_no.startswith("不动产权证书")


def test_every_change_needs_its_evidence_and_a_real_difference(api: Api) -> None:
    same = application(changes=[{"item": "住所", "after": "示范市尧都区鼓楼北街1号", "evidence": "证明"}])
    assert "与登记的相同" in start(api, "legal_person_change", same).text
    fund = application(changes=[{"item": "开办资金", "after": "很多", "evidence": "验资报告"}])
    assert "开办资金应为不小于0的金额" in start(api, "legal_person_change", fund).text
    leader = application(changes=[{"item": "法定代表人", "after": "张华", "evidence": "任免通知"}])
    assert "新法定代表人的有效身份证号" in start(api, "legal_person_change", leader).text
    none = application(changes=[])
    assert_error(start(api, "legal_person_change", none), 422, "form_invalid")


def test_a_name_change_rests_on_a_reply(api: Api, platform: Platform) -> None:
    rename = application(changes=[{"item": "名称", "after": "示范市数据局数据中心", "evidence": "晋编〔2026〕99号"}])
    refused = start(api, "legal_person_change", rename)
    assert "名称变更须依据本平台出具的机构编制批复" in refused.text
    taken = application(changes=[{"item": "名称", "after": "示范市档案馆", "evidence": "晋编〔2026〕99号"}])
    assert "已由其他单位使用" in start(api, "legal_person_change", taken).text


def test_returned_then_resubmitted_with_a_second_item(api: Api, platform: Platform) -> None:
    iid = start(api, "legal_person_change", application()).json()["id"]
    assert complete(api, iid, "bianban", "return", "请补充开办资金变更").status_code == 200
    task = only_task(api, iid)
    changes = [*application()["changes"], {"item": "开办资金", "after": "800", "evidence": "财政部门资金证明"}]
    body = {"decision": "submit", "data": application(changes=changes)}
    assert api.post(f"/api/v1/tasks/{task['id']}/complete", "applicant", json=body).status_code == 200
    assert drive(api, iid)["status"] == "completed"
    _, lp = registered(platform)
    assert (lp.address, lp.start_fund) == (NEW_ADDRESS, 800)


def test_refused_by_the_registry_changes_nothing(api: Api, platform: Platform) -> None:
    iid = start(api, "legal_person_change", application()).json()["id"]
    assert complete(api, iid, "bianban", "reject", "证明材料不符合要求").status_code == 200
    assert instance(api, iid)["status"] == "rejected"
    assert registered(platform)[1].address == "示范市尧都区鼓楼北街1号"


def test_cancellation_waits_for_nobody_in_place_then_cancels_the_code(api: Api, platform: Platform) -> None:
    cancel = application(kind="注销登记", changes=[], cancel_reason="撤销", cancel_basis="示编〔2026〕8号")
    refused = start(api, "legal_person_change", cancel)
    assert_error(refused, 422, "form_invalid")
    assert "尚有在编人员" in refused.text
    unit, _ = registered(platform)
    with platform.ctx.transaction() as session:  # everyone has left (出编 is its own matter)
        for person in session.scalars(select(Person).where(Person.unit_id == unit.id, Person.status == "在编")):
            person.status = "出编"
    iid = start(api, "legal_person_change", cancel).json()["id"]
    finished = drive(api, iid)
    assert finished["status"] == "completed", finished
    unit, lp = registered(platform)
    assert unit.status == "cancelled" and lp.status == "cancelled"
    with platform.ctx.reading() as session:
        [cancelled] = session.scalars(select(UnitEvent).where(UnitEvent.unit_id == unit.id, UnitEvent.event == "注销"))
        assert (cancelled.after, cancelled.basis_doc_no) == ("cancelled", "示编〔2026〕8号")
        assert finished["data"]["results"]["registration"]["code"] == "12141002MB1234562N"
    documents = api.get(f"/api/v1/instances/{iid}/documents", "applicant").json()
    assert [d["kind"] for d in documents] == ["legal_person_cancel_notice"]
    again = start(api, "legal_person_change", application())
    assert again.status_code in (403, 409, 422)  # a cancelled unit starts nothing


def test_a_unit_without_a_registration_is_told_so(api: Api) -> None:
    """示范市档案馆 is a 事业单位 registered elsewhere, before the platform: nothing to change here."""
    body = {"process_key": "legal_person_change", "data": application()}
    refused = api.post("/api/v1/instances", "clerk003", json=body)
    assert_error(refused, 422, "form_invalid")
    assert "未在本平台办理事业单位法人登记" in refused.text

"""机构撤并更名 through HTTP on SQLite and PostgreSQL: a rename keeps the code and moves the domain
and the legal person's certificate to the new name; a merge moves every place and person to the
unit merged into and cancels the code, the domain and the legal-person registration in one step;
a 撤销 with nobody in place writes the places off to the region; return and refusal change
nothing."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select

from kernel import clock
from onestop.bootstrap import Platform
from registry import totals
from registry.domain_names import period_end
from registry.figures import unit_figures
from registry.models import DomainName, IssuedCode, LegalPerson, Person, PersonHistory, Reservation, Unit
from tests.api.helpers import assert_error, instance
from tests.api.test_matters import drive
from tests.api.test_staff_plan import complete, example, only_task, start
from tests.conftest import Api

FULL = "事业编制（全额拨款）"
REGION = "141002"
CENTRE, AGENCY, ARCHIVE, ANNALS = "demo-unit-001", "demo-unit-002", "demo-unit-003", "demo-unit-005"


def restructure(**changes: Any) -> dict[str, Any]:
    return example("unit_restructure_application", **changes)


def merge(**changes: Any) -> dict[str, Any]:
    changes = {"to_unit": "示范市档案馆", **changes}
    data = restructure(kind="合并", reason="按照机构改革方案并入示范市档案馆。", **changes)
    for key in ("new_name", "new_short_name"):
        data.pop(key)
    return data


def unit(platform: Platform, code: str) -> Unit:
    with platform.ctx.reading() as session:
        found = session.scalars(select(Unit).where(Unit.code == code)).one()
        session.expunge(found)
        return found


def places(platform: Platform, code: str) -> dict[str, tuple[int, int]]:
    """approved and actual by type (types with either)."""
    with platform.ctx.reading() as session:
        unit_id = session.scalars(select(Unit.id).where(Unit.code == code)).one()
        return {f.est_type: (f.approved, f.actual) for f in unit_figures(session, unit_id) if f.approved or f.actual}


def allocated(platform: Platform) -> int:
    with platform.ctx.reading() as session:
        return totals.allocated(session, REGION).get(FULL, 0)


def give_domain(platform: Platform, code: str, name: str) -> None:
    today = clock.today()
    with platform.ctx.transaction() as session:
        unit_id = session.scalars(select(Unit.id).where(Unit.code == code)).one()
        session.add(DomainName(name=name, unit_id=unit_id, registered_on=today, expires_on=period_end(today)))


def domains(platform: Platform) -> dict[str, tuple[str, str]]:
    """name: (holder's code, status)."""
    with platform.ctx.reading() as session:
        rows = session.execute(select(DomainName.name, Unit.code, DomainName.status).join(Unit)).all()
        return {name: (code, status) for name, code, status in rows}


def decided(api: Api, data: dict[str, Any], user: str = "applicant") -> dict[str, Any]:
    response = start(api, "unit_restructure", data, user)
    assert response.status_code == 201, response.text
    finished = drive(api, response.json()["id"])
    assert finished["status"] == "completed", finished
    return finished


def test_a_rename_keeps_the_code_and_moves_the_domain_and_the_certificate(api: Api, platform: Platform) -> None:
    give_domain(platform, CENTRE, "市数据资源中心.公益")
    before = unit(platform, CENTRE)
    iid = start(api, "unit_restructure", restructure()).json()["id"]
    check = instance(api, iid)["data"]["results"]["restructure_check"]
    assert check["allowed"] is True and "中文域名：市数据资源中心.公益" in check["figures"]
    assert complete(api, iid, "bianban").status_code == 200
    assert sorted(t["assignee"] for t in instance(api, iid)["tasks"]) == ["bianwei1", "bianwei2", "bianwei3"]
    finished = drive(api, iid)
    done = finished["data"]["results"]["restructure"]
    assert done["done"] is True and done["old_name"] == "示范市数据资源服务中心"
    after = unit(platform, CENTRE)
    assert (after.name, after.short_name) == ("示范市大数据发展服务中心", "市大数据中心")
    assert after.credit_code == before.credit_code
    assert domains(platform) == {
        "市数据资源中心.公益": (CENTRE, "cancelled"),
        "市大数据中心.公益": (CENTRE, "active"),
    }
    assert "caizheng" not in {entry["actor"] for entry in finished["history"]}  # a rename moves no budget
    documents = api.get(f"/api/v1/instances/{iid}/documents", "applicant").json()
    assert sorted(d["kind"] for d in documents) == ["legal_person_certificate", "unit_restructure_reply"]
    assert any("编改〔" in d["number"] for d in documents)
    events = api.get(f"/api/v1/register/units/{CENTRE}", "bianban").json()["events"]
    assert events[0]["event"] == "更名" and events[0]["after"] == "示范市大数据发展服务中心"


def test_a_merge_moves_places_and_persons_and_cancels_code_domain_and_legal_person(
    api: Api, platform: Platform
) -> None:
    give_domain(platform, ANNALS, "示范市地方志研究室.公益")
    with platform.ctx.transaction() as session:
        annals = session.scalars(select(Unit).where(Unit.code == ANNALS)).one()
        session.add(IssuedCode(code=annals.credit_code, block_id=1, seq=1, unit_id=annals.id))
        session.add(
            LegalPerson(
                unit_id=annals.id, representative="郭志远", representative_id="", address="示范市解放路3号",
                purpose="地方志编纂", start_fund=10, sponsor="示范市人民政府", registered_on=date(2024, 1, 1),
                valid_until=date(2029, 1, 1),
            )
        )  # fmt: skip
    archive, annals_before, total = places(platform, ARCHIVE), places(platform, ANNALS), allocated(platform)
    finished = decided(api, merge(), "clerk005")
    done = finished["data"]["results"]["restructure"]
    assert done["persons"] == ["郭志远", "韩雪"] and done["places"] == {FULL: 2}
    moved = annals_before[FULL]
    assert places(platform, ARCHIVE) == {FULL: (archive[FULL][0] + moved[0], archive[FULL][1] + moved[1])}
    assert places(platform, ANNALS) == {}
    assert allocated(platform) == total  # conserved within the region
    assert "caizheng" in {entry["actor"] for entry in finished["history"]}  # 财政 moved the budget
    with platform.ctx.reading() as session:
        gone = session.scalars(select(Unit).where(Unit.code == ANNALS)).one()
        assert gone.status == "cancelled"
        assert session.get(IssuedCode, gone.credit_code).status == "cancelled"  # type: ignore[union-attr]
        lp = session.get(LegalPerson, gone.id)
        assert lp is not None and lp.status == "cancelled" and lp.cancelled_on == clock.today()
        guo = session.scalars(select(Person).where(Person.name == "郭志远")).one()
        assert (guo.unit_id, guo.category) != (gone.id, "领导正职")  # moved, as 非领导
        events = session.scalars(select(PersonHistory.event).where(PersonHistory.person_id == guo.id)).all()
        assert events[-2:] == ["划出", "划入"]
    assert domains(platform)["示范市地方志研究室.公益"] == (ANNALS, "cancelled")
    documents = api.get(f"/api/v1/instances/{finished['id']}/documents", "clerk005").json()
    assert [d["kind"] for d in documents] == ["unit_restructure_reply"]
    # A cancelled unit starts nothing more, and its old code is never issued again.
    again = start(api, "unit_restructure", merge(), "clerk005")
    assert again.status_code in (403, 409, 422) and "撤销" in again.text


def test_a_cancellation_with_nobody_in_place_writes_the_places_off(api: Api, platform: Platform) -> None:
    with platform.ctx.transaction() as session:
        annals = session.scalars(select(Unit).where(Unit.code == ANNALS)).one()
        for person in session.scalars(select(Person).where(Person.unit_id == annals.id)):
            person.status, person.exit_reason = "出编", "退休"
    total = allocated(platform)
    data = restructure(kind="撤销", reason="职能已划入其他单位，不再保留。")
    for key in ("new_name", "new_short_name"):
        data.pop(key)
    finished = decided(api, data, "clerk005")
    assert "收回本地区编制总量" in finished["data"]["results"]["restructure"]["message"]
    assert allocated(platform) == total - 2 and places(platform, ANNALS) == {}


def test_a_cancellation_with_persons_in_place_needs_a_receiving_unit(api: Api, platform: Platform) -> None:
    data = restructure(kind="撤销", reason="职能已划入其他单位，不再保留。")
    for key in ("new_name", "new_short_name"):
        data.pop(key)
    refused = start(api, "unit_restructure", data, "clerk005")
    assert_error(refused, 422, "form_invalid")
    assert "尚有在编人员2名" in refused.text and "/to_unit" in refused.text


@pytest.mark.parametrize(
    ("to_unit", "says"),
    [
        ("不存在的单位", "登记簿中没有名为"),
        ("示范市地方志研究室", "不能是本单位"),
        ("示范市行政审批服务管理局", "不能整建制划入"),
        ("示范市职业技能培训中心", "已撤销或冻结"),
    ],
)
def test_a_merge_checks_the_unit_merged_into(api: Api, to_unit: str, says: str) -> None:
    refused = start(api, "unit_restructure", merge(to_unit=to_unit), "clerk005")
    assert_error(refused, 422, "form_invalid")
    assert says in refused.text


def test_an_unused_notice_stops_a_merge_until_it_ends(api: Api, platform: Platform) -> None:
    with platform.ctx.transaction() as session:
        annals = session.scalars(select(Unit).where(Unit.code == ANNALS)).one()
        session.add(Reservation(number="核编〔2026〕99号", unit_id=annals.id, est_type=FULL, places=1))
    refused = start(api, "unit_restructure", merge(), "clerk005")
    assert_error(refused, 422, "form_invalid")
    assert "核编〔2026〕99号" in refused.text


def test_a_rename_to_a_name_in_use_is_refused(api: Api) -> None:
    refused = start(api, "unit_restructure", restructure(new_name="示范市档案馆"))
    assert_error(refused, 422, "form_invalid")
    assert "已由其他单位使用" in refused.text


def test_returned_for_correction_and_resubmitted(api: Api, platform: Platform) -> None:
    iid = start(api, "unit_restructure", restructure()).json()["id"]
    assert complete(api, iid, "bianban", "return", "请附市委编委会议纪要").status_code == 200
    task = only_task(api, iid)
    assert task["role"] == "applicant"
    data = restructure(new_name="示范市数据发展服务中心", decision_basis="示编委〔2026〕3号")
    resubmit = {"decision": "submit", "data": data}
    assert api.post(f"/api/v1/tasks/{task['id']}/complete", "applicant", json=resubmit).status_code == 200
    assert drive(api, iid)["status"] == "completed"
    assert unit(platform, CENTRE).name == "示范市数据发展服务中心"


def test_refused_by_bianban_or_by_a_member_changes_nothing(api: Api, platform: Platform) -> None:
    iid = start(api, "unit_restructure", merge(), "clerk005").json()["id"]
    assert complete(api, iid, "bianban", "reject", "不符合机构改革方案").status_code == 200
    assert instance(api, iid)["status"] == "rejected"
    iid = start(api, "unit_restructure", merge(), "clerk005").json()["id"]
    assert complete(api, iid, "bianban").status_code == 200
    votes = {t["assignee"]: t for t in instance(api, iid)["tasks"]}
    for member, decision in (("bianwei1", "approve"), ("bianwei2", "reject"), ("bianwei3", "approve")):
        body = {"decision": decision, "opinion": "同意" if decision == "approve" else "暂缓"}
        assert api.post(f"/api/v1/tasks/{votes[member]['id']}/complete", member, json=body).status_code == 200
    assert instance(api, iid)["status"] == "rejected"
    assert unit(platform, ANNALS).status == "active" and places(platform, ANNALS) == {FULL: (2, 2)}
    with platform.ctx.reading() as session:
        assert session.scalar(select(func.count()).select_from(PersonHistory).where(PersonHistory.event == "划入")) == 0


def test_a_change_between_decision_and_carrying_out_ends_it_unchanged(api: Api, platform: Platform) -> None:
    iid = start(api, "unit_restructure", merge(), "clerk005").json()["id"]
    assert complete(api, iid, "bianban").status_code == 200
    with platform.ctx.transaction() as session:  # the unit merged into is frozen meanwhile
        session.scalars(select(Unit).where(Unit.code == ARCHIVE)).one().status = "frozen"
    finished = drive(api, iid)
    assert finished["status"] == "completed" and finished["data"]["results"]["restructure"]["done"] is False
    assert unit(platform, ANNALS).status == "active" and places(platform, ANNALS) == {FULL: (2, 2)}

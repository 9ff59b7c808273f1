"""编制调整 through HTTP on SQLite and PostgreSQL: 核增 within the region's 总量, 核减 never below
what is occupied, 划转 moving places with their persons, 周转池 loans lent and given back; 编委
decides by countersign (or the director, as the deployed process says); return and refusal
change nothing."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from engine import services
from onestop.bootstrap import Platform
from registry import totals
from registry.figures import type_figures
from registry.models import Person, PoolLoan, Unit
from tests.api.helpers import assert_error, instance
from tests.api.test_matters import drive
from tests.api.test_staff_plan import complete, example, only_task, start
from tests.conftest import Api, actors_of

FULL = "事业编制（全额拨款）"
UNIT, OTHER = "demo-unit-001", "demo-unit-003"  # 示范市数据资源服务中心 (20 approved, 4 in place), 示范市档案馆 (3, 3)
REGION = "141002"


def adjustment(**changes: Any) -> dict[str, Any]:
    return example("staff_adjustment_application", **changes)


def figures(platform: Platform, code: str = UNIT) -> tuple[int, int, int]:
    """approved, lent, actual of the full-funded type at ``code``."""
    with platform.ctx.reading() as session:
        unit_id = session.scalars(select(Unit.id).where(Unit.code == code)).one()
        f = type_figures(session, unit_id, FULL)
        return f.approved, f.lent, f.actual


def region(platform: Platform) -> totals.RegionFigures:
    with platform.ctx.reading() as session:
        found = totals.figures_of(session, REGION, FULL)
        assert found is not None
        return found


def decided(api: Api, data: dict[str, Any]) -> dict[str, Any]:
    """Started, approved by 编办 and 编委 (every member countersigns), finished with its documents."""
    response = start(api, "staff_adjustment", data)
    assert response.status_code == 201, response.text
    finished = drive(api, response.json()["id"])
    assert finished["status"] == "completed", finished
    return finished


def test_an_increase_within_the_total_is_decided_by_countersign_and_recorded(api: Api, platform: Platform) -> None:
    approved, lent, actual = figures(platform)
    before = region(platform)
    iid = start(api, "staff_adjustment", adjustment()).json()["id"]
    check = instance(api, iid)["data"]["results"]["adjustment_check"]
    assert check["allowed"] is True and any(line.startswith("本地区：") for line in check["figures"])
    assert complete(api, iid, "bianban").status_code == 200
    votes = instance(api, iid)["tasks"]
    assert sorted(t["assignee"] for t in votes) == ["bianwei1", "bianwei2", "bianwei3"]  # the countersign
    finished = drive(api, iid)
    assert finished["data"]["results"]["adjustment"]["done"] is True
    assert figures(platform) == (approved + 2, lent, actual)
    assert region(platform).allocated == before.allocated + 2 and region(platform).headroom == before.headroom - 2
    documents = api.get(f"/api/v1/instances/{iid}/documents", "applicant").json()
    assert [d["kind"] for d in documents] == ["staff_adjustment_reply"]
    assert "编整〔" in documents[0]["number"]


def test_an_increase_over_the_total_is_refused_at_submission(api: Api, platform: Platform) -> None:
    headroom = region(platform).headroom
    refused = start(api, "staff_adjustment", adjustment(places=headroom + 1))
    assert_error(refused, 422, "form_invalid")
    assert "超出编制总量" in refused.text and "/places" in refused.text
    assert figures(platform)[0] == 20


def test_a_committee_member_saying_no_ends_it_and_changes_nothing(api: Api, platform: Platform) -> None:
    iid = start(api, "staff_adjustment", adjustment()).json()["id"]
    assert complete(api, iid, "bianban").status_code == 200
    votes = {t["assignee"]: t for t in instance(api, iid)["tasks"]}
    for member, decision in (("bianwei1", "approve"), ("bianwei2", "reject"), ("bianwei3", "approve")):
        body = {"decision": decision, "opinion": "同意" if decision == "approve" else "理由不充分"}
        assert api.post(f"/api/v1/tasks/{votes[member]['id']}/complete", member, json=body).status_code == 200
    ended = instance(api, iid)
    assert ended["status"] == "rejected" and figures(platform)[0] == 20


def test_returned_for_correction_and_resubmitted(api: Api, platform: Platform) -> None:
    iid = start(api, "staff_adjustment", adjustment(places=1)).json()["id"]
    assert complete(api, iid, "bianban", "return", "请补充承接职能的依据").status_code == 200
    task = only_task(api, iid)
    assert task["role"] == "applicant"
    resubmit = {
        "decision": "submit",
        "data": adjustment(places=3, reason="依据市政府常务会议纪要〔2026〕5号，申请核增3名。"),
    }
    assert api.post(f"/api/v1/tasks/{task['id']}/complete", "applicant", json=resubmit).status_code == 200
    finished = drive(api, iid)
    assert finished["status"] == "completed" and figures(platform)[0] == 23


def test_refused_by_bianban_changes_nothing(api: Api, platform: Platform) -> None:
    iid = start(api, "staff_adjustment", adjustment()).json()["id"]
    assert complete(api, iid, "bianban", "reject", "不符合编制管理规定").status_code == 200
    assert instance(api, iid)["status"] == "rejected" and figures(platform)[0] == 20


def test_a_decrease_never_goes_below_what_is_occupied(api: Api, platform: Platform) -> None:
    approved, _, actual = figures(platform)
    too_many = start(api, "staff_adjustment", adjustment(kind="核减", places=approved - actual + 1))
    assert_error(too_many, 422, "form_invalid")
    assert "少于实有" in too_many.text
    decided(api, adjustment(kind="核减", places=approved - actual))
    assert figures(platform)[0] == actual


def test_a_move_takes_places_and_persons_to_the_other_unit_in_one_change(api: Api, platform: Platform) -> None:
    with platform.ctx.reading() as session:
        wang = session.scalars(select(Person).where(Person.name == "王芳")).one()
        number = wang.id_number
    before, other, allocated = figures(platform), figures(platform, OTHER), region(platform).allocated
    data = adjustment(kind="划转", places=2, to_unit="示范市档案馆", persons=[{"name": "王芳", "id_number": number}])
    finished = decided(api, data)
    assert "王芳随编制划转" in finished["data"]["results"]["adjustment"]["message"]
    assert figures(platform) == (before[0] - 2, 0, before[2] - 1)
    assert figures(platform, OTHER) == (other[0] + 2, 0, other[2] + 1)
    assert region(platform).allocated == allocated  # conserved within the region
    assert "caizheng" in {entry["actor"] for entry in finished["history"]}  # 财政 moved the pay
    with platform.ctx.reading() as session:
        moved = session.scalars(select(Person).where(Person.id_number == number)).one()
        target = session.scalars(select(Unit).where(Unit.code == OTHER)).one()
        assert moved.unit_id == target.id


def test_a_move_checks_the_receiving_unit_and_the_persons(api: Api) -> None:
    nobody = adjustment(kind="划转", places=1, to_unit="不存在的单位")
    assert "登记簿中没有名为" in start(api, "staff_adjustment", nobody).text
    stranger = adjustment(kind="划转", places=1, to_unit="示范市档案馆", persons=[{"name": "吴强", "id_number": "x"}])
    assert_error(start(api, "staff_adjustment", stranger), 422, "form_invalid")


def test_the_pool_lends_places_that_count_until_given_back(api: Api, platform: Platform) -> None:
    pool = region(platform)
    approved, _, actual = figures(platform)
    over = start(api, "staff_adjustment", adjustment(kind="周转池借用", places=pool.pool_free + 1, months=12))
    assert "可借" in over.text
    lent = decided(api, adjustment(kind="周转池借用", places=3, months=12))["data"]["results"]["adjustment"]
    assert lent["loan_number"].startswith("周转〔")
    assert figures(platform) == (approved, 3, actual) and region(platform).lent == pool.lent + 3
    back = adjustment(kind="周转池归还", loan_number=lent["loan_number"])
    for key in ("est_type", "places"):
        back.pop(key)
    decided(api, back)
    assert figures(platform) == (approved, 0, actual) and region(platform).lent == pool.lent
    with platform.ctx.reading() as session:
        assert session.scalars(select(PoolLoan.status)).one() == "returned"
    again = start(api, "staff_adjustment", back)
    assert "已于" in again.text and "归还" in again.text


def test_the_director_decides_alone_when_the_process_says_so(api: Api, platform: Platform, tmp_path: Path) -> None:
    bpmn = platform.catalogue.get("staff_adjustment").bpmn.read_text(encoding="utf-8")  # type: ignore[union-attr]
    director = bpmn.replace("value=\"'countersign'\"", "value=\"'director'\"")
    assert director != bpmn
    path = tmp_path / "staff_adjustment.bpmn"
    path.write_text(director, encoding="utf-8")
    services.deploy(api.platform.ctx, actors_of(platform)["admin"], path)
    iid = start(api, "staff_adjustment", adjustment()).json()["id"]
    assert complete(api, iid, "bianban").status_code == 200
    task = only_task(api, iid)
    assert (task["name"], task["step"], task["department"]) == ("decide_director", "编委主任审定", "bianwei")
    assert complete(api, iid, "bianwei1").status_code == 200
    assert drive(api, iid)["status"] == "completed" and figures(platform)[0] == 22


@pytest.mark.parametrize("kind", ["核增", "核减", "划转", "周转池借用"])
def test_each_kind_names_what_it_needs(api: Api, kind: str) -> None:
    data = adjustment(kind=kind)
    data.pop("places")
    assert "请填写调整名额" in start(api, "staff_adjustment", data).text


def test_an_overdue_loan_is_told_once_to_the_unit_and_bianban(api: Api, platform: Platform) -> None:
    lent = decided(api, adjustment(kind="周转池借用", places=2, months=1))["data"]["results"]["adjustment"]
    due = date.fromisoformat(lent["due_on"])
    with platform.ctx.transaction() as session:  # a month ahead, once
        assert totals.tell_due_soon(session, due - timedelta(days=31)) == []
        assert totals.tell_due_soon(session, due - timedelta(days=30)) == [lent["loan_number"]]
        assert totals.tell_due_soon(session, due - timedelta(days=29)) == []
    with platform.ctx.transaction() as session:
        assert totals.tell_overdue(session, due) == []  # due that day: not yet overdue
    with platform.ctx.transaction() as session:
        assert totals.tell_overdue(session, due + timedelta(days=1)) == [lent["loan_number"]]
    with platform.ctx.transaction() as session:
        assert totals.tell_overdue(session, due + timedelta(days=2)) == []  # told once
    api.run_worker()
    for user in ("applicant", "bianban"):
        told = api.get("/api/v1/notifications", user).json()
        assert any(lent["loan_number"] in n["message"] and "已于" in n["message"] for n in told), user
        assert any(lent["loan_number"] in n["message"] and "将于" in n["message"] for n in told), user
    unit = api.get("/api/v1/register/units/demo-unit-001", "bianban").json()
    assert "loans" in unit, sorted(unit)
    [loan] = unit["loans"]
    assert loan["status"] == "lent" and loan["number"] == lent["loan_number"]


def test_bianban_proposes_an_adjustment_the_unit_confirms(api: Api, platform: Platform) -> None:
    """编办 proposes a 核减 for the unit: the unit finds it filled in, corrects the figure and
    submits; a colleague of the proposer reviews (回避), 编委 decides, the register changes."""
    approved, _, actual = figures(platform)
    proposal = adjustment(
        kind="核减", places=approved - actual + 1, reason="按照全市事业单位编制精简方案，收回空余编制。"
    )
    body = {"process_key": "staff_adjustment", "unit_code": UNIT, "data": proposal}
    assert_error(api.post("/api/v1/instances/proposals", "applicant", json=body), 403, "proposer_only")
    assert_error(api.post("/api/v1/instances/proposals", "caizheng", json=body), 403, "proposer_only")
    too_many = api.post("/api/v1/instances/proposals", "bianban2", json=body)
    assert_error(too_many, 422, "form_invalid")
    assert "少于实有" in too_many.text  # the register's check, against the unit proposed for
    nowhere = api.post("/api/v1/instances/proposals", "bianban2", json={**body, "unit_code": "no-such-unit"})
    assert_error(nowhere, 404, "unit_not_found")
    body["data"] = {**proposal, "places": 2}
    proposed = api.post("/api/v1/instances/proposals", "bianban2", json=body)
    assert proposed.status_code == 201, proposed.text
    iid = proposed.json()["id"]
    assert proposed.json()["status"] == "running"  # with the unit, not returned to it
    task = only_task(api, iid)
    assert task["role"] == "applicant" and task["acting_unit"] == UNIT
    detail = api.get(f"/api/v1/tasks/{task['id']}", "applicant").json()
    assert detail["prefill"]["places"] == 2  # the proposal, filled in for the unit
    confirmed = {"decision": "submit", "data": {**proposal, "places": 1}}
    assert api.post(f"/api/v1/tasks/{task['id']}/complete", "applicant", json=confirmed).status_code == 200
    review = only_task(api, iid)
    mine = {"decision": "approve", "opinion": "同意"}
    assert api.post(f"/api/v1/tasks/{review['id']}/complete", "bianban2", json=mine).status_code in (403, 404, 409)
    assert complete(api, iid, "bianban").status_code == 200
    assert drive(api, iid)["status"] == "completed"
    assert figures(platform)[0] == approved - 1

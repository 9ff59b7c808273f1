"""用编计划 → 核准 → 招录 → 入编 through HTTP on SQLite and PostgreSQL: the plan's places are held on
numbered notices that outlive it, persons recruited enter on them (the existing 入编), and what is
left expires at the validity end; refusals end the plan with every place back."""

from __future__ import annotations

import copy
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from kernel import clock
from onestop.bootstrap import Platform
from processes import catalogue as matters
from registry.figures import unit_figures
from registry.models import Person, Reservation, Unit
from registry.notices import expire_due
from tests.api.helpers import assert_error, instance
from tests.api.test_matters import drive
from tests.conftest import Api

FULL = "事业编制（全额拨款）"
UNIT = "demo-unit-001"  # 20 approved, 5 in place


def example(form_key: str, **changes: Any) -> dict[str, Any]:
    form = matters.load().forms().get(form_key)
    assert form is not None
    return {**copy.deepcopy(form.schema["examples"][0]), **changes}


def start(api: Api, key: str, data: dict[str, Any], user: str = "applicant") -> Any:
    return api.post("/api/v1/instances", user, json={"process_key": key, "data": data})


def figures(platform: Platform) -> tuple[int, int, int]:
    with platform.ctx.reading() as session:
        unit_id = session.scalars(select(Unit.id).where(Unit.code == UNIT)).one()
        found = next(f for f in unit_figures(session, unit_id) if f.est_type == FULL)
        return found.actual, found.reserved, found.vacancy


def only_task(api: Api, instance_id: str) -> dict[str, Any]:
    tasks = instance(api, instance_id)["tasks"]
    assert len(tasks) == 1, tasks
    return dict(tasks[0])


def complete(api: Api, instance_id: str, user: str, decision: str = "approve", opinion: str = "同意") -> Any:
    task = only_task(api, instance_id)
    return api.post(f"/api/v1/tasks/{task['id']}/complete", user, json={"decision": decision, "opinion": opinion})


def approved_plan(api: Api) -> tuple[str, list[dict[str, Any]]]:
    """The example plan (3 + 1 places of one type), approved, recruited and finished."""
    iid = start(api, "staff_plan", example("staff_plan_application")).json()["id"]
    assert complete(api, iid, "bianban").status_code == 200
    assert complete(api, iid, "renshe").status_code == 200  # a 事业单位: 人社局 recruits
    finished = drive(api, iid)
    assert finished["status"] == "completed", finished
    return iid, finished["data"]["results"]["plan_notices"]["notices"]


def entry_on(notice: str, persons: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    data = example("staff_entry_application", notice_no=notice)
    if persons is not None:
        data["persons"] = persons
    return data


def test_a_plan_holds_its_places_after_recruitment_and_persons_enter_on_it(api: Api, platform: Platform) -> None:
    actual, reserved, vacancy = figures(platform)
    plan, notices = approved_plan(api)
    assert [(n["est_type"], n["places"]) for n in notices] == [(FULL, 3), (FULL, 1)]
    assert figures(platform) == (actual, reserved + 4, vacancy - 4)  # held past the plan's end
    documents = api.get(f"/api/v1/instances/{plan}/documents", "applicant").json()
    assert [d["kind"] for d in documents] == ["staff_plan_notice"]

    entry = start(api, "staff_entry", entry_on(notices[0]["number"])).json()["id"]  # two of the three
    shown = instance(api, entry)["data"]["results"]["vacancy"]
    assert shown["allowed"] and "尚余3名" in shown["message"]
    finished = drive(api, entry)
    assert finished["status"] == "completed"
    assert figures(platform) == (actual + 2, reserved + 2, vacancy - 4)  # places moved from held to filled
    with platform.ctx.reading() as session:
        notice = session.scalars(select(Reservation).where(Reservation.number == notices[0]["number"])).one()
        assert (notice.status, notice.used, notice.instance_id) == ("issued", 2, plan)
        placed = session.scalars(select(Person.notice_no).where(Person.name == "郑晓雨")).one()
        assert placed == notices[0]["number"]
    kinds = [d["kind"] for d in api.get(f"/api/v1/instances/{entry}/documents", "applicant").json()]
    assert kinds == ["staff_entry_notice"]  # the plan's notice was issued with the plan

    body = assert_error(start(api, "staff_entry", entry_on(notices[0]["number"])), 422, "form_invalid")
    assert "尚余1名，本次入编2名" in body["details"][0]["message"]


def test_what_is_left_expires_at_the_validity_end(api: Api, platform: Platform) -> None:
    actual, reserved, vacancy = figures(platform)
    _, notices = approved_plan(api)
    later = clock.today() + timedelta(days=200)
    with platform.ctx.transaction() as session:
        ended = expire_due(session, later)
    assert sorted(ended) == sorted(n["number"] for n in notices)
    assert figures(platform) == (actual, reserved, vacancy)
    body = assert_error(start(api, "staff_entry", entry_on(notices[1]["number"])), 422, "form_invalid")
    assert "已使用完毕、释放或过期" in body["details"][0]["message"]


def test_recruitment_not_done_releases_the_plan(api: Api, platform: Platform) -> None:
    before = figures(platform)
    iid = start(api, "staff_plan", example("staff_plan_application")).json()["id"]
    assert complete(api, iid, "bianban").status_code == 200
    assert figures(platform)[1] == before[1] + 4
    assert complete(api, iid, "renshe", "reject", "报名人数不足，招聘未完成").status_code == 200
    detail = instance(api, iid)
    assert (detail["status"], detail["outcome"]) == ("rejected", "招聘未完成，计划终止")
    assert figures(platform) == before


def test_returned_then_resubmitted_with_fewer_places(api: Api, platform: Platform) -> None:
    iid = start(api, "staff_plan", example("staff_plan_application")).json()["id"]
    assert complete(api, iid, "bianban", "return", "请说明综合管理岗的设置依据").status_code == 200
    correction = only_task(api, iid)
    data = api.get(f"/api/v1/tasks/{correction['id']}", "applicant").json()["prefill"]
    data["lines"] = data["lines"][:1]
    response = api.post(
        f"/api/v1/tasks/{correction['id']}/complete", "applicant", json={"decision": "submit", "data": data}
    )
    assert response.status_code == 200, response.text
    assert complete(api, iid, "bianban").status_code == 200
    notices = instance(api, iid)["data"]["results"]["plan_notices"]["notices"]
    assert [n["places"] for n in notices] == [3]


def test_a_plan_over_the_vacancy_is_refused_with_the_figures(api: Api, platform: Platform) -> None:
    before = figures(platform)
    data = example("staff_plan_application")
    data["lines"][0]["places"] = 20
    iid = start(api, "staff_plan", data).json()["id"]
    detail = instance(api, iid)
    assert (detail["status"], detail["outcome"]) == ("rejected", "空缺不足，计划不予核准")
    assert "空缺不足" in detail["data"]["results"]["plan_check"]["message"]
    assert figures(platform) == before


@pytest.mark.parametrize("year_offset", [-1, 2])
def test_a_plan_for_another_year_is_refused(sqlite_api: Api, year_offset: int) -> None:
    data = example("staff_plan_application", year=clock.today().year + year_offset)
    body = assert_error(start(sqlite_api, "staff_plan", data), 422, "form_invalid")
    assert body["details"][0]["path"] == "/year"


def test_an_entry_on_another_units_notice_is_refused(sqlite_api: Api, sqlite_platform: Platform) -> None:
    from tests.api.helpers import add_user

    _, notices = approved_plan(sqlite_api)
    add_user(sqlite_platform, "clerk002", roles=["applicant"], unit_code="demo-unit-002")
    data = entry_on(notices[0]["number"]) | {"est_type": "行政编制"}
    body = assert_error(start(sqlite_api, "staff_entry", data, user="clerk002"), 422, "form_invalid")
    assert "本单位没有按用编计划核发的核准使用编制通知单" in body["details"][0]["message"]


def test_the_dashboard_counts_plans_by_status(sqlite_api: Api, sqlite_platform: Platform) -> None:
    from registry.dashboard import matters_by_kind

    approved_plan(sqlite_api)
    data = example("staff_plan_application")
    data["lines"][0]["places"] = 30
    start(sqlite_api, "staff_plan", data)  # refused at once: no such vacancy
    with sqlite_platform.ctx.reading() as session:
        counted = matters_by_kind(session, clock.today())
    assert counted["staff_plan"] == {"completed": 1, "rejected": 1}
    assert "staff_transfer" not in counted  # none started

"""入编 and 出编 as BPMN processes deciding on the register (SQLite and PostgreSQL)."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from sqlalchemy import select

from engine import services
from kernel.errors import ValidationFailed
from onestop.bootstrap import Platform
from processes import catalogue as matters
from registry.figures import unit_figures
from registry.models import Person, Reservation, Unit
from tests.conftest import actors_of
from tests.engine.helpers import add_clerk, decide, issue_documents

FULL_FUNDED = "事业编制（全额拨款）"


def example(form_key: str) -> dict[str, Any]:
    form = matters.load().forms().get(form_key)
    assert form is not None
    return copy.deepcopy(form.schema["examples"][0])


def figures(platform: Platform, code: str, est_type: str) -> tuple[int, int, int]:
    with platform.ctx.reading() as session:
        unit_id = session.scalars(select(Unit.id).where(Unit.code == code)).one()
        f = next(f for f in unit_figures(session, unit_id) if f.est_type == est_type)
        return f.actual, f.reserved, f.vacancy


def test_staff_exit_writes_off_the_place(platform: Platform) -> None:
    ctx, actors = platform.ctx, actors_of(platform)
    before = figures(platform, "demo-unit-001", "事业工勤编制")
    iid = services.start(ctx, actors["applicant"], process_key="staff_exit", data=example("staff_exit_application"))[
        "id"
    ]
    decide(ctx, actors["bianban"], iid)
    result = decide(ctx, actors["caizheng"], iid)
    assert result["status"] == "running"  # until its documents are issued
    assert issue_documents(platform, iid) == "completed"
    assert figures(platform, "demo-unit-001", "事业工勤编制") == (before[0] - 1, 0, before[2] + 1)
    with ctx.reading() as session:
        person = session.scalars(select(Person).where(Person.name == "陈静")).one()
        assert (person.status, person.exit_reason) == ("出编", "退休")


def test_staff_exit_of_someone_not_on_the_staff_is_refused_at_submission(sqlite_platform: Platform) -> None:
    ctx, actors = sqlite_platform.ctx, actors_of(sqlite_platform)
    data = example("staff_exit_application") | {"id_number": "11010519491231002X", "name": "无此人"}
    with pytest.raises(ValidationFailed) as refused:
        services.start(ctx, actors["applicant"], process_key="staff_exit", data=data)
    assert refused.value.code == "form_invalid" and refused.value.details[0]["path"] == "/id_number"


def test_staff_entry_reserves_places_then_records_the_entry(platform: Platform) -> None:
    ctx, actors = platform.ctx, actors_of(platform)
    actual, reserved, vacancy = figures(platform, "demo-unit-001", FULL_FUNDED)
    iid = services.start(ctx, actors["applicant"], process_key="staff_entry", data=example("staff_entry_application"))[
        "id"
    ]
    task = services.get_task(ctx, actors["bianban"], services.get(ctx, actors["admin"], iid)["tasks"][0]["id"])
    assert task["department"] == "bianban"
    decide(ctx, actors["bianban"], iid)  # 用编核准: the notice is issued and places reserved
    assert figures(platform, "demo-unit-001", FULL_FUNDED) == (actual, reserved + 2, vacancy - 2)
    decide(ctx, actors["renshe"], iid)  # 事业单位: 人社 hires
    assert figures(platform, "demo-unit-001", FULL_FUNDED) == (actual + 2, reserved, vacancy - 2)
    decide(ctx, actors["renshe"], iid)  # pay grade
    with pytest.raises(ValidationFailed) as only_approve:
        services.complete(
            ctx,
            actors["caizheng"],
            services.get(ctx, actors["admin"], iid)["tasks"][0]["id"],
            decision="return",
            opinion="x",
        )
    assert only_approve.value.code == "decision_not_allowed"
    assert decide(ctx, actors["caizheng"], iid)["status"] == "running"  # until its documents are issued
    assert issue_documents(platform, iid) == "completed"
    with ctx.reading() as session:
        notice = session.scalars(select(Reservation).where(Reservation.instance_id == iid)).one()
        assert (notice.status, notice.used, notice.end_reason) == ("used", 2, "已入编")
        placed = session.scalars(select(Person).where(Person.notice_no == notice.number)).all()
        assert sorted(p.name for p in placed) == ["冯志远", "郑晓雨"]


def test_over_staffed_unit_is_refused_with_the_figures(sqlite_platform: Platform) -> None:
    ctx = sqlite_platform.ctx
    add_clerk(sqlite_platform, "archive_clerk", "demo-unit-003")
    actors = actors_of(sqlite_platform)
    result = services.start(
        ctx, actors["archive_clerk"], process_key="staff_entry", data=example("staff_entry_application")
    )
    assert result["status"] == "rejected" and result["tasks"] == []
    with ctx.reading() as session:
        unit_id = session.scalars(select(Unit.id).where(Unit.code == "demo-unit-003")).one()
        assert session.scalars(select(Reservation).where(Reservation.unit_id == unit_id)).all() == []


def test_entry_form_is_checked_against_the_id_and_the_register(sqlite_platform: Platform) -> None:
    ctx, actors = sqlite_platform.ctx, actors_of(sqlite_platform)
    data = example("staff_entry_application")
    data["persons"][0]["sex"] = "男"
    data["persons"][1]["id_number"] = example("staff_exit_application")["id_number"]  # already 在编
    data["persons"][1]["birth_date"] = "1968-01-30"
    data["persons"][1]["sex"] = "女"
    with pytest.raises(ValidationFailed) as refused:
        services.start(ctx, actors["applicant"], process_key="staff_entry", data=data)
    paths = {d["path"]: d["message"] for d in refused.value.details}
    assert "号码显示为女" in paths["/persons/0/sex"]
    assert "一人只能占用一个编制" in paths["/persons/1/id_number"]


def test_refusal_tells_the_applicant_why(sqlite_platform: Platform) -> None:
    ctx = sqlite_platform.ctx
    add_clerk(sqlite_platform, "full_clerk", "demo-unit-002")
    actors = actors_of(sqlite_platform)
    data = example("staff_entry_application") | {"est_type": "行政编制"}
    iid = services.start(ctx, actors["full_clerk"], process_key="staff_entry", data=data)["id"]
    detail = services.get(ctx, actors["full_clerk"], iid)
    assert detail["status"] == "rejected" and detail["outcome"] == "空缺不足，不予受理"
    vacancy = detail["data"]["results"]["vacancy"]
    assert vacancy["allowed"] is False and "出一进一" in vacancy["message"]


def test_leadership_posts_over_the_cap_are_refused_with_the_figures(sqlite_platform: Platform) -> None:
    ctx, actors = sqlite_platform.ctx, actors_of(sqlite_platform)
    data = example("staff_entry_application")
    for person in data["persons"]:
        person["category"] = "领导正职"  # demo-unit-001: 1 正职 approved, 1 in post
    iid = services.start(ctx, actors["applicant"], process_key="staff_entry", data=data)["id"]
    shown = services.get(ctx, actors["bianban"], iid)["data"]["results"]["efficiency"]
    assert shown["available"] and "使用效益率" in shown["message"]
    decide(ctx, actors["bianban"], iid)
    detail = services.get(ctx, actors["applicant"], iid)
    assert detail["status"] == "rejected" and detail["outcome"] == "超出领导职数，不予录用"
    assert "正职核定1名，已配备1名，已预留0名，本次拟任2名" in detail["data"]["results"]["posts"]["message"]
    # The cap is checked before places are reserved: no notice was issued, nothing is held.
    assert "reservation" not in detail["data"]["results"]
    with ctx.reading() as session:
        assert session.scalars(select(Reservation).where(Reservation.instance_id == iid)).all() == []

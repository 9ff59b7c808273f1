"""What 领导职务任免 checks and does beyond its process: the person is in place in the unit, the
post fits the approved 领导职数 (编办's 事前沟通 sees the figures), and the register records it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import step_context
from engine.restricted_scripts import reads_only
from kernel import clock
from kernel.actors import Actor
from registry import appointments
from registry.figures import LEADER_CATEGORY
from registry.form_checks import field_error
from registry.models import Unit
from registry.process_services import step_unit


def check_application(session: Session, actor: Actor, data: dict[str, Any]) -> list[dict[str, str]]:
    unit = session.scalars(select(Unit).where(Unit.code == actor.unit_code)).first()
    if unit is None:
        return [field_error("", "申请单位", "机构编制台账中没有本单位")]
    person = appointments.person_in_place(session, unit, str(data.get("id_number", "")))
    if person is None:
        return [
            field_error(
                "/id_number", "身份证号", "本单位没有该在编人员，请核对身份证号码；领导职务只能由本单位在编人员担任"
            )
        ]
    if data.get("name") and data["name"] != person.name:
        return [field_error("/name", "姓名", f"姓名与在编记录不符（台账为{person.name}）")]
    if data.get("action") == appointments.APPOINT:
        if not data.get("level"):
            return [field_error("/level", "职务层级", "任职须选择正职或副职")]
        if person.category == LEADER_CATEGORY.get(str(data["level"])):
            return [field_error("/level", "职务层级", f"{person.name}已任{person.category}（{person.rank or '—'}）")]
    if data.get("action") == appointments.REMOVE and person.category not in LEADER_CATEGORY.values():
        return [field_error("/action", "任免类别", f"{person.name}未担任领导职务，无需免职")]
    return []


@reads_only
def posts_check(params: dict[str, Any]) -> dict[str, Any]:
    """事前沟通's figures: approved, held and free posts by level, and whether one more fits."""
    session, unit = step_context.current().session, step_unit()
    if params["action"] == appointments.REMOVE:
        _, figures = appointments.posts_for(session, unit, "正职")
        return {"allowed": True, "message": "免职不占用领导职数，免职后职数空出", "figures": figures}
    level = str(params["level"])
    problems, figures = appointments.posts_for(session, unit, level)
    if problems:
        return {"allowed": False, "message": "超出核定领导职数：" + "；".join(problems), "figures": figures}
    free = next(f["free"] for f in figures if f["level"] == level)
    return {"allowed": True, "message": f"{level}尚有空缺职数{free}名，本次拟任1名，在核定职数内", "figures": figures}


def record(params: dict[str, Any]) -> dict[str, Any]:
    """The appointment or removal on the person, with the posts checked again under the unit's lock."""
    step = step_context.current()
    unit, today = step_unit(), clock.today()
    if params["action"] == appointments.REMOVE:
        done = appointments.remove(step.session, unit, id_number=str(params["id_number"]), on=today, by=step.actor)
    else:
        done = appointments.appoint(
            step.session,
            unit,
            id_number=str(params["id_number"]),
            level=str(params["level"]),
            position=str(params["position"]),
            on=today,
            by=step.actor,
        )
    return {**done.as_dict(), "on": today.isoformat()}

"""Checks of staff and code forms against the register, at submission (422 with
field paths); each matter's manifest names the check of its form."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from forms.identifiers import check_ric, ric_birth_date, ric_sex
from kernel import clock
from kernel.actors import Actor
from registry.models import Person, Unit
from registry.plans import room_on_plan
from registry.unit_lifecycle import cancel_refusal, rename_refusal


def field_error(path: str, field: str, message: str) -> dict[str, str]:
    """One error of a form check, shown next to its field."""
    return {"path": path, "field": field, "code": "register", "message": message}


def field_label(path: str, labels: dict[str, str], default: str = "") -> str:
    """The label of the top-level field a path points into (``/persons/0/id_number`` → ``/persons``'s)."""
    top = "/" + path.split("/")[1] if path.count("/") else path
    return labels.get(top, default)


def check_entry(session: Session, actor: Actor, data: dict[str, Any]) -> list[dict[str, str]]:
    errors: list[dict[str, str]] = _plan_notice_errors(session, actor, data)
    seen: set[str] = set()
    for i, person in enumerate(data.get("persons", [])):
        number = check_ric(str(person.get("id_number", ""))).normalized
        if number is None:
            continue  # the schema's format already reported it
        path = f"/persons/{i}"
        if number in seen:
            errors.append(field_error(f"{path}/id_number", "身份证号", "同一人在本次申请中出现多次"))
        seen.add(number)
        if person.get("sex") and person["sex"] != ric_sex(number):
            errors.append(field_error(f"{path}/sex", "性别", f"性别与身份证号码不符（号码显示为{ric_sex(number)}）"))
        born = ric_birth_date(number).isoformat()
        if person.get("birth_date") and person["birth_date"] != born:
            errors.append(
                field_error(f"{path}/birth_date", "出生日期", f"出生日期与身份证号码不符（号码显示为{born}）")
            )
        holder = session.scalars(select(Person).where(Person.id_number == number, Person.status == "在编")).first()
        if holder is not None:
            unit = session.get(Unit, holder.unit_id)
            errors.append(
                field_error(
                    f"{path}/id_number",
                    "身份证号",
                    f"{holder.name}已在{unit.name if unit else '其他单位'}在编，一人只能占用一个编制",
                )
            )
    return errors


def _plan_notice_errors(session: Session, actor: Actor, data: dict[str, Any]) -> list[dict[str, str]]:
    """入编 under a 用编计划 names the plan's notice: of this unit and type, valid, with room for the persons."""
    number = str(data.get("notice_no") or "").strip()
    unit = session.scalars(select(Unit).where(Unit.code == actor.unit_code)).first() if number else None
    if unit is None:
        return []
    persons = len(data.get("persons") or [])
    est_type = str(data.get("est_type", ""))
    room = room_on_plan(session, unit_id=unit.id, number=number, est_type=est_type, persons=persons, on=clock.today())
    return [] if room.allowed else [field_error("/notice_no", "核准使用编制通知单编号", room.message)]


def check_exit(session: Session, actor: Actor, data: dict[str, Any]) -> list[dict[str, str]]:
    number = check_ric(str(data.get("id_number", ""))).normalized
    if number is None:
        return []
    person = session.scalars(
        select(Person)
        .join(Unit, Unit.id == Person.unit_id)
        .where(Person.id_number == number, Person.status == "在编", Unit.code == actor.unit_code)
    ).first()
    if person is None:
        return [field_error("/id_number", "身份证号", "本单位没有该在编人员，请核对身份证号码")]
    if data.get("name") and data["name"] != person.name:
        return [field_error("/name", "姓名", f"姓名与在编记录不符（台账为{person.name}）")]
    return []


def check_credit_code(session: Session, actor: Actor, data: dict[str, Any]) -> list[dict[str, str]]:
    unit = session.scalars(select(Unit).where(Unit.code == actor.unit_code)).first()
    if unit is None:
        return [field_error("", "申请单位", "机构编制台账中没有本单位，请先办理机构设立")]
    action = data.get("action")
    if action == "new" and unit.credit_code:
        return [field_error("/action", "办理事项", f"本单位已有统一社会信用代码{unit.credit_code}，如需调整请选择变更")]
    if action in ("change", "cancel") and not unit.credit_code:
        return [field_error("/action", "办理事项", "本单位尚未赋码，请先办理赋码")]
    if action == "change":
        refusal = rename_refusal(session, unit, str(data.get("new_name") or "").strip())
        return [field_error("/new_name", "变更后名称", refusal)] if refusal else []
    if action == "cancel":
        refusal = cancel_refusal(session, unit)
        return [field_error("/action", "办理事项", refusal)] if refusal else []
    return []

"""What 人员调动 checks and does beyond its process: the person is in place in another unit of the
region, the receiving unit has places of that type, and the move is one change of the register."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import step_context
from engine.models import Instance
from engine.restricted_scripts import reads_only
from engine.vocabulary import FINAL_STATUSES
from forms.identifiers import check_ric
from kernel import clock
from kernel.actors import Actor
from registry import transfers
from registry.form_checks import field_error
from registry.models import Quota, Unit
from registry.process_services import step_unit

KEY = "staff_transfer"


def check_application(session: Session, actor: Actor, data: dict[str, Any]) -> list[dict[str, str]]:
    """At submission: who is moving, from where, and whether the receiving unit can take their type."""
    where = transfers.placed(session, str(data.get("id_number", "")))
    if where is None:
        return [
            field_error("/id_number", "身份证号", "该人员不在实名制在编人员中，请核对身份证号码；未在编人员请办理入编")
        ]
    errors = []
    if _transfer_under_way(session, where):
        return [field_error("/id_number", "身份证号", f"{where.name}已有正在办理的调动事项，办结或终止后才能再次申请")]
    if data.get("name") and data["name"] != where.name:
        errors.append(field_error("/name", "姓名", f"姓名与在编记录不符（台账为{where.name}）"))
    if where.unit_code == actor.unit_code:
        return [*errors, field_error("/id_number", "身份证号", f"{where.name}已在本单位在编，无需调动")]
    if data.get("from_unit") and data["from_unit"] != where.unit_name:
        errors.append(
            field_error("/from_unit", "调出单位（全称）", f"该人员在编单位为{where.unit_name}，与填写的调出单位不符")
        )
    receiving = session.scalars(select(Unit).where(Unit.code == actor.unit_code)).first()
    source = session.scalars(select(Unit).where(Unit.code == where.unit_code)).one()
    if receiving is not None and receiving.region_code != source.region_code:
        errors.append(
            field_error(
                "/from_unit", "调出单位（全称）", "跨地区调动须由上级机构编制部门办理，本平台只办理本地区单位之间的调动"
            )
        )
    approved = session.scalar(
        select(Quota.approved).where(
            Quota.unit_id == (receiving.id if receiving else -1), Quota.est_type == where.est_type
        )
    )
    if not approved:
        errors.append(
            field_error(
                "/id_number",
                "身份证号",
                f"该人员占用{where.est_type}，本单位未核定{where.est_type}，不能人编同调；请按招录或转任办理",
            )
        )
    return errors


def _transfer_under_way(session: Session, where: transfers.Placed) -> bool:
    """Whether a transfer of this person is being handled (one at a time: two would race for the person)."""
    open_ones = session.scalars(
        select(Instance.application).where(
            Instance.process_key == KEY,
            Instance.status.not_in(FINAL_STATUSES),
            Instance.id != step_context.current().instance.id,  # a correction of this very matter
        )
    )
    return any(
        (check_ric(str((application or {}).get("id_number", ""))).normalized == where.id_number)
        for application in open_ones
    )


@reads_only
def locate(params: dict[str, Any]) -> dict[str, Any]:
    """Where the person stands now: the unit that must consent (调出单位) and the type of their place."""
    where = transfers.placed(step_context.current().session, str(params["id_number"]))
    if where is None:
        raise LookupError(f"身份证号码为{params['id_number']}的人员不在编")
    return {**where.as_dict(), "message": f"{where.name}现在{where.unit_name}在编，占用{where.est_type}"}


def record(params: dict[str, Any]) -> dict[str, Any]:
    """编办 writes the person off at the unit left and on at the receiving unit, in this one step."""
    step = step_context.current()
    moved = transfers.transfer(
        step.session,
        id_number=str(params["id_number"]),
        to_unit=step_unit(),
        notice_number=str(params["reservation"]),
        category=str(params.get("category") or "非领导"),
        on=clock.today(),
        by=step.actor,
    )
    return {
        **moved,
        "message": f"已办理{moved['name']}从{moved['from_unit']}调入{moved['to_unit']}（{moved['est_type']}）",
    }

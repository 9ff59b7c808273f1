"""人编经费比对 as the departments run it, and the negative list (负面清单) 编办 keeps.

- 财政 imports its payroll list (工资统发名单), 人社 its staff list (人员名册), month by month;
  a rejected file writes nothing but its audit event;
- 编办 compares the month's lists with the 实名制 roster and opens a 整改 matter for each finding;
- the findings page: every department involved reads all units, a unit's clerk their own unit;
- 编办 puts a unit on the negative list (冻结) or takes it off only on a 文号.

Every action is an audit event; every change is one transaction.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import services as engine_services
from engine.context import EngineContext
from kernel import audit, clock
from kernel.actors import APPROVER, Actor
from kernel.errors import Conflict, Forbidden, NotFound, ValidationFailed
from registry import reconciliation, staff_lists
from registry.import_files import base_name
from registry.models import StaffList, Unit
from registry.services import register
from registry.staff_lists import SOURCES
from registry.unit_lifecycle import record_event
from registry.vocabulary import UNIT_STATUSES, UnitStatus

KEEPER = "bianban"
READERS = frozenset({"bianban", "caizheng", "renshe"})
FINDING_PURPOSE = "reconciliation_finding"  # what the 整改 matter answers (the catalogue knows which matter)
DOC_NO = re.compile(r"^\S{2,40}〔(19|20)\d{2}〕\d{1,5}号$")
MAX_REASON = 500


def _in_department(actor: Actor, departments: frozenset[str]) -> bool:
    return actor.is_admin or (APPROVER in actor.roles and bool(actor.departments & departments))


def _require(actor: Actor, departments: frozenset[str], message: str) -> None:
    if not _in_department(actor, departments):
        raise Forbidden("reconciliation_forbidden", message)


def abilities(actor: Actor) -> dict[str, bool]:
    """What the actor may do on the pages (the services check again)."""
    keeper = _in_department(actor, frozenset({KEEPER}))
    return {
        "payroll": _in_department(actor, frozenset({SOURCES["payroll"].department})),
        "hr": _in_department(actor, frozenset({SOURCES["hr"].department})),
        "run": keeper,
        "rectify": keeper,
        "freeze": keeper,
    }


def reads_lists(actor: Actor) -> bool:
    return _in_department(actor, READERS)


# --- the lists --------------------------------------------------------------------------------------


def import_list(
    ctx: EngineContext, actor: Actor, *, source: str, period: str, filename: str, content: bytes
) -> dict[str, Any]:
    if source not in SOURCES:
        raise ValidationFailed("invalid_source", "名单来源应为 payroll（财政工资统发名单）或 hr（人社人员名册）")
    title = SOURCES[source].title
    _require(actor, frozenset({SOURCES[source].department}), f"{title}由{_department_name(source)}导入")
    with ctx.transaction() as session:
        report, staff_list = staff_lists.import_list(
            session, source=source, period=period, filename=filename, content=content, by=actor.username
        )
        details = {"source": source, "period": period.strip(), "file": base_name(filename), "applied": report.applied}
        if staff_list is None:
            session.rollback()
        else:
            audit.record(session, actor=actor.username, action="staff_list_import", details=details)
            return {**report.as_dict(), "list": staff_lists.list_dict(staff_list)}
    with ctx.transaction() as session:
        audit.record(session, actor=actor.username, action="staff_list_import", details=details)
    raise ValidationFailed("import_rejected", "导入文件有错误，未导入任何数据", report.as_dict())


def _department_name(source: str) -> str:
    return {"caizheng": "财政局", "renshe": "人社局"}[SOURCES[source].department]


def lists(ctx: EngineContext, actor: Actor, *, period: str | None = None) -> list[dict[str, Any]]:
    _require(actor, READERS, "只有编办、财政局、人社局可以查看比对名单")
    with ctx.reading() as session:
        query = select(StaffList).order_by(StaffList.id.desc()).limit(50)
        if period:
            query = query.where(StaffList.period == staff_lists.check_period(period))
        return [staff_lists.list_dict(x) for x in session.scalars(query)]


# --- comparing and rectifying -----------------------------------------------------------------------


def run(ctx: EngineContext, actor: Actor, *, period: str) -> dict[str, Any]:
    _require(actor, frozenset({KEEPER}), "人编经费比对由编办发起")
    period = staff_lists.check_period(period)
    with ctx.transaction() as session:
        found = reconciliation.compare(session, period=period, by=actor.username, on=clock.today())
        return reconciliation.run_dict(session, found)


def runs(ctx: EngineContext, actor: Actor) -> list[dict[str, Any]]:
    with ctx.reading() as session:
        scope = _unit_scope(session, actor)
        return [reconciliation.run_dict(session, r, unit_scope=scope) for r in reconciliation.runs(session)]


def get_run(ctx: EngineContext, actor: Actor, run_id: int) -> dict[str, Any]:
    with ctx.reading() as session:
        scope = _unit_scope(session, actor)
        return reconciliation.run_dict(session, reconciliation.get_run(session, run_id), unit_scope=scope)


def unit_findings(ctx: EngineContext, actor: Actor, run_id: int, code: str) -> dict[str, Any]:
    with ctx.reading() as session:
        scope = _unit_scope(session, actor)
        unit = session.scalars(select(Unit).where(Unit.code == code)).first()
        if unit is None or (scope is not None and unit.id != scope):
            raise NotFound("unit_not_found", "单位不存在或无权查看")
        found = reconciliation.unit_findings(session, reconciliation.get_run(session, run_id), unit)
        if not register.sees_full_id_numbers(actor, unit.code):
            for finding in found["findings"]:
                finding["id_number"] = register.masked(finding["id_number"]) if finding["id_number"] else ""
        return found


def _unit_scope(session: Session, actor: Actor) -> int | None:
    """None: every unit (the departments involved); a unit's id for its own clerk."""
    if _in_department(actor, READERS):
        return None
    if actor.is_applicant:
        unit_id = session.scalar(select(Unit.id).where(Unit.code == actor.unit_code))
        if unit_id is not None:
            return int(unit_id)
    raise Forbidden("reconciliation_forbidden", "无权查看人编经费比对结果")


def rectify(ctx: EngineContext, actor: Actor, run_id: int) -> dict[str, Any]:
    """A 整改 matter to the unit for each open finding of the run, all in one transaction."""
    _require(actor, frozenset({KEEPER}), "整改任务由编办下达")
    process_key = ctx.opened_for.get(FINDING_PURPOSE)
    if process_key is None:
        raise Conflict("rectification_not_deployed", "未部署人编经费比对整改事项")

    def open_matter(session: Session, unit_code: str, data: dict[str, Any]) -> str:
        return engine_services.open_for_unit(
            ctx, session, actor, process_key=process_key, unit_code=unit_code, data=data
        )

    with ctx.transaction() as session:
        found = reconciliation.get_run(session, run_id)
        opened = reconciliation.open_rectifications(session, found, open_matter, by=actor.username)
        return {"opened": opened, "run": reconciliation.run_dict(session, found)}


# --- the negative list ------------------------------------------------------------------------------


def normalise_doc_no(text: str) -> str:
    """A 文号 as typed, with its brackets as they should be: 晋编〔2026〕3号."""
    text = unicodedata.normalize("NFKC", text).strip().replace(" ", "")
    for wrong in ("[", "【", "［", "〖"):
        text = text.replace(wrong, "〔")
    for wrong in ("]", "】", "］", "〗"):
        text = text.replace(wrong, "〕")
    return text


def set_frozen(
    ctx: EngineContext, actor: Actor, code: str, *, frozen: bool, doc_no: str, reason: str
) -> dict[str, Any]:
    """Put ``code`` on the negative list or take it off, on the document ``doc_no``."""
    _require(actor, frozenset({KEEPER}), "机构编制负面清单由编办管理")
    number, reason = normalise_doc_no(doc_no), reason.strip()
    errors = []
    if not DOC_NO.match(number):
        errors.append({"path": "/doc_no", "message": "请填写依据文件的文号，如 示编〔2026〕3号"})
    if not reason or len(reason) > MAX_REASON:
        errors.append({"path": "/reason", "message": f"请填写理由（不超过{MAX_REASON}字）"})
    if errors:
        raise ValidationFailed("freeze_invalid", "列入或移出负面清单须有文号和理由", errors)
    with ctx.transaction() as session:
        unit = session.scalars(select(Unit).where(Unit.code == code).with_for_update()).first()
        if unit is None:
            raise NotFound("unit_not_found", "单位不存在")
        if unit.status == UnitStatus.CANCELLED:
            raise Conflict("unit_cancelled", f"{unit.name}已撤销")
        if frozen == (unit.status == UnitStatus.FROZEN):
            state = "已列入负面清单（冻结）" if frozen else "未列入负面清单"
            raise Conflict("freeze_unchanged", f"{unit.name}{state}")
        before, unit.status = unit.status, UnitStatus.FROZEN if frozen else UnitStatus.ACTIVE
        event = "列入负面清单" if frozen else "移出负面清单"
        record_event(
            session,
            unit,
            event=event,
            before=UNIT_STATUSES[before],
            after=UNIT_STATUSES[unit.status],
            basis={"doc_no": number, "source": "external", "reason": reason},
            instance_id=None,
            by=actor.username,
        )  # fmt: skip (the audit event of the change keeps the reason with the 文号)
        return {"code": unit.code, "name": unit.name, "status": unit.status, "doc_no": number, "reason": reason}

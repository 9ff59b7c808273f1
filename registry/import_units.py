"""Importing units and their approved establishment (编制核定数, 领导职数).

A unit whose code exists already is updated; a blank optional cell keeps the
stored value (a new unit gets none, and the status 正常). A parent unit must
be in the register already or on an earlier line of the same file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from forms.identifiers import check_uscc, normalise, region_name
from registry.import_rows import Apply, Column, Row, blank_keeps, reject_duplicates
from registry.models import LeadershipQuota, Person, Quota, Unit
from registry.unit_lifecycle import cancel_refusal, record_event
from registry.vocabulary import EST_TYPES, FUNDING_FORMS, UNIT_KINDS, UNIT_STATUSES, UnitStatus

UNIT_COLUMNS = (
    Column("单位代码", "code", required=True),
    Column("单位名称", "name", required=True),
    Column("规范简称", "short_name"),
    Column("单位类型", "kind", required=True),
    Column("区划代码", "region_code", required=True),
    Column("统一社会信用代码", "credit_code"),
    Column("上级单位代码", "parent_code"),
    Column("经费形式", "funding_form", required=True),
    Column("状态", "status"),
)
QUOTA_COLUMNS = (
    Column("单位代码", "code", required=True),
    Column("编制类型", "est_type", required=True),
    Column("核定数", "approved", required=True, aliases=("核定编制数",)),
)
LEADERSHIP_TYPES = {"领导职数（正职）": "正职", "领导职数（副职）": "副职"}
MAX_APPROVED = 100_000
STATUS_WORDS: dict[str, str] = {
    **{key: key for key in UNIT_STATUSES},
    **{label: key for key, label in UNIT_STATUSES.items()},
    **{re.sub(r"（.*）", "", label): key for key, label in UNIT_STATUSES.items()},
    "撤销": UnitStatus.CANCELLED,
}


@dataclass
class UnitLine:
    row: Row
    code: str
    parent: str | None
    values: dict[str, Any]


def _unit_line(row: Row) -> UnitLine | None:
    code = row.required("code", "单位代码")
    code = code and row.fit(code, "单位代码", Unit, "code")
    name = row.required("name", "单位名称")
    name = name and row.fit(name, "单位名称", Unit, "name")
    short = row.fit(row.text("short_name"), "规范简称", Unit, "short_name")
    kind = row.choice("kind", "单位类型", UNIT_KINDS)
    region = normalise(row.text("region_code"))
    if not re.fullmatch(r"\d{6}", region):
        row.error(f"“区划代码”应为6位数字，而不是“{row.text('region_code')}”" if region else "“区划代码”不能为空")
    elif region_name(region) is None:
        row.warn(f"区划代码“{region}”不在行政区划代码表中，请核实")
    credit = None
    if row.text("credit_code"):
        check = check_uscc(row.text("credit_code"))
        for message in check.errors:
            row.error(f"统一社会信用代码“{row.text('credit_code')}”：{message}")
        for message in check.warnings:
            row.warn(f"统一社会信用代码：{message}")
        credit = check.normalized
    funding = row.choice("funding_form", "经费形式", FUNDING_FORMS)
    status = None
    if row.text("status"):
        status = STATUS_WORDS.get(row.text("status").replace(" ", ""))
        if status is None:
            allowed = "、".join(f"“{label}”" for label in UNIT_STATUSES.values())
            row.error(f"“状态”应为{allowed}之一，而不是“{row.text('status')}”")
    if not (code and name and kind and funding and row.line not in row.report.errors):
        return None
    values = {
        "name": name,
        "short_name": short or None,
        "kind": kind,
        "region_code": region,
        "credit_code": credit,
        "funding_form": funding,
        "status": status,
    }
    return UnitLine(row, code, row.text("parent_code") or None, values)


def plan_units(session: Session, rows: list[Row], by: str) -> Apply:
    stored = {u.code: u for u in session.scalars(select(Unit))}
    codes_by_id = {u.id: u.code for u in stored.values()}
    parent_of = {u.code: codes_by_id.get(u.parent_id) if u.parent_id else None for u in stored.values()}
    owner = {("name", u.name): u.code for u in stored.values()}
    owner.update({("credit_code", u.credit_code): u.code for u in stored.values() if u.credit_code})
    lines = [line for line in map(_unit_line, rows) if line is not None]
    reject_duplicates([(ln.row, ln.code) for ln in lines], lambda c: f"单位代码“{c}”")
    reject_duplicates([(ln.row, ln.values["name"]) for ln in lines], lambda n: f"单位名称“{n}”")
    credited = [ln for ln in lines if ln.values["credit_code"]]
    reject_duplicates([(ln.row, ln.values["credit_code"]) for ln in credited], lambda c: f"统一社会信用代码“{c}”")
    first_line = {row.text("code"): row.line for row in reversed(rows)}
    for ln in lines:
        for field, label in (("name", "单位名称"), ("credit_code", "统一社会信用代码")):
            other = owner.get((field, ln.values[field]))
            if other is not None and other != ln.code:
                ln.row.error(f"{label}“{ln.values[field]}”已被单位“{other}”使用")
        if ln.parent is None:
            continue
        if ln.parent == ln.code:
            ln.row.error("上级单位不能是本单位")
        elif ln.parent not in stored and first_line.get(ln.parent, ln.row.line) >= ln.row.line:
            ln.row.error(f"上级单位代码“{ln.parent}”不存在（上级单位须已在系统中，或在本文件中更早的行）")
        parent_of[ln.code] = ln.parent
    for ln in lines:
        if ln.parent and ln.parent != ln.code and _in_cycle(ln.code, parent_of):
            ln.row.error(f"上级单位“{ln.parent}”与本单位互为上下级，形成循环")
        existing = stored.get(ln.code)
        if (
            existing is not None
            and ln.values["status"] == UnitStatus.CANCELLED
            and existing.status != UnitStatus.CANCELLED
        ):
            refusal = cancel_refusal(session, existing)  # the same guard as the 赋码 matter's cancellation
            if refusal:
                ln.row.error(refusal)

    def apply() -> int:
        units = dict(stored)
        for ln in lines:
            unit = units.get(ln.code)
            if unit is None:
                unit = Unit(code=ln.code, **{**ln.values, "status": ln.values["status"] or UnitStatus.ACTIVE})
                session.add(unit)
                units[ln.code] = unit
            else:
                before = {"name": unit.name, "status": unit.status}
                blank_keeps(unit, ln.values)
                _record_changes(session, unit, before, by)
        session.flush()
        for ln in lines:
            if ln.parent:
                units[ln.code].parent_id = units[ln.parent].id
        session.flush()
        return len(lines)

    return apply


def _record_changes(session: Session, unit: Unit, before: dict[str, str], by: str) -> None:
    """A name or status an import changes is a unit event like any other, its basis the import."""
    for field, event in (("name", "名称变更"), ("status", "状态变更")):
        after = str(getattr(unit, field))
        if after != before[field]:
            basis = {"doc_no": "", "source": "import"}
            record_event(
                session, unit, event=event, before=before[field], after=after, basis=basis, instance_id=None, by=by
            )


def _in_cycle(code: str, parent_of: dict[str, str | None]) -> bool:
    seen: set[str] = set()
    current = parent_of.get(code)
    while current is not None and current not in seen:
        if current == code:
            return True
        seen.add(current)
        current = parent_of.get(current)
    return False


def plan_quotas(session: Session, rows: list[Row], by: str) -> Apply:
    units = {u.code: u for u in session.scalars(select(Unit))}
    counted = session.execute(
        select(Person.unit_id, Person.est_type, func.count())
        .where(Person.status == "在编")
        .group_by(Person.unit_id, Person.est_type)
    )
    staff = {(unit_id, est_type): n for unit_id, est_type, n in counted}
    planned: list[tuple[Row, Unit, str, int]] = []
    for row in rows:
        code = row.required("code", "单位代码")
        unit = units.get(code) if code else None
        if code and unit is None:
            row.error(f"单位代码“{code}”不存在，请先导入单位")
        est_type = row.choice("est_type", "编制类型", (*EST_TYPES, *LEADERSHIP_TYPES))
        approved = row.integer("approved", "核定数", 0, MAX_APPROVED)
        if unit is not None and est_type is not None and approved is not None:
            planned.append((row, unit, est_type, approved))
    reject_duplicates([(row, (u.code, t)) for row, u, t, _ in planned], lambda k: f"单位“{k[0]}”的“{k[1]}”")
    for row, unit, est_type, approved in planned:
        actual = staff.get((unit.id, est_type), 0)
        if approved < actual:
            row.warn(f"核定数{approved}少于“{unit.name}”现有{est_type}在编人数{actual}，导入后将显示为超编")

    def apply() -> int:
        for _row, unit, est_type, approved in planned:
            level = LEADERSHIP_TYPES.get(est_type)
            if level is not None:
                lead = session.get(LeadershipQuota, (unit.id, level))
                if lead is None:
                    session.add(LeadershipQuota(unit_id=unit.id, level=level, approved=approved))
                else:
                    lead.approved = approved
            else:
                quota = session.get(Quota, (unit.id, est_type))
                if quota is None:
                    session.add(Quota(unit_id=unit.id, est_type=est_type, approved=approved))
                else:
                    quota.approved = approved
        session.flush()
        return len(planned)

    return apply

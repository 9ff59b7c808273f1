"""财政's payroll list (工资统发名单) and 人社's staff list (人员名册) of one month, imported from CSV
or XLSX for the 人编经费比对.

A list is all or nothing, like the register's imports: every line is checked first (the name,
the ID number, the paying unit found in the register by its credit code or its full name, the
amount if given) and only a file without a rejected line is kept, with its file name and
SHA-256. A month may be imported again (a corrected list): the comparison takes the latest list
of each source for the month.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import Session

from forms.identifiers import check_ric
from kernel.errors import ValidationFailed
from registry.import_files import base_name
from registry.import_rows import Column, Report, Row, reject_duplicates
from registry.importing import read_rows
from registry.models import StaffList, StaffListRow, Unit
from registry.vocabulary import UnitStatus

PAYROLL, HR = "payroll", "hr"


@dataclass(frozen=True)
class Source:
    department: str  # who imports it
    title: str


SOURCES = {PAYROLL: Source("caizheng", "财政工资统发名单"), HR: Source("renshe", "人社人员名册")}
PERIOD = re.compile(r"^20\d{2}-(0[1-9]|1[0-2])$")
MAX_AMOUNT = Decimal("9999999.99")
COLUMNS = (
    Column("姓名", "name", required=True),
    Column("身份证号", "id_number", required=True, aliases=("身份证号码", "公民身份号码")),
    Column("单位名称", "unit_name", required=True, aliases=("预算单位", "预算单位名称", "工作单位")),
    Column("统一社会信用代码", "credit_code", aliases=("单位统一社会信用代码",)),
    Column("应发工资", "amount", aliases=("应发合计", "应发金额（元）", "应发工资（元）")),
)


def previous_month(today: date) -> str:
    """The month a list is usually of: the one before ``today``'s (YYYY-MM)."""
    year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    return f"{year}-{month:02d}"


def check_period(period: str) -> str:
    period = period.strip()
    if not PERIOD.match(period):
        message = "比对月份应为 YYYY-MM，如 2026-11"
        raise ValidationFailed("invalid_period", message, [{"path": "/period", "message": message}])
    return period


def import_list(
    session: Session, *, source: str, period: str, filename: str, content: bytes, by: str
) -> tuple[Report, StaffList | None]:
    """Check the file and, when no line is rejected, add the list to ``session`` (not committed)."""
    if source not in SOURCES:
        raise ValidationFailed("invalid_source", "名单来源应为 payroll（财政工资统发名单）或 hr（人社人员名册）")
    period = check_period(period)
    report = Report(source)
    rows = read_rows(filename, content, COLUMNS, report)
    units = _units(session)
    parsed = [(row, _parse(row, units)) for row in rows]
    keyed = [(row, (p.id_number, p.unit_id)) for row, p in parsed if p is not None]
    reject_duplicates(keyed, lambda key: f"身份证号{key[0]}在同一单位")
    if not report.ok:
        return report, None
    staff_list = StaffList(
        source=source,
        period=period,
        file_name=base_name(filename),
        sha256=hashlib.sha256(content).hexdigest(),
        rows=len(rows),
        uploaded_by=by,
    )
    session.add(staff_list)
    session.flush()
    session.add_all(
        StaffListRow(
            list_id=staff_list.id, line=row.line, id_number=p.id_number, name=p.name, unit_id=p.unit_id, amount=p.amount
        )
        for row, p in parsed
        if p is not None
    )
    report.imported, report.applied = len(rows), True
    return report, staff_list


@dataclass(frozen=True)
class Parsed:
    name: str
    id_number: str
    unit_id: int
    amount: Decimal | None


@dataclass(frozen=True)
class Units:
    by_name: dict[str, Unit]
    by_code: dict[str, Unit]


def _units(session: Session) -> Units:
    units = list(session.scalars(select(Unit).where(Unit.status != UnitStatus.CANCELLED)))
    return Units({u.name: u for u in units}, {u.credit_code: u for u in units if u.credit_code})


def _parse(row: Row, units: Units) -> Parsed | None:
    name = row.required("name", "姓名")
    if name and len(name) > 50:
        row.error(f"“姓名”不能超过50个字符（当前{len(name)}个）")
    raw = row.required("id_number", "身份证号")
    number = check_ric(raw).normalized if raw else None
    if raw and number is None:
        row.error(f"“身份证号”“{raw}”不是有效的公民身份号码")
    unit = _unit(row, units)
    amount = _amount(row)
    if name is None or number is None or unit is None or row.report.errors.get(row.line):
        return None
    return Parsed(name, number, unit.id, amount)


def _unit(row: Row, units: Units) -> Unit | None:
    named = row.required("unit_name", "单位名称")
    code = unicodedata.normalize("NFKC", row.text("credit_code")).strip().upper()
    if code:
        unit = units.by_code.get(code)
        if unit is None:
            row.error(f"统一社会信用代码“{code}”不在机构编制台账中")
        elif named and named != unit.name:
            row.error(f"统一社会信用代码“{code}”是{unit.name}的，与单位名称“{named}”不符")
        return unit
    if named is None:
        return None
    unit = units.by_name.get(named.strip())
    if unit is None:
        row.error(f"单位“{named}”不在机构编制台账中（请填写台账中的单位全称或统一社会信用代码）")
    return unit


def _amount(row: Row) -> Decimal | None:
    text = unicodedata.normalize("NFKC", row.text("amount")).replace(",", "").strip()
    if not text:
        return None
    try:
        amount = Decimal(text)
    except InvalidOperation:
        amount = Decimal(-1)
    if not amount.is_finite() or not Decimal(0) <= amount <= MAX_AMOUNT:
        row.error(f"“应发工资”应为0至{MAX_AMOUNT}之间的金额（元），而不是“{row.text('amount')}”")
        return None
    return amount.quantize(Decimal("0.01"))


def latest(session: Session, source: str, period: str) -> StaffList | None:
    return session.scalars(
        select(StaffList)
        .where(StaffList.source == source, StaffList.period == period)
        .order_by(StaffList.id.desc())
        .limit(1)
    ).first()


def list_dict(staff_list: StaffList) -> dict[str, object]:
    return {
        "id": staff_list.id,
        "source": staff_list.source,
        "source_title": SOURCES[staff_list.source].title,
        "period": staff_list.period,
        "file_name": staff_list.file_name,
        "sha256": staff_list.sha256,
        "rows": staff_list.rows,
        "uploaded_by": staff_list.uploaded_by,
        "uploaded_at": staff_list.uploaded_at.isoformat(),
    }

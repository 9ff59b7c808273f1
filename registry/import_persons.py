"""Importing the real-name staff register (实名制人员).

The ID number decides who a person is: it is normalised (full-width digits,
spaces, lowercase x; 15 digits converted to 18) and stored in that form. Sex
and birth date follow from it; when the row gives them they must agree. A
person already 在编 in another unit is refused (一人一编); one in the same
unit, or one who left (出编) and comes back, has the stored record updated,
where a blank optional cell keeps the stored value. Every imported person
gets a history entry ``导入``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from forms.identifiers import check_ric, ric_birth_date, ric_sex
from kernel import clock
from kernel.db import utcnow
from registry.import_rows import Apply, Column, Row, blank_keeps, reject_duplicates
from registry.models import Person, Unit
from registry.staff import record_history
from registry.vocabulary import ENTRY_FORMS, EST_TYPES, PERSON_CATEGORIES, POST_CATEGORIES, SEXES

PERSON_COLUMNS = (
    Column("姓名", "name", required=True),
    Column("性别", "sex"),
    Column("身份证号", "id_number", required=True, aliases=("身份证号码", "公民身份号码")),
    Column("出生日期", "birth_date"),
    Column("民族", "ethnicity"),
    Column("籍贯", "native_place"),
    Column("政治面貌", "political_status"),
    Column("参加工作时间", "work_start_date"),
    Column("单位代码", "unit_code", required=True),
    Column("内设机构", "internal_unit"),
    Column("人员类别", "category"),
    Column("编制类型", "est_type", required=True),
    Column("进入形式", "entry_form"),
    Column("入编时间", "entry_date"),
    Column("入编文号", "entry_doc_no"),
    Column("核准通知单编号", "notice_no"),
    Column("岗位类别", "post_category"),
    Column("职务职级", "rank"),
    Column("学历学位", "education"),
    Column("职称", "title"),
)
# Free-text columns: key -> Chinese label (stored under the same attribute name).
TEXTS = {
    "ethnicity": "民族",
    "native_place": "籍贯",
    "political_status": "政治面貌",
    "internal_unit": "内设机构",
    "entry_doc_no": "入编文号",
    "notice_no": "核准通知单编号",
    "rank": "职务职级",
    "education": "学历学位",
    "title": "职称",
}
DATES = {"work_start_date": "参加工作时间", "entry_date": "入编时间"}
LOOKUP_CHUNK = 500


@dataclass
class PersonLine:
    row: Row
    number: str
    unit: Unit
    values: dict[str, Any]


def _id_number(row: Row) -> str | None:
    raw = row.required("id_number", "身份证号")
    if raw is None:
        return None
    check = check_ric(raw)
    for message in check.errors:
        hint = "（该列被 Excel 存成了数字，请设为文本格式后重新录入）" if "E+" in raw.upper() else ""
        row.error(f"身份证号“{raw}”无效：{message}{hint}")
    for message in check.warnings:
        row.warn(f"身份证号“{raw}”：{message}")
    return check.normalized


def _cross_check(row: Row, number: str, sex: str | None, birth: date | None) -> None:
    if sex is not None and sex != ric_sex(number):
        row.error(f"性别“{sex}”与身份证号{number}所示性别“{ric_sex(number)}”不一致")
    if birth is not None and birth != ric_birth_date(number):
        row.error(
            f"出生日期“{birth.isoformat()}”与身份证号{number}所示出生日期“{ric_birth_date(number).isoformat()}”不一致"
        )


def _person_line(row: Row, units: dict[str, Unit]) -> PersonLine | None:
    name = row.required("name", "姓名")
    name = name and row.fit(name, "姓名", Person, "name")
    number = _id_number(row)
    sex = row.choice("sex", "性别", SEXES, default="")
    birth = row.date_of("birth_date", "出生日期")
    if number is not None:
        _cross_check(row, number, sex or None, birth)
    code = row.required("unit_code", "单位代码")
    unit = units.get(code) if code else None
    if code and unit is None:
        row.error(f"单位代码“{code}”不存在，请先导入单位")
    values: dict[str, Any] = {
        "category": row.choice("category", "人员类别", PERSON_CATEGORIES, default=""),
        "est_type": row.choice("est_type", "编制类型", EST_TYPES),
        "entry_form": row.choice("entry_form", "进入形式", ENTRY_FORMS, default=""),
        "post_category": row.choice("post_category", "岗位类别", POST_CATEGORIES, default=""),
    }
    values.update({key: row.fit(row.text(key), label, Person, key) for key, label in TEXTS.items()})
    values.update({key: row.date_of(key, label) for key, label in DATES.items()})
    if row.line in row.report.errors or not (name and number and unit):
        return None
    values.update(name=name, sex=ric_sex(number), birth_date=ric_birth_date(number), unit_id=unit.id)
    return PersonLine(row, number, unit, values)


def _stored_persons(session: Session, numbers: list[str]) -> dict[str, Person]:
    found: dict[str, Person] = {}
    for start in range(0, len(numbers), LOOKUP_CHUNK):
        chunk = numbers[start : start + LOOKUP_CHUNK]
        found.update((p.id_number, p) for p in session.scalars(select(Person).where(Person.id_number.in_(chunk))))
    return found


def plan_persons(session: Session, rows: list[Row], by: str) -> Apply:
    units = {u.code: u for u in session.scalars(select(Unit))}
    unit_by_id = {u.id: u for u in units.values()}
    lines = [line for line in (_person_line(row, units) for row in rows) if line is not None]
    reject_duplicates([(ln.row, ln.number) for ln in lines], lambda n: f"身份证号{n}")
    stored = _stored_persons(session, sorted({ln.number for ln in lines}))
    for ln in lines:
        person = stored.get(ln.number)
        if person is not None and person.status == "在编" and person.unit_id != ln.unit.id:
            where = unit_by_id.get(person.unit_id)
            place = f"“{where.name}”（{where.code}）" if where else "其他单位"
            ln.row.error(
                f"身份证号{ln.number}的“{person.name}”已在{place}在编，一人一编，不能同时在“{ln.unit.name}”在编"
            )

    def apply() -> int:
        today = clock.today()
        touched: list[Person] = []
        for ln in lines:
            person = stored.get(ln.number)
            if person is None:
                person = Person(id_number=ln.number, **{**ln.values, "category": ln.values["category"] or "非领导"})
                session.add(person)
            else:
                blank_keeps(person, ln.values)
                person.status, person.exit_date, person.exit_reason, person.exit_doc_no = "在编", None, "", ""
                person.updated_at = utcnow()
            touched.append(person)
        session.flush()
        for person in touched:
            record_history(session, person, event="导入", on=today, doc_no=person.entry_doc_no, by=by)
        session.flush()
        return len(touched)

    return apply

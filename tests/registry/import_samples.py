"""Rosters for the import tests: synthetic but valid codes, real region codes (141002 尧都区, 110105 朝阳区)."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from typing import Any

import openpyxl
from sqlalchemy import func, select
from stdnum.cn import uscc as stdnum_uscc

from forms.identifiers import orgcode_check_char, ric_check_char
from kernel.actors import SYSTEM
from kernel.records import AuditEvent
from onestop.bootstrap import Platform
from registry.models import LeadershipQuota, Person, PersonHistory, Quota, Unit
from registry.services.imports import import_register


def ric(region: str, born: date, sex: str, seq: int = 1) -> str:
    """A valid 18-digit number; the sequence's last digit is odd for 男, even for 女."""
    body = f"{region}{born:%Y%m%d}{(seq * 2 + (1 if sex == '男' else 0)) % 1000:03d}"
    return body + ric_check_char(body)


def ric_ending_x(region: str, born: date, sex: str) -> str:
    return next(n for n in (ric(region, born, sex, seq) for seq in range(1, 500)) if n.endswith("X"))


def uscc(authority_category: str, region: str, body: str) -> str:
    first17 = authority_category + region + body + orgcode_check_char(body)
    return first17 + stdnum_uscc.calc_check_digit(first17)


UNIT_HEADER = [
    "单位代码",
    "单位名称",
    "规范简称",
    "单位类型",
    "区划代码",
    "统一社会信用代码",
    "上级单位代码",
    "经费形式",
    "状态",
]
UNITS: list[list[Any]] = [
    UNIT_HEADER,
    [
        "imp-001",
        "样例区人力资源和社会保障局",
        "区人社局",
        "机关",
        "141002",
        uscc("11", "141002", "MB000011"),
        "",
        "财政拨款",
        "正常",
    ],
    [
        "imp-002",
        "样例区就业服务中心",
        "",
        "事业单位",
        "141002",
        uscc("12", "141002", "MB000022"),
        "imp-001",
        "全额拨款",
        "",
    ],
    ["imp-003", "样例区人才交流服务中心", "", "事业单位", "110105", "", "imp-002", "差额拨款", "active"],
    ["imp-004", "样例区职业培训学校", "", "事业单位", "149999", "", "imp-001", "自收自支", "冻结（负面清单）"],
]
QUOTAS: list[list[Any]] = [
    ["单位代码", "编制类型", "核定数"],
    ["imp-001", "行政编制", "12"],
    ["imp-001", "机关工勤编制", "2"],
    ["imp-001", "领导职数（正职）", "1"],
    ["imp-001", "领导职数（副职）", "3"],
    ["imp-002", "事业编制（全额拨款）", "30"],
    ["imp-003", "事业编制(差额拨款)", "8"],
    ["imp-004", "事业编制（自收自支）", "5"],
]
PERSON_HEADER = [
    "姓名", "性别", "身份证号", "出生日期", "民族", "籍贯", "政治面貌",
    "参加工作时间", "单位代码", "内设机构", "人员类别", "编制类型", "进入形式",
    "入编时间", "入编文号", "核准通知单编号", "岗位类别", "职务职级", "学历学位", "职称",
]  # fmt: skip


def person(name: str, sex: str, number: str, unit: str, est_type: str, **extra: Any) -> list[Any]:
    values = {"姓名": name, "性别": sex, "身份证号": number, "单位代码": unit, "编制类型": est_type, **extra}
    return [values.get(h, "") for h in PERSON_HEADER]


WANG = ric("141002", date(1975, 3, 14), "男")
LI_X = ric_ending_x("110105", date(1983, 9, 2), "女")
ZHANG_15 = "141002680520013"  # 15 digits, sequence 013: 男
ZHANG_18 = "14100219680520013" + ric_check_char("14100219680520013")
ZHAO = ric("141002", date(1990, 12, 1), "女", 3)
CHEN = ric("110105", date(1985, 6, 30), "男", 5)
ZHOU = ric("141002", date(1995, 2, 28), "女", 7)
ZHOU_FULL_WIDTH = ZHOU.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))

PERSONS: list[list[Any]] = [
    PERSON_HEADER,
    person(
        "王建国", "男", WANG, "imp-001", "行政编制",
        出生日期="1975-03-14", 民族="汉族", 籍贯="山西临汾", 政治面貌="中共党员",
        参加工作时间="1996-07-01", 内设机构="办公室", 人员类别="领导正职", 进入形式="考录", 入编时间="1996-07-01",
        入编文号="临编〔1996〕12号", 岗位类别="管理", 职务职级="局长", 学历学位="大学本科/学士",
    ),
    person("李秀英", "女", LI_X.lower(), "imp-001", "行政编制", 出生日期="1983/09/02", 人员类别="领导副职"),
    person("张伟", "", ZHANG_15, "imp-002", "事业编制（全额拨款）", 进入形式="招聘", 岗位类别="专技", 职称="工程师"),
    person("赵敏", "女", ZHAO, "imp-002", "事业编制（全额拨款）", 出生日期="1990年12月1日"),
    person("陈刚", "男", CHEN, "imp-003", "事业编制（差额拨款）", 人员类别="领导副职"),
    person("周丽", "女", ZHOU_FULL_WIDTH, "imp-004", "事业编制（自收自支）", 入编时间="2019-09-01"),
]  # fmt: skip

BAD_TWIN = ric_ending_x("141002", date(1992, 4, 8), "男")
BAD_OLD = "110105700101023"  # 15 digits, 男
BAD_VALID = ric("141002", date(1998, 8, 8), "女", 11)
BAD_MISMATCH = ric("141002", date(1980, 1, 15), "男", 13)
BAD_CHECK = ric("141002", date(1979, 1, 1), "男", 12)[:17] + "0"
BAD_PERSONS: list[list[Any]] = [
    PERSON_HEADER,
    person("孙丽", "女", BAD_VALID, "imp-002", "事业编制（全额拨款）"),  # line 2: fine
    person("钱进", "男", BAD_CHECK, "imp-002", "事业编制（全额拨款）"),  # 3: check digit
    person("吴芳", "女", BAD_MISMATCH, "imp-002", "事业编制（全额拨款）", 出生日期="1980-01-16"),  # 4: sex, birth
    person("郑强", "男", ric("141002", date(1987, 3, 3), "男", 14), "imp-999", "事业编制（全额拨款）"),  # 5: unit
    person("王建国", "男", WANG, "imp-002", "事业编制（全额拨款）"),  # 6: 在编 in imp-001 already
    person("冯涛", "男", BAD_TWIN.lower(), "imp-002", "事业编制（全额拨款）"),  # 7 and 8: the same number
    person("冯涛", "男", f" {BAD_TWIN[:6]} {BAD_TWIN[6:14]} {BAD_TWIN[14:]}", "imp-003", "事业编制（差额拨款）"),
    person("何勇", "男", BAD_OLD, "imp-002", "事业编制（全额拨款）"),  # 9 and 10: 15 and 18 digits of one person
    person("何勇", "", "11010519700101023" + ric_check_char("11010519700101023"), "imp-003", "事业编制（差额拨款）"),
    person("", "男", ric("141002", date(1991, 5, 5), "男", 15), "imp-002", "事业编制", 入编时间="2020-02-30"),
]  # fmt: skip
BAD_LINES = [3, 4, 5, 6, 7, 8, 9, 10, 11]


def csv_bytes(rows: list[list[Any]], encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list[Any]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)  # type: ignore[union-attr]
    book.create_sheet("说明").append(["只读第一个工作表"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def as_dates(rows: list[list[Any]], *headers: str) -> list[list[Any]]:
    """The rows with the named columns' ISO dates as spreadsheet datetimes (as Excel stores them)."""
    positions = [rows[0].index(h) for h in headers]
    converted = [rows[0]]
    for row in rows[1:]:
        copy = list(row)
        for i in positions:
            if copy[i] and "-" in copy[i]:
                copy[i] = datetime.fromisoformat(copy[i])
        converted.append(copy)
    return converted


def load(platform: Platform, kind: str, rows: list[list[Any]], name: str | None = None) -> dict[str, Any]:
    return import_register(platform.ctx, SYSTEM, kind, name or f"{kind}.csv", csv_bytes(rows))


def seed_units(platform: Platform) -> None:
    assert load(platform, "units", UNITS)["applied"]
    assert load(platform, "quotas", QUOTAS)["applied"]


def counts(platform: Platform) -> dict[str, int]:
    with platform.ctx.reading() as session:
        return {
            model.__name__: session.scalar(select(func.count()).select_from(model)) or 0
            for model in (Unit, Quota, LeadershipQuota, Person, PersonHistory)
        }


def import_events(platform: Platform) -> list[dict[str, Any]]:
    with platform.ctx.reading() as session:
        query = select(AuditEvent.details).where(AuditEvent.action == "import").order_by(AuditEvent.seq)
        return list(session.scalars(query))

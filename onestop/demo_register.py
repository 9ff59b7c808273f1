"""Demo register: units with quotas and staff, one frozen unit, one over-staffed
unit, one full unit, and a credit-code block. Identity numbers are synthetic
but valid (check digit, real region codes)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from forms.identifiers import make_ric
from registry.models import CodeBlock, LeadershipQuota, LegalPerson, Person, Quota, RegionTotal, Unit
from registry.staff import record_history

UNITS = [
    # code, name, kind, credit code, funding, status, quotas, leadership (正职, 副职)
    (
        "demo-unit-001",
        "示范市数据资源服务中心",
        "事业单位",
        "12141002MB1234562N",
        "全额拨款",
        "active",
        {"事业编制（全额拨款）": 20, "事业工勤编制": 2},
        (1, 2),
    ),
    (
        "demo-unit-002",
        "示范市行政审批服务管理局",
        "机关",
        None,
        "财政拨款",
        "active",
        {"行政编制": 4, "机关工勤编制": 1},
        (1, 1),
    ),
    ("demo-unit-003", "示范市档案馆", "事业单位", None, "全额拨款", "active", {"事业编制（全额拨款）": 3}, (1, 1)),
    # Merged into 示范市档案馆 by the demo's 机构撤并更名 (its persons and places move there).
    (
        "demo-unit-005",
        "示范市地方志研究室",
        "事业单位",
        "12141002MB12340011",
        "全额拨款",
        "active",
        {"事业编制（全额拨款）": 2},
        (1, 0),
    ),
    (
        "demo-unit-004",
        "示范市职业技能培训中心",
        "事业单位",
        None,
        "差额拨款",
        "frozen",
        {"事业编制（差额拨款）": 10},
        (1, 1),
    ),
]

# unit code, name, sex, birth, category, est type
PERSONS = [
    ("demo-unit-001", "李明", "男", date(1982, 3, 14), "领导正职", "事业编制（全额拨款）"),
    ("demo-unit-001", "张华", "女", date(1986, 7, 2), "领导副职", "事业编制（全额拨款）"),
    ("demo-unit-001", "王芳", "女", date(1991, 11, 20), "非领导", "事业编制（全额拨款）"),
    ("demo-unit-001", "赵磊", "男", date(1995, 5, 8), "非领导", "事业编制（全额拨款）"),
    ("demo-unit-001", "陈静", "女", date(1968, 1, 30), "非领导", "事业工勤编制"),
    ("demo-unit-002", "刘洋", "男", date(1979, 9, 9), "领导正职", "行政编制"),
    ("demo-unit-002", "杨敏", "女", date(1984, 4, 16), "领导副职", "行政编制"),
    ("demo-unit-002", "黄涛", "男", date(1990, 12, 1), "非领导", "行政编制"),
    ("demo-unit-002", "周婷", "女", date(1993, 6, 25), "非领导", "行政编制"),
    ("demo-unit-003", "吴强", "男", date(1966, 8, 18), "领导正职", "事业编制（全额拨款）"),
    ("demo-unit-003", "徐丽", "女", date(1975, 2, 11), "非领导", "事业编制（全额拨款）"),
    ("demo-unit-003", "孙伟", "男", date(1988, 10, 5), "非领导", "事业编制（全额拨款）"),
    ("demo-unit-003", "马琳", "女", date(1997, 3, 27), "非领导", "事业编制（全额拨款）"),
    ("demo-unit-005", "郭志远", "男", date(1970, 4, 3), "领导正职", "事业编制（全额拨款）"),
    ("demo-unit-005", "韩雪", "女", date(1989, 8, 21), "非领导", "事业编制（全额拨款）"),
]


# The region's 编制总量 by type and its 周转池, as the province approved them (types not listed are not capped).
REGION_TOTALS = {"事业编制（全额拨款）": (200, 10), "事业工勤编制": (20, 0), "行政编制": (30, 0)}
TOTALS_BASIS = "晋编〔2024〕12号"

# 示范市数据资源服务中心's 事业单位法人登记 (its certificate issued in 2024, valid five years).
LEGAL_PERSON = {
    "representative": "李明",
    "representative_id": make_ric("141002", date(1982, 3, 14), 1, "男"),
    "address": "示范市尧都区鼓楼北街1号",
    "purpose": "承担全市政务数据资源归集、共享和开放的技术支撑工作",
    "start_fund": Decimal("500"),
    "sponsor": "示范市行政审批服务管理局",
    "registered_on": date(2024, 6, 30),
    "valid_until": date(2029, 6, 30),
}

# The standard short names (规范简称) a unit may also use, e.g. as its Chinese domain name.
SHORT_NAMES = {"demo-unit-001": "市数据资源中心", "demo-unit-002": "市审批局", "demo-unit-003": "市档案馆"}


def seed_register(session: Session) -> bool:
    """Create the demo register once; False when units exist already."""
    if session.scalars(select(Unit.id).limit(1)).first() is not None:
        return False
    units: dict[str, Unit] = {}
    for code, name, kind, credit, funding, status, quotas, (heads, deputies) in UNITS:
        unit = Unit(
            code=code,
            name=name,
            short_name=SHORT_NAMES.get(code),
            kind=kind,
            region_code="141002",
            credit_code=credit,
            funding_form=funding,
            status=status,
        )
        session.add(unit)
        session.flush()
        units[code] = unit
        session.add_all(Quota(unit_id=unit.id, est_type=t, approved=n) for t, n in quotas.items())
        session.add_all(
            [
                LeadershipQuota(unit_id=unit.id, level="正职", approved=heads),
                LeadershipQuota(unit_id=unit.id, level="副职", approved=deputies),
            ]
        )
    for seq, (code, name, sex, born, category, est_type) in enumerate(PERSONS, start=1):
        person = Person(
            id_number=make_ric("141002", born, seq, sex),
            name=name,
            sex=sex,
            birth_date=born,
            ethnicity="汉族",
            unit_id=units[code].id,
            category=category,
            est_type=est_type,
            entry_form="招聘",
            entry_date=date(2015, 9, 1),
            status="在编",
        )
        session.add(person)
        session.flush()
        record_history(session, person, event="导入", on=date(2015, 9, 1), by="system")
    session.add(LegalPerson(unit_id=units["demo-unit-001"].id, **LEGAL_PERSON))
    session.add_all(
        RegionTotal(region_code="141002", est_type=t, total=total, pool=pool, basis=TOTALS_BASIS)
        for t, (total, pool) in REGION_TOTALS.items()
    )
    # One block per category; disjoint ranges keep every organization-code body unique.
    for category, first, last in (("1", 200000, 200999), ("2", 123457, 124999), ("3", 300000, 300999)):
        session.add(
            CodeBlock(
                authority="1",
                category=category,
                region_code="141002",
                prefix="MB",
                first_seq=first,
                last_seq=last,
                next_seq=first,
            )
        )
    return True

"""Importing the register from CSV and XLSX: all or nothing, every problem reported per line."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from kernel.actors import SYSTEM
from kernel.errors import Forbidden, ValidationFailed
from onestop.bootstrap import Platform
from onestop.cli import main
from registry.models import LeadershipQuota, Person, PersonHistory, Quota, Unit
from registry.services.imports import import_register
from tests.conftest import actors_of
from tests.registry.import_samples import (
    BAD_CHECK,
    BAD_LINES,
    BAD_PERSONS,
    LI_X,
    PERSONS,
    QUOTAS,
    UNIT_HEADER,
    UNITS,
    WANG,
    ZHANG_18,
    ZHOU,
    as_dates,
    counts,
    csv_bytes,
    import_events,
    load,
    person,
    seed_units,
    xlsx_bytes,
)


def _rejected(platform: Platform, kind: str, content: bytes, name: str = "file.csv") -> dict[int, list[str]]:
    with pytest.raises(ValidationFailed) as refused:
        import_register(platform.ctx, SYSTEM, kind, name, content)
    assert refused.value.code == "import_rejected" and refused.value.message == "导入文件有错误，未导入任何数据"
    report = refused.value.details
    assert report["applied"] is False and report["imported"] == 0
    return {r["line"]: r["errors"] for r in report["rejected"]}


def _check_full_register(platform: Platform) -> None:
    with platform.ctx.reading() as session:
        units = {u.code: u for u in session.scalars(select(Unit))}
        assert units["imp-002"].parent_id == units["imp-001"].id
        assert units["imp-003"].parent_id == units["imp-002"].id
        assert (units["imp-001"].short_name, units["imp-001"].status) == ("区人社局", "active")
        assert (units["imp-003"].region_code, units["imp-004"].status) == ("110105", "frozen")
        assert units["imp-002"].credit_code is not None and units["imp-003"].credit_code is None
        quotas = {(q.unit_id, q.est_type): q.approved for q in session.scalars(select(Quota))}
        assert quotas[(units["imp-001"].id, "行政编制")] == 12
        assert quotas[(units["imp-003"].id, "事业编制（差额拨款）")] == 8
        posts = {(q.unit_id, q.level): q.approved for q in session.scalars(select(LeadershipQuota))}
        assert posts[(units["imp-001"].id, "正职")] == 1 and posts[(units["imp-001"].id, "副职")] == 3
        mine = [u.id for code, u in units.items() if code.startswith("imp-")]
        people = {p.id_number: p for p in session.scalars(select(Person).where(Person.unit_id.in_(mine)))}
        assert {LI_X, ZHANG_18, ZHOU, WANG} <= set(people)
        wang, zhang = people[WANG], people[ZHANG_18]
        assert (wang.unit_id, wang.category, wang.entry_date, wang.status) == (
            units["imp-001"].id, "领导正职", date(1996, 7, 1), "在编",
        )  # fmt: skip
        assert (zhang.sex, zhang.birth_date, zhang.category, zhang.title) == (
            "男",
            date(1968, 5, 20),
            "非领导",
            "工程师",
        )
        assert people[LI_X].birth_date == date(1983, 9, 2) and people[ZHOU].entry_date == date(2019, 9, 1)
        history = list(session.scalars(select(PersonHistory).where(PersonHistory.person_id == wang.id)))
        assert [(h.event, h.unit_id, h.recorded_by) for h in history] == [("导入", units["imp-001"].id, "system")]


def test_a_realistic_roster_imports_completely(platform: Platform) -> None:
    before, events = counts(platform), len(import_events(platform))
    units = load(platform, "units", UNITS)
    assert units == {
        "kind": "units",
        "total": 4,
        "imported": 4,
        "applied": True,
        "rejected": [],
        "warnings": [{"line": 5, "warnings": ["区划代码“149999”不在行政区划代码表中，请核实"]}],
    }
    assert load(platform, "quotas", QUOTAS)["imported"] == 7
    persons = load(platform, "persons", PERSONS)
    assert (persons["total"], persons["imported"], persons["applied"], persons["rejected"]) == (6, 6, True, [])
    assert persons["warnings"] == [{"line": 4, "warnings": ["身份证号“141002680520013”：已将15位旧号码转换为18位"]}]
    after = counts(platform)
    assert {k: after[k] - before[k] for k in after} == {
        "Unit": 4, "Quota": 5, "LeadershipQuota": 2, "Person": 6, "PersonHistory": 6,
    }  # fmt: skip
    _check_full_register(platform)
    # A rejected file leaves everything as it was, on every backend.
    assert sorted(_rejected(platform, "persons", csv_bytes(BAD_PERSONS))) == BAD_LINES
    assert counts(platform) == after
    assert [(e["kind"], e["applied"]) for e in import_events(platform)[events:]] == [
        ("units", True), ("quotas", True), ("persons", True), ("persons", False),
    ]  # fmt: skip


def test_every_bad_line_is_reported_and_nothing_is_written(sqlite_platform: Platform) -> None:
    seed_units(sqlite_platform)
    assert load(sqlite_platform, "persons", PERSONS)["applied"]
    before = counts(sqlite_platform)
    errors = _rejected(sqlite_platform, "persons", csv_bytes(BAD_PERSONS))
    assert sorted(errors) == BAD_LINES
    assert errors[3] == [f"身份证号“{BAD_CHECK}”无效：身份证号码校验码错误"]
    assert len(errors[4]) == 2
    assert "性别“女”" in errors[4][0] and "“男”" in errors[4][0]
    assert "出生日期“1980-01-16”" in errors[4][1] and "“1980-01-15”" in errors[4][1]
    assert errors[5] == ["单位代码“imp-999”不存在，请先导入单位"]
    assert "一人一编" in errors[6][0] and "样例区人力资源和社会保障局" in errors[6][0]
    assert "另见第8行" in errors[7][0] and "另见第7行" in errors[8][0]
    assert "另见第10行" in errors[9][0] and "另见第9行" in errors[10][0]
    assert errors[11][0] == "“姓名”不能为空" and "编制类型" in errors[11][1] and "2020-02-30" in errors[11][2]
    assert counts(sqlite_platform) == before
    event = import_events(sqlite_platform)[-1]
    assert (event["applied"], event["total"], event["rejected"], event["file"]) == (False, 10, 9, "file.csv")


def test_xlsx_with_spreadsheet_dates_and_numbers(sqlite_platform: Platform) -> None:
    numeric_units = [UNITS[0], *([*row[:4], int(row[4]), *row[5:]] for row in UNITS[1:])]
    assert import_register(sqlite_platform.ctx, SYSTEM, "units", "单位.xlsx", xlsx_bytes(numeric_units))["applied"]
    numeric_quotas = [QUOTAS[0], *([*row[:2], int(row[2])] for row in QUOTAS[1:])]
    assert import_register(sqlite_platform.ctx, SYSTEM, "quotas", "编制.XLSX", xlsx_bytes(numeric_quotas))["applied"]
    rows = as_dates(PERSONS, "出生日期", "参加工作时间", "入编时间")
    report = import_register(sqlite_platform.ctx, SYSTEM, "persons", "人员.xlsx", xlsx_bytes(rows))
    assert (report["imported"], report["applied"]) == (6, True)
    _check_full_register(sqlite_platform)
    before = counts(sqlite_platform)
    with pytest.raises(ValidationFailed) as refused:
        import_register(sqlite_platform.ctx, SYSTEM, "persons", "人员.xlsx", xlsx_bytes(BAD_PERSONS))
    assert [r["line"] for r in refused.value.details["rejected"]] == BAD_LINES
    assert counts(sqlite_platform) == before


def test_updates_instead_of_duplicates(sqlite_platform: Platform) -> None:
    seed_units(sqlite_platform)
    load(sqlite_platform, "persons", PERSONS)
    before = counts(sqlite_platform)
    assert load(sqlite_platform, "quotas", [QUOTAS[0], ["imp-001", "行政编制", "15"]])["imported"] == 1
    moved = person("王建国", "", WANG, "imp-001", "行政编制", 职务职级="一级调研员")
    assert load(sqlite_platform, "persons", [PERSONS[0], moved])["applied"]
    assert load(sqlite_platform, "units", [UNITS[0], [*UNITS[3][:2], "人才中心", *UNITS[3][3:]]])["applied"]
    after = counts(sqlite_platform)
    assert {k: after[k] - before[k] for k in after}["PersonHistory"] == 1
    assert {k: v for k, v in after.items() if k != "PersonHistory"} == {
        k: v for k, v in before.items() if k != "PersonHistory"
    }
    with sqlite_platform.ctx.reading() as session:
        wang = session.scalars(select(Person).where(Person.id_number == WANG)).one()
        assert (wang.rank, wang.category, wang.ethnicity) == ("一级调研员", "领导正职", "汉族")  # blanks keep
        unit = session.scalars(select(Unit).where(Unit.code == "imp-003")).one()
        assert (unit.short_name, unit.status) == ("人才中心", "active")


LATER = ["imp-011", "样例二", "", "机关", "141002", "", "", "财政拨款", ""]


@pytest.mark.parametrize(
    ("rows", "fragments"),
    [
        ([["imp-010", "样例一", "", "机关", "141002", "", "imp-011", "财政拨款", ""], LATER], ["更早的行"]),
        ([["imp-011", "样例二", "", "机关", "141002", "", "imp-011", "财政拨款", ""]], ["不能是本单位"]),
        (
            [["imp-012", "样例三", "", "企业", "1410", "", "", "拨款", "暂停"]],
            ["“单位类型”应为", "“区划代码”应为6位数字", "“经费形式”应为", "“状态”应为"],
        ),
        ([["imp-013", "样例四", "", "机关", "141002", "12141002MB1234562X", "", "财政拨款", ""]], ["校验码错误"]),
        ([["imp-014", UNITS[1][1], "", "机关", "141002", "", "", "财政拨款", ""]], ["已被单位“imp-001”使用"]),
        ([["imp-002", "样例五", "", "事业单位", "141002", "", "imp-003", "全额拨款", ""]], ["形成循环"]),
    ],
)
def test_unit_errors(sqlite_platform: Platform, rows: list[list[str]], fragments: list[str]) -> None:
    load(sqlite_platform, "units", UNITS)
    before = counts(sqlite_platform)
    errors = _rejected(sqlite_platform, "units", csv_bytes([UNITS[0], *rows]))
    assert list(errors) == [2] and len(errors[2]) == len(fragments), errors
    for message, fragment in zip(errors[2], fragments, strict=True):
        assert fragment in message, errors
    assert counts(sqlite_platform) == before


def test_quota_errors_and_duplicates(sqlite_platform: Platform) -> None:
    seed_units(sqlite_platform)
    rows = [QUOTAS[0], ["imp-999", "行政编制", "1"], ["imp-001", "行政编制", "-1"], ["imp-001", "编制", "x"]]
    rows += [["imp-002", "事业工勤编制", "1"], ["imp-002", "事业工勤编制", "2"]]
    errors = _rejected(sqlite_platform, "quotas", csv_bytes(rows))
    assert errors[2] == ["单位代码“imp-999”不存在，请先导入单位"]
    assert errors[3] == ["“核定数”应为0至100000之间的整数，而不是“-1”"]
    assert len(errors[4]) == 2 and "重复" in errors[5][0] and "重复" in errors[6][0]


def test_over_staffed_quota_is_a_warning(sqlite_platform: Platform) -> None:
    seed_units(sqlite_platform)
    load(sqlite_platform, "persons", PERSONS)
    report = load(sqlite_platform, "quotas", [QUOTAS[0], ["imp-001", "行政编制", "1"]])
    assert report["applied"] and "超编" in report["warnings"][0]["warnings"][0]


def test_only_admins_import(sqlite_platform: Platform) -> None:
    bianban = actors_of(sqlite_platform)["bianban"]
    with pytest.raises(Forbidden) as refused:
        import_register(sqlite_platform.ctx, bianban, "units", "u.csv", csv_bytes(UNITS))
    assert refused.value.code == "admin_only"


def _cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, Any]:
    code = main(args)
    out = capsys.readouterr().out
    return code, json.loads(out) if out.strip() else None


def test_cli_exit_codes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    data = ["--data-dir", str(tmp_path / "data")]
    for name, rows in (
        ("units.csv", UNITS),
        ("quotas.csv", QUOTAS),
        ("persons.csv", PERSONS),
        ("bad.csv", BAD_PERSONS),
    ):
        (tmp_path / name).write_bytes(csv_bytes(rows))
    assert _cli(["import", "units", str(tmp_path / "units.csv"), *data], capsys)[0] == 0
    assert _cli(["import", "quotas", str(tmp_path / "quotas.csv"), *data], capsys)[0] == 0
    code, report = _cli(["import", "persons", str(tmp_path / "persons.csv"), *data], capsys)
    assert (code, report["imported"]) == (0, 6)
    code, report = _cli(["import", "persons", str(tmp_path / "bad.csv"), *data], capsys)
    assert (code, report["applied"], [r["line"] for r in report["rejected"]]) == (1, False, BAD_LINES)
    code, error = _cli(["import", "persons", str(tmp_path / "units.csv"), *data], capsys)
    assert (code, error["code"]) == (1, "import_bad_header")
    assert main(["import", "persons", str(tmp_path / "missing.csv"), *data]) == 2
    assert "无法读取" in capsys.readouterr().err


def test_an_import_cannot_cancel_a_staffed_unit_and_records_what_it_changes(sqlite_platform: Platform) -> None:
    from registry.models import UnitEvent

    row = ["demo-unit-002", "示范市行政审批服务管理局", "", "机关", "141002", "", "", "财政拨款", "撤销"]
    errors = _rejected(sqlite_platform, "units", csv_bytes([UNIT_HEADER, row]))
    assert any("尚有在编人员4名（行政编制4名）" in message for message in errors[2])
    renamed = ["demo-unit-003", "示范市档案事业发展中心", "", "事业单位", "141002", "", "", "全额拨款", "冻结"]
    assert import_register(sqlite_platform.ctx, SYSTEM, "units", "units.csv", csv_bytes([UNIT_HEADER, renamed]))
    with sqlite_platform.ctx.reading() as session:
        events = session.execute(
            select(UnitEvent.event, UnitEvent.before, UnitEvent.after, UnitEvent.basis_source).order_by(UnitEvent.id)
        ).all()
    assert [tuple(e) for e in events] == [
        ("名称变更", "示范市档案馆", "示范市档案事业发展中心", "import"),
        ("状态变更", "active", "frozen", "import"),
    ]

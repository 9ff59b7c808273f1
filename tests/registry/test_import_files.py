"""Reading import files: encodings, spreadsheets, headers, and files refused as a whole."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from kernel.actors import SYSTEM
from kernel.errors import UnsupportedMediaType, ValidationFailed
from onestop.bootstrap import Platform
from registry.models import Unit
from registry.services.imports import import_register
from tests.registry.import_samples import (
    PERSONS,
    QUOTAS,
    UNITS,
    WANG,
    csv_bytes,
    import_events,
    person,
    seed_units,
    xlsx_bytes,
)


def test_gb18030_csv_and_extra_columns(sqlite_platform: Platform) -> None:
    rows = [[*row, "备注"] if i == 0 else [*row, "无"] for i, row in enumerate(UNITS)]
    report = import_register(sqlite_platform.ctx, SYSTEM, "units", "units.csv", csv_bytes(rows, "gb18030"))
    assert report["applied"] and report["warnings"][0] == {"line": 1, "warnings": ["已忽略无法识别的列：“备注”"]}
    bom = import_register(sqlite_platform.ctx, SYSTEM, "quotas", "q.csv", csv_bytes(QUOTAS, "utf-8-sig"))
    assert bom["applied"]
    with sqlite_platform.ctx.reading() as session:
        names = set(session.scalars(select(Unit.name).where(Unit.code.like("imp-%"))))
    assert "样例区人才交流服务中心" in names


@pytest.mark.parametrize(
    ("name", "content", "error", "code"),
    [
        ("roster.txt", b"a,b\n", UnsupportedMediaType, "import_unsupported_type"),
        ("roster.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", UnsupportedMediaType, "import_unsupported_type"),
        ("roster.xlsx", "姓名,身份证号\n".encode(), UnsupportedMediaType, "import_content_mismatch"),
        ("roster.xlsx", b"PK\x03\x04broken", ValidationFailed, "import_bad_file"),
        ("roster.csv", b"", ValidationFailed, "import_empty"),
        ("roster.csv", csv_bytes([PERSONS[0]]), ValidationFailed, "import_empty"),
        ("roster.csv", "\n姓名\n".encode(), ValidationFailed, "import_bad_header"),
        ("roster.csv", "姓名\t身份证号\n".encode("utf-16"), ValidationFailed, "import_bad_header"),
        ("roster.csv", csv_bytes(UNITS), ValidationFailed, "import_bad_header"),
    ],
)
def test_files_refused_as_a_whole(
    sqlite_platform: Platform, name: str, content: bytes, error: type[Exception], code: str
) -> None:
    with pytest.raises(error) as refused:
        import_register(sqlite_platform.ctx, SYSTEM, "persons", name, content)
    assert getattr(refused.value, "code", None) == code


def test_bad_header_names_the_missing_columns(sqlite_platform: Platform) -> None:
    header = [h for h in PERSONS[0] if h != "身份证号"]
    with pytest.raises(ValidationFailed) as refused:
        import_register(sqlite_platform.ctx, SYSTEM, "persons", "p.csv", csv_bytes([header, ["x"] * len(header)]))
    assert refused.value.code == "import_bad_header" and "“身份证号”" in refused.value.message
    assert refused.value.details["missing"] == ["身份证号"]
    assert import_events(sqlite_platform)[-1]["error"] == "import_bad_header"


def test_spreadsheet_pitfalls(sqlite_platform: Platform) -> None:
    seed_units(sqlite_platform)
    numeric_id = person("王五", "男", float(WANG), "imp-001", "行政编制")
    long_name = person("名" * 51, "男", WANG, "imp-001", "行政编制", 内设机构="处" * 500)
    with pytest.raises(ValidationFailed) as refused:
        import_register(
            sqlite_platform.ctx, SYSTEM, "persons", "p.xlsx", xlsx_bytes([PERSONS[0], numeric_id, long_name])
        )
    errors = {r["line"]: r["errors"] for r in refused.value.details["rejected"]}
    assert "设为文本格式" in errors[2][0]
    assert errors[3] == ["“姓名”不能超过50个字符（当前51个）", "“内设机构”不能超过100个字符（当前500个）"]


def test_excel_unicode_text_and_blank_lines(sqlite_platform: Platform) -> None:
    """Excel's "Unicode text" is UTF-16 with tabs; blank lines are skipped but keep their numbers."""
    text = "\r\n".join(
        "\t".join(row) for row in [UNITS[0], UNITS[1], ["", "", ""], [*UNITS[2][:3], "机构", *UNITS[2][4:]]]
    )
    with pytest.raises(ValidationFailed) as refused:
        import_register(sqlite_platform.ctx, SYSTEM, "units", "units.csv", text.encode("utf-16"))
    report = refused.value.details
    assert report["total"] == 2 and [r["line"] for r in report["rejected"]] == [4]


def _xlsx_with_sheet(sheet_xml: bytes) -> bytes:
    """A workbook whose first sheet is ``sheet_xml`` (rows written by hand, as a crafted file would)."""
    import io
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes([PERSONS[0]])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as crafted:
        for item in source.infolist():
            data = sheet_xml if item.filename == "xl/worksheets/sheet1.xml" else source.read(item)
            crafted.writestr(item.filename, data)
    return out.getvalue()


def _sheet(header: list[str], rows: bytes, dimension: str = "A1:T1") -> bytes:
    cells = "".join(f'<c r="{chr(65 + i)}1" t="inlineStr"><is><t>{h}</t></is></c>' for i, h in enumerate(header))
    return (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + f'<dimension ref="{dimension}"/><sheetData><row r="1">{cells}</row>'.encode()
        + rows
        + b"</sheetData></worksheet>"
    )


def test_a_workbook_of_empty_rows_is_refused_by_counting_them(sqlite_platform: Platform) -> None:
    import time

    from registry.import_files import MAX_LINES

    empty_rows = b"".join(b'<row r="%d"/>' % n for n in range(2, MAX_LINES + 50))
    bomb = _xlsx_with_sheet(_sheet(list(PERSONS[0]), empty_rows, dimension="A1:XFD1048576"))
    assert len(bomb) < 1_000_000
    t0 = time.perf_counter()
    with pytest.raises(ValidationFailed) as refused:
        import_register(sqlite_platform.ctx, SYSTEM, "persons", "roster.xlsx", bomb)
    assert refused.value.code == "import_too_many_rows" and "空行" in refused.value.message
    assert time.perf_counter() - t0 < 30


def test_a_wrong_header_is_refused_before_the_other_rows_are_read(sqlite_platform: Platform) -> None:
    import time

    empty_rows = b"".join(b'<row r="%d"/>' % n for n in range(2, 150_000))
    wrong = _xlsx_with_sheet(_sheet(["甲", "乙"], empty_rows))
    t0 = time.perf_counter()
    with pytest.raises(ValidationFailed) as refused:
        import_register(sqlite_platform.ctx, SYSTEM, "persons", "roster.xlsx", wrong)
    assert refused.value.code == "import_bad_header"
    assert time.perf_counter() - t0 < 2.0

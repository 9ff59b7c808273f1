"""Importing the register from a CSV or XLSX file: units, quotas or persons.

A file is all or nothing. Every line is checked first (several errors per
line, all reported, with line numbers as the user sees them: the header is
line 1); only when no line is rejected is anything added to the session.
Warnings (an unknown region code, an old 15-digit ID number converted) are
reported and do not reject a line. A file whose header lacks a required
column is refused as a whole (``import_bad_header``); columns nobody asked
for are ignored with a warning on line 1.

Modules: ``import_files`` reads the table, ``import_rows`` has the report and
the cell parsers, ``import_units`` and ``import_persons`` check and apply.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy.orm import Session

from kernel.errors import ValidationFailed
from registry import totals
from registry.import_files import bind_headers, read_table
from registry.import_persons import PERSON_COLUMNS, plan_persons
from registry.import_rows import Apply, Column, Report, Row
from registry.import_units import QUOTA_COLUMNS, UNIT_COLUMNS, plan_quotas, plan_units

Planner = Callable[[Session, list[Row], str], Apply]

KINDS: dict[str, tuple[Sequence[Column], Planner]] = {
    "units": (UNIT_COLUMNS, plan_units),
    "quotas": (QUOTA_COLUMNS, plan_quotas),
    "persons": (PERSON_COLUMNS, plan_persons),
}
KIND_LABELS = {"units": "单位", "quotas": "编制核定数", "persons": "实名制人员"}

__all__ = ["KINDS", "KIND_LABELS", "Report", "import_file"]


def read_rows(filename: str, content: bytes, columns: Sequence[Column], report: Report) -> list[Row]:
    """The file's data rows bound to ``columns`` (unknown columns warned about on line 1), counted
    on ``report``; a file without data rows is refused."""
    table = read_table(filename, content, columns)
    positions, unknown = bind_headers(table.headers, columns)
    if unknown:
        report.warn(1, f"已忽略无法识别的列：{'、'.join(f'“{h}”' for h in unknown)}")
    rows = [
        Row(line, {key: cells[i] if i < len(cells) else "" for key, i in positions.items()}, report)
        for line, cells in table.rows
    ]
    if not rows:
        raise ValidationFailed("import_empty", "文件中没有数据行（第1行为表头，数据从第2行开始）")
    report.total = len(rows)
    return rows


def import_file(session: Session, kind: str, filename: str, content: bytes, *, by: str) -> Report:
    """Check the file and, when no line is rejected, write it into ``session`` (not committed)."""
    if kind not in KINDS:
        raise ValidationFailed(
            "import_unknown_kind", "导入类型应为 units（单位）、quotas（编制核定数）或 persons（人员）"
        )
    columns, planner = KINDS[kind]
    report = Report(kind)
    rows = read_rows(filename, content, columns, report)
    apply = planner(session, rows, by)
    if report.ok:
        capped = totals.lock_all(session)
        report.imported = apply()
        for region_code in sorted(capped):
            totals.ensure_within(session, region_code)
        report.applied = True
    return report

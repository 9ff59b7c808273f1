"""Pieces shared by the register importers: the report, one data row, and cell parsers.

Every parser records its problem on the row (in Chinese, naming the column
and the value as the user typed it) and returns ``None`` instead of raising,
so one pass collects all the errors of a file.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.orm import DeclarativeBase

Cell = str | date
"""A cell as read: text, or a date when the spreadsheet stored one."""

Apply = Callable[[], int]
"""Writes a fully validated file into the session; returns how many rows it imported."""

MAX_MESSAGE = 300
_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")


@dataclass(frozen=True)
class Column:
    header: str
    key: str
    required: bool = False  # the header must be present (the cell may still be checked separately)
    aliases: tuple[str, ...] = ()


@dataclass
class Report:
    kind: str
    total: int = 0
    imported: int = 0
    applied: bool = False
    errors: dict[int, list[str]] = field(default_factory=dict)
    warnings: dict[int, list[str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    def error(self, line: int, message: str) -> None:
        self.errors.setdefault(line, []).append(_capped(message))

    def warn(self, line: int, message: str) -> None:
        self.warnings.setdefault(line, []).append(_capped(message))

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "total": self.total,
            "imported": self.imported,
            "applied": self.applied,
            "rejected": [{"line": line, "errors": self.errors[line]} for line in sorted(self.errors)],
            "warnings": [{"line": line, "warnings": self.warnings[line]} for line in sorted(self.warnings)],
        }


@dataclass
class Row:
    line: int  # as the user sees it: the header is line 1
    cells: dict[str, Cell]
    report: Report

    def error(self, message: str) -> None:
        self.report.error(self.line, message)

    def warn(self, message: str) -> None:
        self.report.warn(self.line, message)

    def text(self, key: str) -> str:
        value = self.cells.get(key, "")
        return value.isoformat() if isinstance(value, date) else value

    def required(self, key: str, label: str) -> str | None:
        value = self.text(key)
        if not value:
            self.error(f"“{label}”不能为空")
            return None
        return value

    def fit(self, value: str, label: str, model: type[DeclarativeBase], attr: str) -> str | None:
        """The value when it fits the column it is stored in."""
        limit = max_length(model, attr)
        if limit is not None and len(value) > limit:
            self.error(f"“{label}”不能超过{limit}个字符（当前{len(value)}个）")
            return None
        return value

    def choice(self, key: str, label: str, choices: Iterable[str], *, default: str | None = None) -> str | None:
        """A value of a closed vocabulary; ASCII parentheses and stray spaces are tolerated."""
        options = list(choices)
        raw = self.text(key)
        if not raw:
            if default is None:
                self.error(f"“{label}”不能为空")
            return default
        value = re.sub(r"\s+", "", raw).replace("(", "（").replace(")", "）")
        if value in options:
            return value
        allowed = "、".join(f"“{o}”" for o in options)
        self.error(f"“{label}”应为{allowed}之一，而不是“{raw}”")
        return None

    def date_of(self, key: str, label: str) -> date | None:
        """YYYY-MM-DD, YYYY/MM/DD, YYYY.MM.DD, YYYY年M月D日, or a spreadsheet date; blank is None."""
        value = self.cells.get(key, "")
        if isinstance(value, date):
            return value
        text = unicodedata.normalize("NFKC", value).strip()
        if not text:
            return None
        match = _DATE.fullmatch(text)
        if match:
            try:
                return date(*(int(part) for part in match.groups()))
            except ValueError:
                self.error(f"“{label}”“{value}”不是存在的日期")
                return None
        self.error(f"“{label}”“{value}”格式不正确，应为 YYYY-MM-DD 或 YYYY/MM/DD")
        return None

    def integer(self, key: str, label: str, low: int, high: int) -> int | None:
        raw = self.text(key)
        text = unicodedata.normalize("NFKC", raw).strip()
        if not text:
            self.error(f"“{label}”不能为空")
            return None
        if not re.fullmatch(r"\d+", text) or not low <= int(text) <= high:
            self.error(f"“{label}”应为{low}至{high}之间的整数，而不是“{raw}”")
            return None
        return int(text)


def _capped(message: str) -> str:
    """Messages quote the cells; a pasted paragraph in a cell must not bloat the report."""
    return message if len(message) <= MAX_MESSAGE else message[: MAX_MESSAGE - 1] + "…"


def max_length(model: type[DeclarativeBase], attr: str) -> int | None:
    table: Any = model.__table__
    length: int | None = getattr(table.c[attr].type, "length", None)
    return length


def reject_duplicates(keyed: Sequence[tuple[Row, Hashable]], describe: Callable[[Any], str]) -> None:
    """Every line whose key appears more than once is rejected, naming the other lines."""
    lines: dict[Hashable, list[int]] = {}
    for row, key in keyed:
        lines.setdefault(key, []).append(row.line)
    for row, key in keyed:
        others = [str(line) for line in lines[key] if line != row.line]
        if others:
            row.error(f"{describe(key)}在文件中重复出现（另见第{'、'.join(others)}行）")


def blank_keeps(target: object, values: dict[str, Any]) -> None:
    """Update ``target`` with the values that were given; a blank optional cell keeps what is stored."""
    for attr, value in values.items():
        if value not in (None, ""):
            setattr(target, attr, value)

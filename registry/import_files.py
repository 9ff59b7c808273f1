"""Reading an import file into a header row and numbered data rows.

CSV: UTF-8 with or without BOM, UTF-16 with BOM (Excel's "Unicode text"),
otherwise GB18030 (which covers GBK and GB2312); comma separated, or tab
separated when the header line has tabs and no commas. XLSX: the first
worksheet through openpyxl. Line numbers are the ones the user sees: the
header is line 1, blank lines keep their number and are skipped.

Bounded before it costs: the size of the file and of the unpacked workbook,
the header checked before any other row, every line counted (blank ones
too), at most ``MAX_COLUMNS`` columns read, and ``MAX_SECONDS`` of reading.
"""

from __future__ import annotations

import codecs
import csv
import io
import time
import warnings
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import PurePosixPath, PureWindowsPath

from kernel.errors import PayloadTooLarge, UnsupportedMediaType, ValidationFailed
from registry.import_rows import Cell, Column

MAX_IMPORT_BYTES = 10 * 1024 * 1024
MAX_ROWS = 100_000
MAX_LINES = 2 * MAX_ROWS  # blank lines count too: a sheet of empty rows costs as much to read
MAX_COLUMNS = 64  # the widest import has 20 columns; a sheet claiming 16,384 is not read that wide
MAX_SECONDS = 30.0
MAX_XLSX_UNPACKED = 200 * 1024 * 1024
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls


@dataclass
class Table:
    headers: list[str]
    rows: list[tuple[int, list[Cell]]]


def base_name(filename: str) -> str:
    """The file's own name, whichever operating system's path it came with, without control characters."""
    name = PureWindowsPath(PurePosixPath(filename).name).name
    return "".join(ch for ch in name if ch.isprintable())[:200]


def file_format(filename: str, content: bytes) -> str:
    """``csv`` or ``xlsx``, from the extension, checked against the first bytes."""
    suffix = PurePosixPath(base_name(filename)).suffix.lower()
    if suffix == ".xls" or (suffix in (".csv", ".xlsx") and content.startswith(OLE_MAGIC)):
        raise UnsupportedMediaType(
            "import_unsupported_type", "不支持旧版 Excel（.xls）文件，请另存为 .xlsx 或 CSV 后导入"
        )
    if suffix == ".csv" and not content.startswith(ZIP_MAGIC):
        return "csv"
    if suffix == ".xlsx" and content.startswith(ZIP_MAGIC):
        return "xlsx"
    if suffix in (".csv", ".xlsx"):
        raise UnsupportedMediaType("import_content_mismatch", f"文件内容与扩展名“{suffix}”不符，请确认文件类型")
    raise UnsupportedMediaType("import_unsupported_type", "仅支持导入 CSV（.csv）或 Excel（.xlsx）文件")


def read_table(filename: str, content: bytes, columns: Sequence[Column]) -> Table:
    """The header row (checked against ``columns`` before any other row is read) and the data rows."""
    if len(content) > MAX_IMPORT_BYTES:
        raise PayloadTooLarge(
            "import_too_large",
            f"导入文件超过 {MAX_IMPORT_BYTES >> 20} MB 的大小限制",
            {"limit_bytes": MAX_IMPORT_BYTES},
        )
    fmt = file_format(filename, content)
    if not content.strip(b" \t\r\n\xef\xbb\xbf"):
        raise ValidationFailed("import_empty", "导入文件为空")
    rows = _csv_rows(content) if fmt == "csv" else _xlsx_rows(content)
    return _table(rows, columns)


def _table(rows: Iterable[Sequence[Cell]], columns: Sequence[Column]) -> Table:
    lines = iter(rows)
    first = next(lines, None)
    headers = [_header(c) for c in first] if first is not None else []
    if not any(headers):
        raise ValidationFailed("import_bad_header", "第1行应为表头，但它是空的", {"missing": [], "found": []})
    bind_headers(headers, columns)  # a wrong file is refused before its other rows are read
    data: list[tuple[int, list[Cell]]] = []
    deadline = time.monotonic() + MAX_SECONDS
    for line, cells in enumerate(lines, start=2):
        if line > MAX_LINES:
            raise _too_many()
        if line % 1000 == 0 and time.monotonic() > deadline:
            raise ValidationFailed(
                "import_too_slow", f"文件在 {MAX_SECONDS:g} 秒内未能读完，请删除空行与无关内容后重试"
            )
        values = [_clean(c) if isinstance(c, str) else c for c in cells]
        if any(v != "" for v in values):
            data.append((line, values))
            if len(data) > MAX_ROWS:
                raise _too_many()
    return Table(headers, data)


def _too_many() -> ValidationFailed:
    return ValidationFailed(
        "import_too_many_rows", f"一次最多导入{MAX_ROWS}行数据（连同空行不超过{MAX_LINES}行），请拆分文件"
    )


def _header(cell: Cell) -> str:
    text = cell.isoformat() if isinstance(cell, date) else cell
    return "".join(_clean(text).split()).strip("*＊")


def _clean(text: str) -> str:
    return text.replace("\x00", "").strip().strip("\ufeff").strip()


def bind_headers(headers: list[str], columns: Sequence[Column]) -> tuple[dict[str, int], list[str]]:
    """Column key -> position; and the headers nobody asked for (ignored)."""
    lookup = {name: c for c in columns for name in (c.header, *c.aliases)}
    found: dict[str, int] = {}
    unknown: list[str] = []
    duplicate: list[str] = []
    for position, header in enumerate(headers):
        column = lookup.get(header)
        if column is None:
            if header:
                unknown.append(header)
        elif column.key in found:
            duplicate.append(header)
        else:
            found[column.key] = position
    missing = [c.header for c in columns if c.required and c.key not in found]
    if missing or duplicate:
        problems = []
        if missing:
            problems.append(f"缺少必需的列{'、'.join(f'“{m}”' for m in missing)}")
        if duplicate:
            problems.append(f"列{'、'.join(f'“{d}”' for d in duplicate)}重复")
        hint = "，请确认导入类型与文件内容一致" if not found else ""
        raise ValidationFailed(
            "import_bad_header",
            f"表头不符合要求：{'；'.join(problems)}（第1行应为表头{hint}）",
            {
                "missing": missing,
                "duplicate": duplicate,
                "expected": [c.header for c in columns],
                "found": [h for h in headers if h],
            },
        )
    return found, unknown


def _decode(content: bytes) -> str:
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = ["utf-16"]
    elif content.startswith(codecs.BOM_UTF8):
        encodings = ["utf-8-sig"]
    else:
        encodings = ["utf-8", "gb18030"]
    for encoding in encodings:
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text
    raise ValidationFailed("import_bad_encoding", "无法识别 CSV 文件的编码，请另存为 UTF-8 或 GB18030（GBK）编码后导入")


def _csv_rows(content: bytes) -> list[list[Cell]]:
    text = _decode(content)
    first = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first and "," not in first else ","
    rows: list[list[Cell]] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for row in reader:
            rows.append(list[Cell](row[:MAX_COLUMNS]))
            if len(rows) > MAX_LINES:
                raise _too_many()
    except csv.Error as exc:
        raise ValidationFailed("import_bad_file", f"CSV 文件格式有误（第{reader.line_num}行附近）") from exc
    return rows


def _xlsx_rows(content: bytes) -> Iterator[list[Cell]]:
    bad = ValidationFailed("import_bad_file", "无法读取该 XLSX 文件，请确认文件未损坏且由 Excel 或 WPS 保存")
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except Exception as exc:  # not a zip, or one zipfile cannot read (BadZipFile, NotImplementedError...)
        raise bad from exc
    if unpacked > MAX_XLSX_UNPACKED:
        raise ValidationFailed("import_bad_file", "XLSX 文件解压后过大，请删除无关的工作表或格式后重试")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # unsupported extensions (data validation...) are irrelevant here
            import openpyxl  # only for a workbook: the API loads it when someone imports one

            book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # a broken workbook: openpyxl raises many kinds
        raise bad from exc
    try:
        if not book.worksheets:
            raise ValidationFailed("import_bad_file", "XLSX 文件中没有工作表")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for values in book.worksheets[0].iter_rows(max_col=MAX_COLUMNS, values_only=True):
                yield [_cell(v) for v in values]
    except ValidationFailed:
        raise
    except Exception as exc:
        raise bad from exc
    finally:
        book.close()


def _cell(value: object) -> Cell:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)

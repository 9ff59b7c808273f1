"""Batch export of archive records: the files plus a manifest (CSV and JSON)
with their hashes, each file checked against its recorded SHA-256 on the way.

One writer for both outlets: a folder (``onestop archive export``) and a ZIP
(the archivist's export from the search page, made by the worker, see
``archive.export_jobs``). The records are fixed when the export starts, so what
is archived meanwhile neither shifts nor doubles them.
"""

from __future__ import annotations

import csv
import io
import json
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TextIO

from sqlalchemy import select

from archive.ingest import ArchiveContext
from archive.models import ArchiveRecord
from archive.search import MAX_PAGE_SIZE, ArchiveQuery, matching_ids
from archive.service import summary
from engine.context import EngineContext
from kernel import audit
from storage.archive import sha256_hex

FIELDS = [
    "archival_code",
    "file",
    "sha256",
    "size",
    "hash_ok",
    "kind",
    "title",
    "number",
    "unit_code",
    "unit_name",
    "credit_code",
    "record_date",
    "retention_class",
    "checks_passed",
]
MANIFEST_CSV, MANIFEST_JSON = "manifest.csv", "manifest.json"

Progress = Callable[[int, int], None]
"""Told ``(done, total)`` after each file."""


class Sink(Protocol):
    def add(self, name: str, data: bytes) -> None: ...


@dataclass
class FolderSink:
    root: Path

    def add(self, name: str, data: bytes) -> None:
        (self.root / name).write_bytes(data)


@dataclass
class ZipSink:
    archive: zipfile.ZipFile

    def add(self, name: str, data: bytes) -> None:
        # PDFs are compressed already; manifests and dossiers (JSON) shrink well.
        method = zipfile.ZIP_STORED if name.endswith(".pdf") else zipfile.ZIP_DEFLATED
        self.archive.writestr(name, data, compress_type=method)


@dataclass
class ExportResult:
    exported: int
    mismatched: int
    manifest_csv: Path
    manifest_json: Path


def progress_bar(stream: TextIO | None = None) -> Progress:
    """A bar on ``stream`` (standard error as it is when the bar is drawn)."""

    def show(done: int, total: int) -> None:
        out = stream or sys.stderr
        width = 30
        filled = width * done // max(total, 1)
        out.write(f"\r导出 [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
        if done >= total:
            out.write("\n")
        out.flush()

    return show


def plan(ctx: EngineContext, query: ArchiveQuery, *, unit_scope: str | None = None) -> list[int]:
    """The ids of every record the query finds (within ``unit_scope``), in its order."""
    with ctx.reading() as session:
        return matching_ids(session, query, unit_scope=unit_scope)


def write(
    ctx: EngineContext,
    actx: ArchiveContext,
    ids: list[int],
    query: ArchiveQuery,
    sink: Sink,
    *,
    progress: Progress | None = None,
) -> list[dict[str, Any]]:
    """Each record's file, checked against its SHA-256, then the manifests; returns the manifest rows."""
    rows: list[dict[str, Any]] = []
    for start in range(0, len(ids), MAX_PAGE_SIZE):
        chunk = ids[start : start + MAX_PAGE_SIZE]
        with ctx.reading() as session:
            found = {r.id: r for r in session.scalars(select(ArchiveRecord).where(ArchiveRecord.id.in_(chunk)))}
            batch = [
                (summary(r), r.object_key, r.version_id, r.sha256, r.size, r.mime)
                for r in (found.get(i) for i in chunk)
                if r is not None
            ]
        for described, key, version, recorded, size, mime in batch:
            data = actx.store.get(key, version)
            name = f"{described['archival_code']}.{'pdf' if mime == 'application/pdf' else 'json'}"
            sink.add(name, data)
            rows.append(
                {
                    **{k: described.get(k) for k in FIELDS},
                    "file": name,
                    "sha256": recorded,
                    "size": size,
                    "hash_ok": sha256_hex(data) == recorded,
                }
            )
            if progress is not None:
                progress(len(rows), len(ids))
    _manifests(sink, query, rows)
    return rows


def _manifests(sink: Sink, query: ArchiveQuery, rows: list[dict[str, Any]]) -> None:
    table = io.StringIO(newline="")
    writer = csv.DictWriter(table, fieldnames=FIELDS)
    writer.writeheader()
    writer.writerows(rows)
    sink.add(MANIFEST_CSV, ("\ufeff" + table.getvalue()).encode("utf-8"))  # BOM: opens right in Excel
    listing = {"query": query.describe(), "records": rows}
    sink.add(MANIFEST_JSON, json.dumps(listing, ensure_ascii=False, indent=1).encode("utf-8"))


def mismatched(rows: list[dict[str, Any]]) -> int:
    return sum(1 for r in rows if not r["hash_ok"])


def export(
    ctx: EngineContext,
    actx: ArchiveContext,
    query: ArchiveQuery,
    out: Path,
    *,
    actor: str,
    progress: Progress | None = None,
) -> ExportResult:
    """Into a folder (the command line's export of the whole archive)."""
    out.mkdir(parents=True, exist_ok=True)
    rows = write(ctx, actx, plan(ctx, query), query, FolderSink(out), progress=progress)
    with ctx.transaction() as session:
        audit.record(
            session,
            actor=actor,
            action="archive_export",
            details={"query": query.describe(), "exported": len(rows), "out": str(out)},
        )
    if progress is not None and not rows:
        progress(0, 0)
    return ExportResult(len(rows), mismatched(rows), out / MANIFEST_CSV, out / MANIFEST_JSON)

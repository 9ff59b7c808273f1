"""Batch export of archive records: the files plus a manifest (CSV and JSON)
with their hashes, each file checked against its recorded SHA-256 on the way."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from archive.ingest import ArchiveContext
from archive.search import MAX_PAGE_SIZE, ArchiveQuery, exact_count, search
from archive.service import summary
from engine import audit
from engine.context import EngineContext
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


@dataclass
class ExportResult:
    exported: int
    mismatched: int
    manifest_csv: Path
    manifest_json: Path


def progress_bar(stream: TextIO = sys.stderr) -> Callable[[int, int], None]:
    def show(done: int, total: int) -> None:
        width = 30
        filled = width * done // max(total, 1)
        stream.write(f"\r导出 [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
        if done >= total:
            stream.write("\n")
        stream.flush()

    return show


def export(
    ctx: EngineContext,
    actx: ArchiveContext,
    query: ArchiveQuery,
    out: Path,
    *,
    actor: str,
    progress: Callable[[int, int], None] | None = None,
) -> ExportResult:
    out.mkdir(parents=True, exist_ok=True)
    rows: list[dict[str, Any]] = []
    page = 1
    with ctx.reading() as session:
        total = exact_count(session, query)
    while True:
        with ctx.reading() as session:
            _, records = search(session, ArchiveQuery(**{**query.__dict__, "page": page, "size": MAX_PAGE_SIZE}))
            batch = [(summary(r), r.object_key, r.version_id, r.sha256, r.size, r.mime) for r in records]
        for found, key, version, recorded, size, mime in batch:
            data = actx.store.get(key, version)
            name = f"{found['archival_code']}.{'pdf' if mime == 'application/pdf' else 'json'}"
            (out / name).write_bytes(data)
            rows.append(
                {
                    **{k: found.get(k) for k in FIELDS},
                    "file": name,
                    "sha256": recorded,
                    "size": size,
                    "hash_ok": sha256_hex(data) == recorded,
                }
            )
            if progress is not None:
                progress(len(rows), total)
        if len(batch) < MAX_PAGE_SIZE:  # the last page (the total may be capped)
            break
        page += 1
    manifest_csv, manifest_json = out / "manifest.csv", out / "manifest.json"
    with manifest_csv.open("w", newline="", encoding="utf-8-sig") as handle:  # BOM: opens right in Excel
        writer = csv.DictWriter(handle, fieldnames=FIELDS)
        writer.writeheader()
        writer.writerows(rows)
    manifest_json.write_text(
        json.dumps({"query": query.describe(), "records": rows}, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    with ctx.transaction() as session:
        audit.record(
            session,
            actor=actor,
            action="archive_export",
            details={"query": query.describe(), "exported": len(rows), "out": str(out)},
        )
    if progress is not None and not rows:
        progress(0, 0)
    return ExportResult(len(rows), sum(1 for r in rows if not r["hash_ok"]), manifest_csv, manifest_json)

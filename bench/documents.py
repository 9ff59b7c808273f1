"""Document benchmark: ``python -m bench.documents [--quick] [--count N]``.

Prints per-stage medians of the issuing pipeline (render, seal, sign, store),
documents per second for one worker, the PDF sizes, and the same HTML rendered
the plain way (WeasyPrint with the system CJK font, no prepared font, no
PDF/A, no signature) for comparison. Target: the whole pipeline at most half
of the plain render's time per document, PDFs under 300 KB. Figures also go
to ``bench/results/documents.json``. Timing is reported, never asserted.
"""

from __future__ import annotations

import argparse
import platform as pyplatform
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import weasyprint

from bench.report import Json, publish
from documents.pipeline import DocumentPipeline, development_pipeline
from documents.render import DocumentOrder
from documents.samples import sample_facts
from kernel import clock
from onestop.settings import Settings
from processes import catalogue as matters
from storage import LocalAttachmentStore

ISSUER = "示范市机构编制委员会办公室"
TARGET_RATIO, SIZE_LIMIT = 0.5, 300 * 1024
RESULTS = Path(__file__).resolve().parent / "results" / "documents.json"


def _orders(count: int) -> list[DocumentOrder]:
    catalogue = matters.load()
    every = catalogue.document_kinds()
    kinds = sorted(every)
    today = clock.today()
    forms = catalogue.forms()
    orders = []
    for index in range(count):
        kind = every[kinds[index % len(kinds)]]
        orders.append(
            DocumentOrder(
                kind,
                kind.number("示", today.year, index + 1),
                ISSUER,
                today,
                sample_facts(kind, today, forms),
                f"http://127.0.0.1:8000/verify/bench{index:08d}",
            )
        )
    return orders


def _plain_html(pipeline: DocumentPipeline, order: DocumentOrder) -> str:
    """The same document with only the system font (what a template author gets by default)."""
    html = pipeline.renderer.html(order)
    return re.sub(r"@font-face \{[^}]*\}", "", html).replace('"OneStop Song", ', "")


def _plain_render(pipeline: DocumentPipeline, order: DocumentOrder) -> None:
    weasyprint.HTML(string=_plain_html(pipeline, order)).write_pdf()


def _median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000.0


def _timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def run(count: int) -> Json:
    with tempfile.TemporaryDirectory(prefix="onestop-bench-docs-") as tmp:
        data = Path(tmp)
        pipeline = development_pipeline(
            data_dir=data,
            font_dir=Settings().font_dir,
            store=LocalAttachmentStore(data / "store"),
            tsa_url=None,
            location="示范市",
        )
        orders = _orders(count)
        first = time.perf_counter()
        pipeline.produce(orders[0], seal_name=ISSUER)  # font, seal and keys prepared once per worker
        warmup = time.perf_counter() - first
        stages: dict[str, list[float]] = {"render": [], "seal": [], "sign": [], "store": []}
        totals, sizes = [], []
        for order in orders:
            started = time.perf_counter()
            produced = pipeline.produce(order, seal_name=ISSUER)
            totals.append(time.perf_counter() - started)
            sizes.append(len(produced.pdf))
            for stage, seconds in produced.timings.items():
                stages[stage].append(seconds)
        plain = [_timed(partial(_plain_render, pipeline, o)) for o in orders]
    pipeline_ms, plain_ms = _median_ms(totals), _median_ms(plain)
    return {
        "meta": {
            "python": sys.version.split()[0],
            "machine": pyplatform.machine(),
            "documents": count,
            "weasyprint": weasyprint.__version__,
        },
        "first_document_ms": round(warmup * 1000.0, 1),
        "stages_median_ms": {stage: round(_median_ms(v), 2) for stage, v in stages.items()},
        "pipeline_median_ms": round(pipeline_ms, 2),
        "documents_per_second": round(len(totals) / sum(totals), 2),
        "plain_render_median_ms": round(plain_ms, 2),
        "ratio_pipeline_to_plain": round(pipeline_ms / plain_ms, 3),
        "target_ratio": TARGET_RATIO,
        "size_bytes": {"median": int(statistics.median(sizes)), "max": max(sizes)},
        "size_limit": SIZE_LIMIT,
    }


def report(results: Json) -> str:
    stages = results["stages_median_ms"]
    ratio = results["ratio_pipeline_to_plain"]
    verdict = "达标" if ratio <= TARGET_RATIO else "未达标"
    size_ok = "达标" if results["size_bytes"]["max"] < SIZE_LIMIT else "未达标"
    return "\n".join(
        [
            f"documents: {results['meta']['documents']}  (first document, with preparation: "
            f"{results['first_document_ms']} ms)",
            "stage medians (ms): " + ", ".join(f"{k} {v:.1f}" for k, v in stages.items()),
            f"pipeline per document: {results['pipeline_median_ms']:.1f} ms  "
            f"-> {results['documents_per_second']:.2f} documents/s for one worker",
            f"plain WeasyPrint render with the system CJK font: {results['plain_render_median_ms']:.1f} ms",
            f"pipeline / plain render: {ratio:.2f}x (target <= {TARGET_RATIO}x: {verdict})",
            f"PDF size: median {results['size_bytes']['median'] / 1024:.0f} KB, max "
            f"{results['size_bytes']['max'] / 1024:.0f} KB (limit 300 KB: {size_ok})",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.documents", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="7 documents (one per kind)")
    parser.add_argument("--count", type=int, default=35, help="documents to issue (default 35, 5 per kind)")
    args = parser.parse_args(argv)
    results = run(7 if args.quick else args.count)
    publish(report(results), results, RESULTS)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

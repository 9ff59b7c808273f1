"""Archive benchmark: ``python -m bench.archive [--records N] [--quick] [--no-postgres]``.

Loads N synthetic archive records (metadata and Chinese text, default
100,000) into a fresh SQLite file and a fresh PostgreSQL database through the
same code path as ingest (token strings, rows, full-text index), and prints
ingest records/s and search latency (median, p95) for every kind of query.
Targets: p95 <= 100 ms for any single search at 100k records, ingest >= 200
records/s (metadata and index, PDF rendering excluded). Figures also go to
``bench/results/archive.json``. Timing is reported, never asserted.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.orm import Session

from archive.models import ArchiveRecord
from archive.search import ArchiveQuery, search
from archive.text import search_text
from bench.pg import ThrowawayDatabase, unreachable_reason
from bench.report import Json, publish
from kernel.db import make_engine, make_session_factory, utcnow
from onestop.database import upgrade

RESULTS = Path(__file__).resolve().parent / "results" / "archive.json"
TARGET_P95_MS, TARGET_INGEST = 100.0, 200.0
BATCH = 1000
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
    "姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彬斌宇浩凯鹏晨阳雪琳晓文博思雨欣怡子涵梓轩"
UNIT_WORDS = [
    "数据资源",
    "政务服务",
    "公共资源交易",
    "职业技能培训",
    "社会保险",
    "住房公积金",
    "应急指挥",
    "地方志",
    "档案",
    "科技创新",
    "生态环境监测",
    "农业技术推广",
    "文化馆",
    "图书馆",
    "疾病预防控制",
]
UNIT_KINDS = ["中心", "服务中心", "管理中心", "研究院", "事务所"]
MATTERS = {
    "staff_entry": "入编通知单",
    "staff_exit": "出编通知单",
    "credit_code": "统一社会信用代码赋码通知书",
    "domain_name": "中文域名注册确认书",
    "institution_setup": "机构编制批复",
}
RETENTION = ["永久", "30年", "10年"]
DEPARTMENTS = ["bianban", "zuzhi", "renshe", "caizheng"]
PHRASES = [
    "根据机构编制管理有关规定",
    "经研究同意",
    "核定事业编制",
    "领导职数",
    "经费形式为全额拨款",
    "请按规定办理",
    "人员工资和经费预算",
    "先核准后列编",
    "一人一编",
    "空缺编制使用效益",
    "法定代表人",
    "宗旨和业务范围",
    "承担全市公共数据开放平台建设",
    "开展数据开放目录编制",
    "特此通知",
    "此复",
    "有效期至",
    "办理工资核定",
]


def _person(rng: random.Random) -> dict[str, str]:
    name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
    birth = date(1960, 1, 1) + timedelta(days=rng.randrange(16000))
    return {"name": name, "id_number": f"141002{birth:%Y%m%d}{rng.randrange(1000):03d}{rng.choice('0123456789X')}"}


def synthetic(count: int, seed: int = 7) -> Iterator[dict[str, Any]]:
    rng = random.Random(seed)
    units = [
        (f"unit-{i:04d}", f"示范市{rng.choice(UNIT_WORDS)}{rng.choice(UNIT_KINDS)}{i}", f"12141002MB{i:07d}X")
        for i in range(2000)
    ]
    start = date(2021, 1, 1)
    for i in range(count):
        unit_code, unit_name, credit = rng.choice(units)
        matter = rng.choice(list(MATTERS))
        day = start + timedelta(days=rng.randrange(5 * 365))
        persons = [_person(rng) for _ in range(rng.choice((0, 1, 1, 2)))]
        number = f"示编{['', '入', '出', '码', '域'][i % 5]}〔{day.year}〕{i + 1}号"
        title = f"{MATTERS[matter]}（{number}）"
        text = (
            "，".join(rng.choice(PHRASES) for _ in range(12))
            + f"。{unit_name}"
            + "".join(f"，{p['name']}（{p['id_number']}）" for p in persons)
        )
        retention = rng.choice(RETENTION)
        person_words = [f"{p['name']} {p['id_number']}" for p in persons]
        yield {
            "kind": "document",
            "document_id": None,
            "dossier_of": None,
            "instance_id": None,
            "process_key": matter,
            "title": title,
            "number": number,
            "unit_code": unit_code,
            "unit_name": unit_name,
            "credit_code": credit,
            "persons": persons,
            "departments": " " + " ".join(rng.sample(DEPARTMENTS, 2)) + " ",
            "record_date": day,
            "archived_at": utcnow(),
            "retention_class": retention,
            "retain_until": None,
            "archival_code": f"J001-{day.year}-{retention}-{matter}-{i:07d}",
            "object_key": f"bench/{i}",
            "version_id": str(i),
            "sha256": f"{i:064x}",
            "size": 90_000,
            "mime": "application/pdf",
            "content_text": text,
            "search_text": search_text(title, number, unit_name, credit, *person_words, text),
            "person_text": search_text(*person_words),
            "unit_text": search_text(unit_name),
            "checks": {"passed": True},
            "checks_passed": True,
            "checked_at": utcnow(),
            "lta_renew_by": None,
        }


def load(session_factory: Callable[[], Session], count: int) -> float:
    """Insert in batches through the ORM table (the FTS trigger / GIN index included); records/s."""
    started = time.perf_counter()
    batch: list[dict[str, Any]] = []
    for row in synthetic(count):
        batch.append(row)
        if len(batch) == BATCH:
            _flush(session_factory, batch)
            batch = []
    if batch:
        _flush(session_factory, batch)
    return count / (time.perf_counter() - started)


def _flush(session_factory: Callable[[], Session], rows: list[dict[str, Any]]) -> None:
    with session_factory() as session:
        session.execute(insert(ArchiveRecord), rows)
        session.commit()


def queries(count: int) -> dict[str, list[ArchiveQuery]]:
    """Each kind of search, with values drawn from the loaded records."""
    sample = list(synthetic(min(count, 3000)))
    rng = random.Random(11)
    picks = [rng.choice(sample) for _ in range(25)]
    with_people = [r for r in sample if r["persons"]][:25]
    return {
        "full text, 2 characters": [ArchiveQuery(q=w) for w in ("编制", "工资", "法定", "此复", "核定") * 5],
        "full text, phrase": [ArchiveQuery(q=rng.choice(PHRASES)[2:8]) for _ in range(25)],
        "full text, rare word": [ArchiveQuery(q=r["unit_name"]) for r in picks],
        "person name": [ArchiveQuery(person=r["persons"][0]["name"]) for r in with_people],
        "person ID number": [ArchiveQuery(person=r["persons"][0]["id_number"]) for r in with_people],
        "unit": [ArchiveQuery(unit=r["unit_code"]) for r in picks],
        "credit code": [ArchiveQuery(credit_code=r["credit_code"]) for r in picks],
        "文号": [ArchiveQuery(number=r["number"]) for r in picks],
        "matter + date range": [
            ArchiveQuery(
                matter=r["process_key"], date_from=r["record_date"], date_to=r["record_date"] + timedelta(days=90)
            )
            for r in picks
        ],
        "department": [ArchiveQuery(department=d) for d in DEPARTMENTS * 6],
        "retention class": [ArchiveQuery(retention=c) for c in RETENTION * 8],
        "full text + matter + dates": [
            ArchiveQuery(
                q="编制",
                matter=r["process_key"],
                date_from=r["record_date"],
                date_to=r["record_date"] + timedelta(days=365),
            )
            for r in picks
        ],
        "unit scope (applicant)": [ArchiveQuery(q="工资") for _ in picks],
    }


def measure(session_factory: Callable[[], Session], count: int) -> Json:
    out: Json = {}
    scopes = [r["unit_code"] for r in synthetic(min(count, 200))]
    for label, cases in queries(count).items():
        times, hits = [], []
        for index, query in enumerate(cases):
            scope = scopes[index % len(scopes)] if label.startswith("unit scope") else None
            with session_factory() as session:
                started = time.perf_counter()
                total, _rows = search(session, query, unit_scope=scope)
                times.append(time.perf_counter() - started)
                hits.append(total)
        ms = sorted(t * 1000 for t in times)
        out[label] = {
            "median_ms": round(statistics.median(ms), 2),
            "p95_ms": round(ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))], 2),
            "median_hits": int(statistics.median(hits)),
        }
    return out


@contextmanager
def backend(name: str) -> Iterator[tuple[str, Callable[[], Session]]]:
    if name == "sqlite":
        with tempfile.TemporaryDirectory(prefix="onestop-bench-archive-") as tmp:
            url = f"sqlite:///{Path(tmp) / 'archive.sqlite3'}"
            upgrade(url)
            engine = make_engine(url)
            yield url, make_session_factory(engine)
            engine.dispose()
        return
    database = ThrowawayDatabase("onestop_bench_archive")
    try:
        url = database.create()
        engine = make_engine(url)
        yield url, make_session_factory(engine)
        engine.dispose()
    finally:
        database.drop()


def run(count: int, backends: list[str]) -> Json:
    results: Json = {"meta": {"records": count}, "backends": {}}
    for name in backends:
        with backend(name) as (_, session_factory):
            rate = load(session_factory, count)
            if name == "postgresql":
                with session_factory() as session:
                    session.execute(text("ANALYZE archive_records"))
                    session.commit()
            results["backends"][name] = {
                "ingest_records_per_s": round(rate, 1),
                "searches": measure(session_factory, count),
            }
    return results


def report(results: Json) -> str:
    lines = [f"records: {results['meta']['records']:,}"]
    for name, figures in results["backends"].items():
        rate = figures["ingest_records_per_s"]
        lines.append(
            f"\n[{name}] ingest: {rate:,.0f} records/s (target >= {TARGET_INGEST:.0f}: "
            f"{'达标' if rate >= TARGET_INGEST else '未达标'})"
        )
        lines.append(f"  {'query':<28} {'median ms':>10} {'p95 ms':>8} {'hits':>8}")
        for label, row in figures["searches"].items():
            flag = "" if row["p95_ms"] <= TARGET_P95_MS else "  <- over 100 ms"
            lines.append(f"  {label:<28} {row['median_ms']:>10.1f} {row['p95_ms']:>8.1f} {row['median_hits']:>8}{flag}")
        worst = max(row["p95_ms"] for row in figures["searches"].values())
        lines.append(
            f"  worst p95: {worst:.1f} ms (target <= {TARGET_P95_MS:.0f}: "
            f"{'达标' if worst <= TARGET_P95_MS else '未达标'})"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.archive", description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--quick", action="store_true", help="10,000 records")
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args(argv)
    backends = ["sqlite"]
    if not args.no_postgres:
        reason = unreachable_reason()
        if reason is None:
            backends.append("postgresql")
        else:
            print(f"PostgreSQL skipped: {reason}")
    results = run(10_000 if args.quick else args.records, backends)
    publish(report(results), results, RESULTS)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

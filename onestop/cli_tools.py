"""``onestop validate``, ``onestop efficiency`` and ``onestop calendar`` commands."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from forms.identifiers import check_orgcode, check_ric, check_uscc
from kernel import clock


def _print(obj: object) -> None:
    print(json.dumps(obj, ensure_ascii=False))


def cmd_validate(args: argparse.Namespace) -> int:
    check = {"uscc": check_uscc, "ric": check_ric, "orgcode": check_orgcode}[args.kind]
    result = check(args.value)
    _print(result.as_dict())
    return 0 if result.valid else 1


def cmd_efficiency(args: argparse.Namespace) -> int:
    from registry.efficiency import EfficiencyInputError, compute

    try:
        result = compute(Decimal(args.gamma), args.establishment, args.requested, published=args.published)
    except (InvalidOperation, EfficiencyInputError) as exc:
        message = str(exc) if isinstance(exc, EfficiencyInputError) else "γ 应为数字"
        print(f"错误：{message}", file=sys.stderr)
        return 2
    _print(result.as_dict())
    return 0


def _platform(args: argparse.Namespace) -> object:
    from onestop.bootstrap import build_platform
    from onestop.cli import settings_from

    return build_platform(settings_from(args))


def cmd_add_workdays(args: argparse.Namespace) -> int:
    from engine.services.calendar import count_workdays
    from onestop.bootstrap import Platform

    platform = _platform(args)
    assert isinstance(platform, Platform)
    result = count_workdays(platform.ctx, args.start, args.days)
    print(result["date"])
    if result["unannounced_years"]:
        years = "、".join(map(str, result["unannounced_years"]))
        print(
            f"注意：{years}年节假日安排尚未公布，结果按法定节假日及补假推算（未含调休），公布后以正式安排为准",
            file=sys.stderr,
        )
    return 0


def cmd_set_day(args: argparse.Namespace) -> int:
    from engine.services.calendar import set_day
    from kernel.actors import SYSTEM
    from onestop.bootstrap import Platform

    platform = _platform(args)
    assert isinstance(platform, Platform)
    _print(set_day(platform.ctx, SYSTEM, args.day, is_workday=args.workday, note=args.note))
    return 0


def cmd_announce(args: argparse.Namespace) -> int:
    from engine.services.calendar import announce
    from kernel.actors import SYSTEM
    from onestop.bootstrap import Platform

    platform = _platform(args)
    assert isinstance(platform, Platform)
    _print(announce(platform.ctx, SYSTEM, args.year, announced=not args.undo))
    return 0


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError("日期格式应为 YYYY-MM-DD") from None


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    validate = sub.add_parser("validate", help="校验代码（退出码 0 有效，1 无效）")
    validate.add_argument("kind", choices=["uscc", "ric", "orgcode"])
    validate.add_argument("value")
    validate.set_defaults(func=cmd_validate)

    eff = sub.add_parser("efficiency", help="空缺编制使用效益率")
    eff.add_argument("--gamma", required=True, help="效益提升值 γ")
    eff.add_argument("--establishment", type=int, required=True, help="核定编制总数")
    eff.add_argument("--requested", type=int, required=True, help="申请使用编制数 λ")
    eff.add_argument("--published", action="store_true", help="按文献方法取舍")
    eff.set_defaults(func=cmd_efficiency)

    cal = sub.add_parser("calendar", help="工作日历")
    cal_sub = cal.add_subparsers(dest="calendar_command", required=True)
    add = cal_sub.add_parser("add-workdays", parents=[common], help="起算日之后第 N 个工作日")
    add.add_argument("start", type=_day)
    add.add_argument("days", type=int)
    add.set_defaults(func=cmd_add_workdays)
    day = cal_sub.add_parser("set", parents=[common], help="设置某日为工作日或休息日")
    day.add_argument("day", type=_day)
    kind = day.add_mutually_exclusive_group(required=True)
    kind.add_argument("--workday", dest="workday", action="store_true")
    kind.add_argument("--holiday", dest="workday", action="store_false")
    day.add_argument("--note", default="")
    day.set_defaults(func=cmd_set_day)
    year = cal_sub.add_parser("announce", parents=[common], help="标记某年节假日安排已公布")
    year.add_argument("year", type=int)
    year.add_argument("--undo", action="store_true", help="改回未公布")
    year.set_defaults(func=cmd_announce)


def cmd_verify(args: argparse.Namespace) -> int:
    from pathlib import Path

    from onestop.cli import settings_from
    from signatures.trust import trust_roots
    from signatures.verification import verify_pdf

    settings = settings_from(args)
    path = Path(args.file)
    if not path.is_file():
        print(f"错误：找不到文件 {path}", file=sys.stderr)
        return 2
    report = verify_pdf(path.read_bytes(), trust_roots(settings.trust_roots_file, settings.pki_dir))
    _print(report.as_dict())
    return 0 if report.valid else 1


def register_verify(sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    verify = sub.add_parser("verify", parents=[common], help="验证已签名的 PDF 文书（退出码 0 有效，1 无效）")
    verify.add_argument("file")
    verify.set_defaults(func=cmd_verify)


def cmd_documents_kinds(args: argparse.Namespace) -> int:
    from onestop.cli import settings_from
    from processes import catalogue as matters

    settings = settings_from(args)
    for kind in matters.load().document_kinds().values():
        example = kind.number(settings.document_prefix, clock.today().year, 1)
        print(f"{kind.key}\t{kind.title}\t{kind.department}\t{example}")
    return 0


def cmd_documents_sample(args: argparse.Namespace) -> int:
    from pathlib import Path

    from documents.issuance import Naming
    from documents.render import DocumentOrder
    from documents.samples import sample_facts
    from onestop.bootstrap import document_pipeline
    from onestop.cli import settings_from
    from processes import catalogue as matters
    from storage import LocalAttachmentStore

    settings = settings_from(args)
    catalogue = matters.load()
    kinds = catalogue.document_kinds()
    kind = kinds.get(args.kind)
    if kind is None:
        print(f"错误：没有文书种类“{args.kind}”；可用：{'、'.join(kinds)}", file=sys.stderr)
        return 2
    today = clock.today()
    naming = Naming(settings.region_name, settings.document_prefix, settings.public_base_url)
    issuer = naming.issuer("机构编制委员会办公室")
    number = kind.number(settings.document_prefix, today.year, 0)
    facts = sample_facts(kind, today, catalogue.forms())
    facts["document"] = {
        "kind": kind.key,
        "title": kind.title,
        "number": number,
        "issuer": issuer,
        "issued_on": today.isoformat(),
        "sample": True,
    }
    order = DocumentOrder(kind, number, issuer, today, facts, naming.verify_url("sample"))
    pipeline = document_pipeline(settings, LocalAttachmentStore(settings.data_dir / "samples"))
    produced = pipeline.produce(order, seal_name=issuer)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(produced.pdf)
    timings = "，".join(f"{stage} {seconds * 1000:.0f} ms" for stage, seconds in produced.timings.items())
    print(f"已生成样本 {kind.title}（{number}）：{out}，{len(produced.pdf)} 字节；{timings}")
    return 0


def register_documents(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    documents = sub.add_parser("documents", help="文书：种类与样本")
    documents_sub = documents.add_subparsers(dest="documents_command", required=True)
    kinds = documents_sub.add_parser("kinds", parents=[common], help="列出文书种类")
    kinds.set_defaults(func=cmd_documents_kinds)
    sample = documents_sub.add_parser("sample", parents=[common], help="用演示数据生成一份盖章签名的样本文书")
    sample.add_argument("--kind", required=True, help="文书种类（见 onestop documents kinds）")
    sample.add_argument("--out", required=True, help="输出 PDF 文件")
    sample.set_defaults(func=cmd_documents_sample)


def cmd_archive_export(args: argparse.Namespace) -> int:
    import getpass
    from datetime import date
    from pathlib import Path
    from urllib.parse import parse_qsl

    from archive.export import export, progress_bar
    from archive.search import ArchiveQuery
    from onestop.bootstrap import build_platform
    from onestop.cli import settings_from

    fields = {f for f in ArchiveQuery.__dataclass_fields__ if f not in ("page", "size")}
    params: dict[str, Any] = {}
    for key, value in parse_qsl(args.query or "", keep_blank_values=False):
        if key not in fields:
            print(f"错误：不认识的检索条件“{key}”；可用：{'、'.join(sorted(fields))}", file=sys.stderr)
            return 2
        params[key] = (
            date.fromisoformat(value)
            if key in ("date_from", "date_to")
            else (value.lower() == "true" if key == "flagged" else value)
        )
    platform = build_platform(settings_from(args))
    try:
        result = export(
            platform.ctx,
            platform.archive,
            ArchiveQuery(**params),
            Path(args.out),
            actor=f"cli:{getpass.getuser()}",
            progress=progress_bar(),
        )
    finally:
        platform.close()
    print(
        f"已导出 {result.exported} 件档案到 {args.out}（清单：{result.manifest_csv.name}、{result.manifest_json.name}）"
    )
    if result.mismatched:
        print(f"警告：{result.mismatched} 件档案的内容与登记的 SHA-256 不一致", file=sys.stderr)
        return 1
    return 0


def register_archive(sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    archive = sub.add_parser("archive", help="档案：批量导出")
    archive_sub = archive.add_subparsers(dest="archive_command", required=True)
    exporting = archive_sub.add_parser("export", parents=[common], help="按检索条件导出档案文件及清单（CSV、JSON）")
    exporting.add_argument("--query", default="", help="检索条件，如 'q=编制&unit=demo-unit-001&date_from=2026-01-01'")
    exporting.add_argument("--out", required=True, help="导出目录")
    exporting.set_defaults(func=cmd_archive_export)

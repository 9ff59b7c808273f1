"""``onestop import units|quotas|persons FILE``: import the register from CSV or XLSX.

Prints the report as JSON; exit code 0 when the file was applied, 1 when it
was refused (nothing written), 2 when the file cannot be read at all.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def _print(obj: object) -> None:
    print(json.dumps(obj, ensure_ascii=False))


def cmd_import(args: argparse.Namespace) -> int:
    from kernel.actors import SYSTEM
    from kernel.errors import DomainError
    from onestop.bootstrap import build_platform
    from onestop.cli import settings_from
    from registry.import_files import MAX_IMPORT_BYTES
    from registry.services.imports import import_register

    path = Path(args.file)
    try:
        if path.stat().st_size > MAX_IMPORT_BYTES:
            print(f"错误：导入文件超过 {MAX_IMPORT_BYTES >> 20} MB 的大小限制", file=sys.stderr)
            return 1
        content = path.read_bytes()
    except OSError as exc:
        print(f"错误：无法读取文件“{path}”：{exc.strerror or exc}", file=sys.stderr)
        return 2
    platform = build_platform(settings_from(args))
    try:
        report = import_register(platform.ctx, SYSTEM, args.kind, path.name, content)
    except DomainError as exc:
        if exc.code == "import_rejected":
            _print(exc.details)
        else:
            _print({"code": exc.code, "message": exc.message, "details": exc.details})
        print(f"错误：{exc.message}", file=sys.stderr)
        return 1
    finally:
        platform.close()
    _print(report)
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    imp = sub.add_parser(
        "import",
        parents=[common],
        help="导入机构编制台账（CSV 或 XLSX；退出码 0 已导入，1 有错误未导入）",
    )
    imp.add_argument("kind", choices=["units", "quotas", "persons"], help="单位、编制核定数或实名制人员")
    imp.add_argument("file", help="CSV 或 XLSX 文件，第1行为表头")
    imp.set_defaults(func=cmd_import)

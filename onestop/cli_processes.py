"""``onestop process``: the versions of a deployed process and the migration of running matters
to another version (the administrator's page does the same)."""

from __future__ import annotations

import argparse
import json
import sys


def cmd_process_versions(args: argparse.Namespace) -> int:
    from engine.services import versions
    from kernel.actors import SYSTEM
    from onestop.bootstrap import build_platform
    from onestop.cli import settings_from

    platform = build_platform(settings_from(args))
    for version in versions.versions(platform.ctx, SYSTEM, args.key):
        print(json.dumps(version, ensure_ascii=False))
    return 0


def cmd_process_migrate(args: argparse.Namespace) -> int:
    """Preview (``--dry-run``) or migrate; exit 1 when any matter was refused."""
    from engine.services import versions
    from kernel.actors import SYSTEM
    from onestop.bootstrap import build_platform
    from onestop.cli import settings_from

    platform = build_platform(settings_from(args))
    options = {"source": args.source, "target": args.target, "instance_ids": args.instance or None}
    if args.dry_run:
        print(json.dumps(versions.preview(platform.ctx, SYSTEM, args.key, **options), ensure_ascii=False))
        return 0
    result = versions.migrate(platform.ctx, SYSTEM, args.key, **options)
    print(json.dumps(result, ensure_ascii=False))
    for refused in result["refused"]:
        print(f"未迁移：{refused['message']}", file=sys.stderr)
    return 1 if result["refused"] else 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    process = sub.add_parser("process", help="流程版本与运行中事项的迁移")
    process_sub = process.add_subparsers(dest="process_command", required=True)
    listed = process_sub.add_parser("versions", parents=[common], help="列出流程的各个版本及运行中的事项数")
    listed.add_argument("key", help="流程标识，如 institution_setup")
    listed.set_defaults(func=cmd_process_versions)
    migrate = process_sub.add_parser("migrate", parents=[common], help="将某版本上运行的事项迁移到新版本")
    migrate.add_argument("key", help="流程标识")
    migrate.add_argument("--from", dest="source", type=int, required=True, help="原版本号")
    migrate.add_argument("--to", dest="target", type=int, default=None, help="目标版本号（默认最新版本）")
    migrate.add_argument("--instance", action="append", default=[], help="只迁移该事项（可重复）")
    migrate.add_argument("--dry-run", action="store_true", help="只预览，不迁移")
    migrate.set_defaults(func=cmd_process_migrate)

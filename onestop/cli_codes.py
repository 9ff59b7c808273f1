"""``onestop codes``: the credit-code blocks (号段) this office was assigned."""

from __future__ import annotations

import argparse
import getpass
import json
import sys


def cmd_codes_add(args: argparse.Namespace) -> int:
    from kernel.errors import DomainError
    from onestop.bootstrap import build_platform
    from onestop.cli import settings_from
    from registry.code_blocks import BlockRequest, add_block

    platform = build_platform(settings_from(args))
    request = BlockRequest(args.category, args.region, args.prefix, args.first, args.last)
    try:
        with platform.ctx.transaction() as session:
            added = add_block(session, f"cli:{getpass.getuser()}", request)
    except DomainError as refused:
        print(f"错误：{refused.message}", file=sys.stderr)
        return 1
    print(json.dumps(added, ensure_ascii=False))
    return 0


def cmd_codes_list(args: argparse.Namespace) -> int:
    from onestop.bootstrap import build_platform
    from onestop.cli import settings_from
    from registry.code_blocks import list_blocks

    platform = build_platform(settings_from(args))
    with platform.ctx.reading() as session:
        for block in list_blocks(session):
            print(json.dumps(block, ensure_ascii=False))
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    codes = sub.add_parser("codes", help="统一社会信用代码号段")
    codes_sub = codes.add_subparsers(dest="codes_command", required=True)
    add = codes_sub.add_parser("add", parents=[common], help="登记上级分配的号段（检查格式与重叠）")
    add.add_argument(
        "--category", required=True, choices=["1", "2", "3"], help="机构类别：1 机关，2 事业单位，3 群众团体"
    )
    add.add_argument("--region", required=True, help="登记管理机关行政区划码（六位）")
    add.add_argument("--prefix", required=True, help="组织机构代码本体的前两位")
    add.add_argument("--first", type=int, required=True, help="起始顺序号（六位以内）")
    add.add_argument("--last", type=int, required=True, help="终止顺序号（含）")
    add.set_defaults(func=cmd_codes_add)
    listed = codes_sub.add_parser("list", parents=[common], help="列出号段及余量（每行一个 JSON）")
    listed.set_defaults(func=cmd_codes_list)

"""``onestop`` command line: serve, worker, beat, deploy, audit verify and checkpoint, db upgrade, user add,
and the reference tools (validate, efficiency, calendar) in ``onestop.cli_tools``;
``import`` (the register from CSV/XLSX) in ``onestop.cli_import``;
``codes`` (credit-code blocks) in ``onestop.cli_codes``."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from onestop import cli_codes, cli_import, cli_processes, cli_tools, processes
from onestop.settings import Settings, UnsafeSettings


def settings_from(args: argparse.Namespace) -> Settings:
    if args.data_dir is not None:
        return Settings(ONESTOP_DATA_DIR=Path(args.data_dir))
    return Settings()


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from onestop.bootstrap import build_platform, deploy_processes
    from onestop.demo import ACCOUNTS, DEMO_PASSWORD, seed_demo
    from onestop.demo_matters import seed_finished_matters

    settings = settings_from(args)
    if args.demo and not settings.embedded:
        print("错误：演示账号只能在内置默认配置（未设置 DATABASE_URL）下创建。", file=sys.stderr)
        return 2
    documents_can_be_made(settings)
    platform = build_platform(settings)
    deployed = deploy_processes(platform)
    if args.demo:
        with platform.ctx.transaction() as session:
            seed_demo(session)
        seeded = seed_finished_matters(platform)
        if seeded:
            print(f"已生成 {len(seeded)} 件办结的演示事项（文书已出具并归档）", flush=True)
    platform.close()
    os.environ["ONESTOP_DATA_DIR"] = str(settings.data_dir.resolve())
    url = f"http://{args.host}:{args.port}"
    print(f"OneStop 已启动：{url}    接口文档：{url}/docs", flush=True)
    print(f"数据目录：{settings.data_dir.resolve()}    已部署流程：{'、'.join(deployed) or '无'}", flush=True)
    if args.demo:
        print(f"演示账号（密码均为 {DEMO_PASSWORD}）：{'、'.join(a[0] for a in ACCOUNTS)}", flush=True)
    helpers: list[subprocess.Popen[bytes]] = []
    if not args.no_worker:
        data_dir = str(settings.data_dir.resolve())
        helpers = [
            subprocess.Popen(
                [sys.executable, "-m", "onestop", command, "--data-dir", data_dir], preexec_fn=processes.die_with_parent
            )
            for command in ("worker", "beat")
        ]
    # uvicorn shuts down on SIGTERM and then raises the signal again: with this handler that
    # ends in SystemExit, so the worker and beat below are stopped instead of left orphaned.
    signal.signal(signal.SIGTERM, processes.exit_on_signal)
    try:
        uvicorn.run(
            "onestop.bootstrap:app_from_env",
            factory=True,
            host=args.host,
            port=args.port,
            workers=args.workers,
            log_level="info",
        )
    except KeyboardInterrupt:
        pass
    finally:
        processes.stop_all(helpers)
    return 0


def documents_can_be_made(settings: Settings) -> None:
    """The document font is there (cut once from the system's AR PL UMing), or FontMissing says what to install."""
    from signatures.fonts import prepared_font

    prepared_font(settings.font_dir)


def cmd_worker(args: argparse.Namespace) -> int:
    from onestop.worker import run_worker

    settings = settings_from(args)
    documents_can_be_made(settings)
    run_worker(settings)
    return 0


def cmd_beat(args: argparse.Namespace) -> int:
    from onestop.worker import run_beat

    run_beat(settings_from(args))
    return 0


def cmd_deploy(args: argparse.Namespace) -> int:
    from engine import services
    from kernel.actors import SYSTEM
    from onestop.bootstrap import build_platform

    settings = settings_from(args)
    platform = build_platform(settings)
    path = Path(args.path) if args.path else settings.processes_dir
    results = services.deploy(platform.ctx, SYSTEM, path)
    for r in results:
        print(
            json.dumps(
                {"key": r.key, "version": r.version, "name": r.name, "sha256": r.sha256, "created": r.created},
                ensure_ascii=False,
            )
        )
    return 0


def cmd_audit_verify(args: argparse.Namespace) -> int:
    from kernel.audit import verify_chain
    from onestop.bootstrap import build_platform

    platform = build_platform(settings_from(args))
    with platform.ctx.reading() as session:
        report = verify_chain(session)
    print(json.dumps(report.as_dict(), ensure_ascii=False))
    return 0 if report.ok else 1


def cmd_audit_checkpoint(args: argparse.Namespace) -> int:
    from kernel.audit import checkpoint
    from onestop.bootstrap import build_platform

    platform = build_platform(settings_from(args))
    with platform.ctx.transaction() as session:
        sealed = checkpoint(session)
        result = {"checkpoint": sealed.id, "heads": len(sealed.heads), "root": sealed.root} if sealed else None
    print(json.dumps(result or {"checkpoint": None, "heads": 0}, ensure_ascii=False))
    return 0


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from onestop.database import upgrade

    settings = settings_from(args)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(settings.effective_database_url)
    print("数据库已升级到最新版本")
    return 0


def cmd_user_add(args: argparse.Namespace) -> int:
    """The same checks as the admin page: a known role, department and unit, a valid name and password."""
    from engine.services.users import add_user
    from kernel.actors import SYSTEM
    from kernel.errors import DomainError
    from onestop.bootstrap import build_platform
    from onestop.demo import ensure_departments

    password = sys.stdin.readline().rstrip("\n") if args.password_stdin else getpass.getpass("密码：")
    platform = build_platform(settings_from(args))
    with platform.ctx.transaction() as session:
        ensure_departments(session)
    try:
        add_user(
            platform.ctx,
            SYSTEM,
            username=args.username,
            password=password,
            display_name=args.name or args.username,
            roles=args.role,
            departments=args.department or [],
            unit_code=args.unit,
        )
    except DomainError as refused:
        print(f"错误：{refused.message}", file=sys.stderr)
        return 2
    print(f"已创建用户 {args.username}")
    return 0


def cmd_user_unlock(args: argparse.Namespace) -> int:
    """Lift an account's sign-in lock (after too many wrong passwords), audited as the system's act."""
    from sqlalchemy import select

    from engine.services.users import unlock_user
    from kernel.accounts import User
    from kernel.actors import SYSTEM
    from onestop.bootstrap import build_platform

    platform = build_platform(settings_from(args))
    with platform.ctx.reading() as session:
        user_id = session.scalar(select(User.id).where(User.username == args.username))
    if user_id is None:
        print(f"错误：用户 {args.username} 不存在", file=sys.stderr)
        return 2
    unlock_user(platform.ctx, SYSTEM, user_id)
    print(f"已解除用户 {args.username} 的登录锁定")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="onestop", description="OneStop 一件事一次办")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", default=None, help="内置默认配置的数据目录（默认 ./data）")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", parents=[common], help="启动接口服务与后台任务")
    serve.add_argument("--demo", action="store_true", help="创建演示账号（如不存在）")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1, help="接口进程数")
    serve.add_argument("--no-worker", action="store_true", help="不启动后台任务进程")
    serve.set_defaults(func=cmd_serve)

    worker = sub.add_parser("worker", parents=[common], help="启动后台任务进程（按队列处理发件箱）")
    worker.add_argument("--no-beat", action="store_true", help=argparse.SUPPRESS)  # beat is its own command now
    worker.set_defaults(func=cmd_worker)

    beat = sub.add_parser("beat", parents=[common], help="启动定时任务进程（全系统只运行一个，第二个待命）")
    beat.set_defaults(func=cmd_beat)

    deploy = sub.add_parser("deploy", parents=[common], help="部署 BPMN 流程（目录或文件）")
    deploy.add_argument("path", nargs="?", default=None)
    deploy.set_defaults(func=cmd_deploy)

    audit = sub.add_parser("audit", help="审计链")
    audit_sub = audit.add_subparsers(dest="audit_command", required=True)
    verify = audit_sub.add_parser("verify", parents=[common], help="校验审计链，报告第一个断点")
    verify.set_defaults(func=cmd_audit_verify)
    seal = audit_sub.add_parser("checkpoint", parents=[common], help="立即封存各审计链的链头（定时任务每分钟执行）")
    seal.set_defaults(func=cmd_audit_checkpoint)

    db = sub.add_parser("db", help="数据库")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    up = db_sub.add_parser("upgrade", parents=[common], help="升级数据库结构")
    up.set_defaults(func=cmd_db_upgrade)

    user = sub.add_parser("user", help="账号")
    user_sub = user.add_subparsers(dest="user_command", required=True)
    add = user_sub.add_parser("add", parents=[common], help="创建账号")
    add.add_argument("username")
    add.add_argument("--name", default=None, help="显示名称")
    add.add_argument("--role", action="append", required=True, choices=["applicant", "approver", "archivist", "admin"])
    add.add_argument("--department", action="append", help="部门代码，可重复")
    add.add_argument("--unit", default=None, help="申请单位代码（申请人必填）")
    add.add_argument("--password-stdin", action="store_true", help="从标准输入读取密码")
    add.set_defaults(func=cmd_user_add)
    unlock = user_sub.add_parser("unlock", parents=[common], help="解除账号的登录锁定（多次密码错误后）")
    unlock.add_argument("username")
    unlock.set_defaults(func=cmd_user_unlock)

    cli_tools.register(sub, common)
    cli_tools.register_verify(sub, common)
    cli_tools.register_documents(sub, common)
    cli_tools.register_archive(sub, common)
    cli_import.register(sub, common)
    cli_codes.register(sub, common)
    cli_processes.register(sub, common)
    return parser


# Commands that work on the platform's database: each first asks it to answer, within the connect
# timeout, and stops with one Chinese line (exit 2) when it does not, instead of hanging or tracing back.
NEEDS_DATABASE = {
    cmd_serve,
    cmd_worker,
    cmd_beat,
    cmd_deploy,
    cmd_audit_verify,
    cmd_audit_checkpoint,
    cmd_db_upgrade,
    cmd_user_add,
    cmd_user_unlock,
    cli_codes.cmd_codes_add,
    cli_codes.cmd_codes_list,
    cli_processes.cmd_process_versions,
    cli_processes.cmd_process_migrate,
}


def database_refusal(settings: Settings) -> str | None:
    from kernel.db import probe

    return probe(settings.effective_database_url, timeout=settings.db_connect_timeout)


def known_failures() -> tuple[type[BaseException], ...]:
    """Failures a user can act on (a missing font or file, a refused input, unsafe settings):
    said in one line, never as a traceback."""
    from kernel.errors import DomainError
    from signatures.fonts import FontMissing

    return (DomainError, FontMissing, UnsafeSettings, OSError)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.func in NEEDS_DATABASE:
        settings = settings_from(args)
        try:
            settings.check_signing()  # said before the database is asked anything
        except UnsafeSettings as unsafe:
            print(f"错误：{unsafe}", file=sys.stderr)
            return 2
        if getattr(args, "demo", False) and not settings.embedded:
            return int(args.func(args))  # a wrong configuration is said first, before any connection
        if settings.embedded:
            settings.data_dir.mkdir(parents=True, exist_ok=True)
        refusal = database_refusal(settings)
        if refusal is not None:
            print(f"错误：{refusal}", file=sys.stderr)
            return 2
    try:
        code: int = args.func(args)
    except Exception as failure:
        if not isinstance(failure, known_failures()):
            raise
        print(f"错误：{said(failure)}", file=sys.stderr)
        return 2
    return code


def said(failure: BaseException) -> str:
    """One Chinese line for a failure the user can act on."""
    from kernel.errors import DomainError

    if isinstance(failure, DomainError):
        return failure.message
    if isinstance(failure, OSError) and failure.filename:
        reason = {FileNotFoundError: "不存在", IsADirectoryError: "是目录", PermissionError: "无权读取"}
        return f"文件 {failure.filename} {reason.get(type(failure), '无法读取')}"
    return str(failure)


if __name__ == "__main__":
    sys.exit(main())

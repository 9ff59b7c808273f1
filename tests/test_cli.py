"""The pinned command line: serve with demo data, deploy, audit verify."""

from __future__ import annotations

import json
import socket
import threading
import time
from pathlib import Path

import httpx
import pytest

from onestop.cli import main
from tests.demo_server import start_demo, stop
from tests.seasons import CATALOGUE


def seasonal(key: str) -> bool:
    matter = CATALOGUE.get(key)
    return matter is not None and matter.season is not None


def opened_by_department(key: str) -> bool:
    matter = CATALOGUE.get(key)
    return matter is not None and matter.opened_for is not None


REPO = Path(__file__).resolve().parent.parent
SHIPPED = sorted(path.stem for path in (REPO / "processes").rglob("*.bpmn"))


def test_serve_demo_starts_api_docs_and_worker(tmp_path: Path) -> None:
    server, base = start_demo(tmp_path, keep_output=True, wait_seconds=60)
    try:
        docs = httpx.get(f"{base}/docs").text
        assert "/static/swagger/swagger-ui-bundle.js" in docs and "https://" not in docs
        token = httpx.post(f"{base}/api/v1/auth/token", data={"username": "admin", "password": "onestop-demo"})
        assert token.status_code == 200
        processes = httpx.get(
            f"{base}/api/v1/processes", headers={"Authorization": f"Bearer {token.json()['access_token']}"}
        )
        assert [p["key"] for p in processes.json()] == SHIPPED
        assert (tmp_path / "onestop.sqlite3").exists()
        archivist = httpx.post(f"{base}/api/v1/auth/token", data={"username": "archivist", "password": "onestop-demo"})
        archivist_auth = {"Authorization": f"Bearer {archivist.json()['access_token']}"}
        records = httpx.get(
            f"{base}/api/v1/archive/records",
            params={"q": "编制", "size": 100},
            headers=archivist_auth,
        ).json()
        # A finished matter of each kind, documents archived: something real to find at the first login.
        assert records["total"] >= 4
        failing = [
            httpx.get(f"{base}/api/v1/archive/records/{item['id']}", headers=archivist_auth).json()
            for item in records["items"]
            if not item["checks_passed"]
        ]
        assert failing == [], [(f["title"], f["checks"]["failures"]) for f in failing]
        assert {item["process_key"] for item in records["items"]} >= {"staff_exit", "staff_entry", "institution_setup"}
        # Every form's example posts on this fresh demo, as a newcomer would try it from the API docs.
        clerk = httpx.post(f"{base}/api/v1/auth/token", data={"username": "applicant", "password": "onestop-demo"})
        clerk_auth = {"Authorization": f"Bearer {clerk.json()['access_token']}"}
        posted = {}
        # A seasonal matter's example is posted inside its season by test_demo_facts, on the test
        # clock; this server runs on the real one.
        for key in (k for k in SHIPPED if not seasonal(k) and not opened_by_department(k)):
            form = httpx.get(f"{base}/api/v1/processes/{key}/form", headers=clerk_auth).json()
            for i, example in enumerate(form["examples"]):
                answer = httpx.post(
                    f"{base}/api/v1/instances", json={"process_key": key, "data": example}, headers=clerk_auth
                )
                posted[f"{key}[{i}]"] = (answer.status_code, answer.json().get("message"))
        assert all(status == 201 for status, _ in posted.values()), posted
    finally:
        output = stop(server)
    assert base in output
    assert "演示账号" in output and "applicant" in output and "onestop-demo" in output
    assert "已生成 11 件办结的演示事项" in output
    assert "celery@" in output or "ready" in output  # the worker started beside the API


def test_serve_refuses_demo_accounts_with_a_production_database(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/nowhere")
    assert main(["serve", "--demo"]) == 2
    assert "演示账号" in capsys.readouterr().err


def test_deploy_creates_a_version_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert main(["deploy", "--data-dir", str(tmp_path)]) == 0
    first = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(d["key"], d["version"], d["created"]) for d in first] == [(key, 1, True) for key in SHIPPED]
    assert (
        main(
            [
                "deploy",
                str(REPO / "processes" / "demo_cross_department"),
                "--data-dir",
                str(tmp_path),
            ]
        )
        == 0
    )
    again = json.loads(capsys.readouterr().out)
    assert (again["version"], again["created"], again["sha256"]) == (
        1,
        False,
        next(d["sha256"] for d in first if d["key"] == "demo_cross_department"),
    )
    assert main(["audit", "verify", "--data-dir", str(tmp_path)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert {k: report[k] for k in ("ok", "events", "broken_at", "reason")} == {
        "ok": True,
        "events": len(SHIPPED),
        "broken_at": None,
        "reason": None,
    }


@pytest.mark.parametrize(
    ("kind", "value", "code", "valid"),
    [
        ("uscc", "12141002MB1234562N", 0, True),
        ("uscc", "000000000000000000", 1, False),
        ("ric", "11010519491231002X", 0, True),
        ("ric", "110105194912310021", 1, False),
    ],
)
def test_validate_command(kind: str, value: str, code: int, valid: bool, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", kind, value]) == code
    out = json.loads(capsys.readouterr().out)
    assert list(out) == ["valid", "normalized", "errors", "warnings"] and out["valid"] is valid


def test_efficiency_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["efficiency", "--gamma", "11", "--establishment", "20", "--requested", "3", "--published"]) == 0
    assert json.loads(capsys.readouterr().out) == {"delta": "5.00", "epsilon_percent": "73.33", "max_requestable": 2}
    assert main(["efficiency", "--gamma", "x", "--establishment", "20", "--requested", "3"]) == 2


def test_calendar_add_workdays_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert main(["calendar", "add-workdays", "2026-02-13", "2", "--data-dir", str(tmp_path)]) == 0
    assert capsys.readouterr().out.strip() == "2026-02-24"
    # 2027 is not announced: its statutory holidays and 补假 are skipped all the same, with a warning.
    assert main(["calendar", "add-workdays", "2026-12-31", "1", "--data-dir", str(tmp_path)]) == 0
    captured = capsys.readouterr()
    assert captured.out.strip() == "2027-01-04"  # 1 January is 元旦
    assert "2027年节假日安排尚未公布" in captured.err and "法定节假日" in captured.err
    assert main(["calendar", "add-workdays", "2027-04-30", "1", "--data-dir", str(tmp_path)]) == 0
    assert capsys.readouterr().out.strip() == "2027-05-05"  # 劳动节 on a weekend: made up on 3 and 4 May
    # The administrator's word replaces the estimate day by day.
    assert main(["calendar", "set", "2027-05-04", "--workday", "--note", "调整", "--data-dir", str(tmp_path)]) == 0
    capsys.readouterr()
    assert main(["calendar", "add-workdays", "2027-04-30", "1", "--data-dir", str(tmp_path)]) == 0
    assert capsys.readouterr().out.strip() == "2027-05-04"


def _silent_database() -> tuple[socket.socket, int]:
    """A server that accepts connections and never answers (a database that hangs)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                held.append(server.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    return server, int(server.getsockname()[1])


@pytest.mark.parametrize("command", [["serve", "--no-worker"], ["worker"], ["audit", "verify"], ["db", "upgrade"]])
def test_commands_fail_fast_on_a_database_that_does_not_answer(
    command: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    server, port = _silent_database()
    monkeypatch.setenv("DATABASE_URL", f"postgresql+psycopg://postgres@127.0.0.1:{port}/onestop")
    monkeypatch.setenv("ONESTOP_DB_CONNECT_TIMEOUT", "1")
    started = time.monotonic()
    try:
        assert main(command) == 2
    finally:
        server.close()
    assert time.monotonic() - started < 10  # the connect timeout, not a hang
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("错误：无法连接数据库（1 秒内无响应或拒绝连接）")


def test_user_add_checks_roles_departments_and_units_like_the_admin_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    data = ["--data-dir", str(tmp_path)]

    def add(*args: str) -> int:
        monkeypatch.setattr("sys.stdin", __import__("io").StringIO("long-enough-password\n"))
        return main(["user", "add", *args, "--password-stdin", *data])

    assert add("zhang.san", "--role", "approver", "--department", "nosuch") == 2
    assert "未知部门：nosuch" in capsys.readouterr().err
    assert add("li.si", "--role", "applicant", "--unit", "no-such-unit") == 2
    assert "不在实名制登记的单位中" in capsys.readouterr().err
    assert add("wang.wu", "--role", "approver") == 2
    assert "审批人员必须选择所在部门" in capsys.readouterr().err
    assert add("Bad Name", "--role", "admin") == 2
    assert "用户名" in capsys.readouterr().err
    assert add("zhao.liu", "--role", "approver", "--department", "bianban") == 0
    assert "已创建用户 zhao.liu" in capsys.readouterr().out


def test_codes_add_checks_format_and_overlap_and_lists_what_is_left(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    data = ["--data-dir", str(tmp_path)]
    block = ["--category", "2", "--region", "141002", "--prefix", "MC"]
    assert main(["codes", "add", *block, "--first", "100", "--last", "199", *data]) == 0
    added = json.loads(capsys.readouterr().out)
    from forms.identifiers import check_uscc

    assert added["first_code"].startswith("12141002MC000100") and check_uscc(added["first_code"]).valid
    assert added["last_code"].startswith("12141002MC000199") and added["remaining"] == 100
    assert main(["codes", "add", *block, "--first", "150", "--last", "250", *data]) == 1
    assert "重叠" in capsys.readouterr().err
    assert main(["codes", "add", *block, "--first", "200", "--last", "299", *data]) == 0  # the next piece
    capsys.readouterr()
    bad = ["--category", "2", "--region", "999999", "--prefix", "MO", "--first", "5", "--last", "1"]
    assert main(["codes", "add", *bad, *data]) == 1
    refused = capsys.readouterr().err
    assert "GB/T 2260" in refused and "前缀" in refused and "起止" in refused
    assert main(["codes", "list", *data]) == 0
    listed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(b["first_seq"], b["last_seq"], b["remaining"]) for b in listed] == [(100, 199, 100), (200, 299, 100)]


def test_known_failures_are_one_chinese_line_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from signatures import fonts

    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("ONESTOP_FONT_DIR", str(tmp_path / "no-fonts-here"))

    def no_font() -> Path:
        raise fonts.FontMissing("找不到中文字体“AR PL UMing”，文书无法生成：请安装 fonts-arphic-uming")

    monkeypatch.setattr(fonts, "system_font_file", no_font)
    data = ["--data-dir", str(tmp_path / "data")]
    kind = next(iter(CATALOGUE.document_kinds()))
    sample = ["documents", "sample", "--kind", kind, "--out", str(tmp_path / "o.pdf"), *data]
    for command in (["serve", *data], ["worker", *data], sample):
        assert main(command) == 2, command
        said = capsys.readouterr().err
        assert said.startswith("错误：") and said.count("\n") == 1 and "Traceback" not in said, (command, said)
        assert "fonts-arphic-uming" in said, (command, said)
    assert main(["import", "units", str(tmp_path / "missing.csv"), *data]) == 2
    assert "missing.csv" in capsys.readouterr().err


def test_a_working_folder_with_package_named_folders_shadows_nothing(tmp_path: Path) -> None:
    """The data folder holds ``documents/`` and ``archive/``; ``python -m onestop`` run there
    (as serve starts its worker) still finds the installed packages and their templates."""
    import os
    import subprocess
    import sys

    for name in ("documents", "archive", "storage"):
        (tmp_path / name).mkdir()
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    out = tmp_path / "sample.pdf"
    sample = ["documents", "sample", "--kind", "staff_exit_notice", "--out", str(out)]
    done = subprocess.run(
        [sys.executable, "-m", "onestop", *sample, "--data-dir", str(tmp_path / "data")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert out.read_bytes().startswith(b"%PDF-")


def test_process_versions_and_a_migration_from_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.api.test_versions import _with_a_leader_step

    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert main(["deploy", "--data-dir", str(tmp_path)]) == 0
    changed = tmp_path / "institution_setup.bpmn"
    changed.write_text(_with_a_leader_step(), encoding="utf-8")
    assert main(["deploy", str(changed), "--data-dir", str(tmp_path)]) == 0
    capsys.readouterr()
    assert main(["process", "versions", "institution_setup", "--data-dir", str(tmp_path)]) == 0
    listed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(v["version"], v["latest"], v["running"]) for v in listed] == [(2, True, 0), (1, False, 0)]
    assert (
        main(["process", "migrate", "institution_setup", "--from", "1", "--dry-run", "--data-dir", str(tmp_path)]) == 0
    )
    assert json.loads(capsys.readouterr().out) == {"key": "institution_setup", "from": 1, "to": 2, "matters": []}
    assert main(["process", "migrate", "institution_setup", "--from", "2", "--data-dir", str(tmp_path)]) == 2
    assert "迁移的目标版本与原版本相同" in capsys.readouterr().err

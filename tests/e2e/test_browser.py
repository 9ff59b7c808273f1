"""End to end in a real browser (Playwright driving the system's Chromium):
a new institution submitted with an attachment, approved by every
department in its own inbox, finished with its sealed documents, one of them
downloaded and verified on the public page. Screenshots of each key page go
to tests/e2e/screenshots/ (not committed)."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

playwright = pytest.importorskip("playwright.sync_api")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = Path(__file__).parent / "screenshots"
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
APPROVERS = ["bianban", "bianwei1", "bianwei2", "bianwei3", "zuzhi", "renshe", "caizheng"]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Chromium is not installed (apt-get install chromium)"),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data = tmp_path_factory.mktemp("e2e")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "BROKER_URL")}
    process = subprocess.Popen(
        [sys.executable, "-m", "onestop", "serve", "--demo", "--port", str(port), "--data-dir", str(data)],
        cwd=data,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        else:
            pytest.fail("the server did not start")
        yield base
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield chromium
        chromium.close()


def shot(page: object, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]


def login(browser: object, base: str, username: str, width: int = 1366) -> object:
    context = browser.new_context(viewport={"width": width, "height": 768}, locale="zh-CN", accept_downloads=True)  # type: ignore[attr-defined]
    page = context.new_page()
    page.goto(f"{base}/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill("onestop-demo")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base}/")
    return page


def test_institution_setup_through_every_inbox(server: str, browser: object, tmp_path: Path) -> None:
    applicant = login(browser, server, "applicant")
    shot(applicant, "01-applicant-home")
    applicant.goto(f"{server}/matters/new/institution_setup?example=1")  # type: ignore[attr-defined]
    applicant.locator("#f-name").fill("示范市浏览器测试服务中心")  # type: ignore[attr-defined]
    attachment = tmp_path / "设立请示.pdf"
    attachment.write_bytes(PDF)
    applicant.locator("#f-files").set_input_files(str(attachment))  # type: ignore[attr-defined]
    shot(applicant, "02-institution-form")
    applicant.get_by_role("button", name="提交申请").click()  # type: ignore[attr-defined]
    applicant.wait_for_url(re.compile(r".*/matters/[0-9a-f-]{36}$"))  # type: ignore[attr-defined]
    matter_url = applicant.url  # type: ignore[attr-defined]
    shot(applicant, "03-matter-submitted")

    for _ in range(3):  # each approver acts on what reaches their inbox, until nothing is left
        acted = False
        for username in APPROVERS:
            approver = login(browser, server, username)
            approver.goto(f"{server}/inbox")  # type: ignore[attr-defined]
            links = approver.locator("a[href^='/tasks/']")  # type: ignore[attr-defined]
            if username == "bianban" and not acted:
                shot(approver, "04-bianban-inbox")
            while links.count() > 0:
                links.first.click()
                approver.wait_for_url(re.compile(r".*/tasks/.*"))  # type: ignore[attr-defined]
                shot(approver, f"05-task-{username}")
                approver.get_by_label("审批意见").fill("同意")  # type: ignore[attr-defined]
                approver.get_by_role("button", name="提交").click()  # type: ignore[attr-defined]
                approver.wait_for_url(f"{server}/inbox")  # type: ignore[attr-defined]
                acted = True
                links = approver.locator("a[href^='/tasks/']")  # type: ignore[attr-defined]
            approver.context.close()  # type: ignore[attr-defined]
        if not acted:
            break

    deadline = time.monotonic() + 90  # the worker issues the documents, then the matter ends
    while time.monotonic() < deadline:
        applicant.goto(matter_url)  # type: ignore[attr-defined]
        if "已办结" in applicant.content():  # type: ignore[attr-defined]
            break
        time.sleep(1)
    shot(applicant, "06-matter-finished")
    assert "已办结" in applicant.content()  # type: ignore[attr-defined]
    assert "机构编制批复" in applicant.content()  # type: ignore[attr-defined]
    with applicant.expect_download() as download:  # type: ignore[attr-defined]
        applicant.get_by_role("link", name="下载 PDF").first.click()  # type: ignore[attr-defined]
    saved = tmp_path / "批复.pdf"
    download.value.save_as(str(saved))
    assert saved.read_bytes().startswith(b"%PDF-")

    public = browser.new_context(locale="zh-CN").new_page()  # type: ignore[attr-defined]
    public.goto(f"{server}/verify")
    public.locator("#file").set_input_files(str(saved))
    public.get_by_role("button", name="核验").click()
    public.wait_for_url(f"{server}/verify")
    shot(public, "07-verified")
    assert "签名有效" in public.content() and "本平台于" in public.content()

    archivist = login(browser, server, "archivist")
    deadline = time.monotonic() + 60  # archived by the worker right after the matter ends
    while time.monotonic() < deadline:
        archivist.goto(f"{server}/archive?q=浏览器测试&kind=document")  # type: ignore[attr-defined]
        if archivist.locator("a[href^='/archive/records/']").count() > 0:  # type: ignore[attr-defined]
            break
        time.sleep(1)
    shot(archivist, "10-archive-search")
    archivist.locator("a[href^='/archive/records/']").first.click()  # type: ignore[attr-defined]
    archivist.get_by_role("button", name="立即重新检测").click()  # type: ignore[attr-defined]
    archivist.wait_for_url(re.compile(r".*checked=1$"))  # type: ignore[attr-defined]
    shot(archivist, "11-archive-record")
    assert "已重新检测" in archivist.content() and "检测未通过" not in archivist.content()  # type: ignore[attr-defined]


def test_inline_error_and_a_wrong_department(server: str, browser: object) -> None:
    applicant = login(browser, server, "applicant", width=390)  # a phone
    applicant.goto(f"{server}/matters/new/staff_exit")  # type: ignore[attr-defined]
    applicant.locator("#f-name").fill("陈静")  # type: ignore[attr-defined]
    applicant.locator("#f-id_number").fill("110105194912310021")  # type: ignore[attr-defined]
    applicant.get_by_role("button", name="提交申请").click()  # type: ignore[attr-defined]
    error = applicant.locator("#e-id_number")  # type: ignore[attr-defined]
    assert error.is_visible() and "身份证" in error.inner_text() + applicant.content()  # type: ignore[attr-defined]
    assert applicant.locator("#f-name").input_value() == "陈静"  # type: ignore[attr-defined]
    shot(applicant, "08-inline-error-phone")

    zuzhi = login(browser, server, "zuzhi")
    zuzhi.goto(f"{server}/matters/new/staff_exit")  # type: ignore[attr-defined]
    shot(zuzhi, "09-forbidden")
    assert "无权办理" in zuzhi.content()  # type: ignore[attr-defined]


def test_return_and_correct_in_the_browser(server: str, browser: object) -> None:
    applicant = login(browser, server, "applicant")
    applicant.goto(f"{server}/matters/new/demo_cross_department?example=1")  # type: ignore[attr-defined]
    applicant.get_by_role("button", name="提交申请").click()  # type: ignore[attr-defined]
    applicant.wait_for_url(re.compile(r".*/matters/[0-9a-f-]{36}$"))  # type: ignore[attr-defined]
    matter_url = applicant.url  # type: ignore[attr-defined]
    for username in ("bianban", "zuzhi", "renshe", "caizheng"):
        approver = login(browser, server, username)
        approver.goto(f"{server}/inbox")  # type: ignore[attr-defined]
        approver.locator("a[href^='/tasks/']").first.click()  # type: ignore[attr-defined]
        if username == "bianban":
            approver.get_by_label("退回补正").check()  # type: ignore[attr-defined]
            approver.get_by_label("审批意见").fill("请补充编制测算说明")  # type: ignore[attr-defined]
        approver.get_by_role("button", name="提交").click()  # type: ignore[attr-defined]
        approver.wait_for_url(f"{server}/inbox")  # type: ignore[attr-defined]
        approver.context.close()  # type: ignore[attr-defined]
    applicant.goto(matter_url)  # type: ignore[attr-defined]
    applicant.get_by_role("link", name="查看退回意见并修改后重新提交").click()  # type: ignore[attr-defined]
    assert "请补充编制测算说明" in applicant.content()  # type: ignore[attr-defined]
    summary = applicant.locator("#f-summary")  # type: ignore[attr-defined]
    summary.fill(summary.input_value() + "（已补充编制测算说明）")
    shot(applicant, "12-correction")
    applicant.get_by_role("button", name="重新提交").click()  # type: ignore[attr-defined]
    applicant.wait_for_url(matter_url)  # type: ignore[attr-defined]
    assert "办理中" in applicant.content() and "退回补正" in applicant.content()  # type: ignore[attr-defined]


def test_admin_dashboard_and_process_diagram(server: str, browser: object) -> None:
    admin = login(browser, server, "admin")
    admin.goto(f"{server}/admin/dashboard")  # type: ignore[attr-defined]
    assert admin.locator("svg[role=img]").count() == 4  # type: ignore[attr-defined]
    shot(admin, "13-admin-dashboard")
    admin.goto(f"{server}/admin/processes/institution_setup")  # type: ignore[attr-defined]
    assert admin.locator("svg[aria-label='办理进度图']").count() == 1  # type: ignore[attr-defined]
    shot(admin, "14-admin-process")

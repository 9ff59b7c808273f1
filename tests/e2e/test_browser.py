"""End to end in a real browser (Playwright driving the system's Chromium):
a new institution submitted with an attachment, approved by every
department in its own inbox, finished with its sealed documents, one of them
downloaded and verified on the public page. Screenshots of each key page go
to tests/e2e/screenshots/ (not committed)."""

from __future__ import annotations

import re
import time
import zipfile
from pathlib import Path

import pytest

from tests.api.helpers import PDF_BYTES as PDF
from tests.e2e.support import CHROMIUM, login, says, shot

APPROVERS = ["bianban", "bianwei1", "bianwei2", "bianwei3", "zuzhi", "renshe", "caizheng"]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Chromium is not installed (apt-get install chromium)"),
]


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
                if username.startswith("bianwei"):  # 会签: each member sees the rule and the votes so far
                    tally = approver.locator("section.vote").inner_text()  # type: ignore[attr-defined]
                    assert "会签（全部同意方可通过）" in tally and "共 3 人" in tally
                    assert f"同意 {int(username[-1]) - 1} 人" in tally
                approver.get_by_label("审批意见").fill("同意")  # type: ignore[attr-defined]
                approver.get_by_role("button", name="提交").click()  # type: ignore[attr-defined]
                approver.wait_for_url(f"{server}/inbox")  # type: ignore[attr-defined]
                acted = True
                links = approver.locator("a[href^='/tasks/']")  # type: ignore[attr-defined]
            approver.context.close()  # type: ignore[attr-defined]
        if not acted:
            break

    deadline = time.monotonic() + 180  # the worker issues the documents, then the matter ends
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
    error.wait_for()  # the refused form has loaded (is_visible does not wait)
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
            approver.get_by_role("button", name="提交").click()  # type: ignore[attr-defined]  # no opinion yet
            assert says(approver, "必须填写审批意见")
            assert approver.get_by_label("退回补正").is_checked()  # type: ignore[attr-defined]  # not reset to 同意
            shot(approver, "12a-return-kept-after-error")
            approver.get_by_label("审批意见").fill("请补充编制测算说明")  # type: ignore[attr-defined]
        approver.get_by_role("button", name="提交").click()  # type: ignore[attr-defined]
        approver.wait_for_url(f"{server}/inbox")  # type: ignore[attr-defined]
        approver.context.close()  # type: ignore[attr-defined]
    applicant.goto(matter_url)  # type: ignore[attr-defined]
    applicant.get_by_role("link", name="查看退回意见并修改后重新提交").click()  # type: ignore[attr-defined]
    assert says(applicant, "请补充编制测算说明")
    summary = applicant.locator("#f-summary")  # type: ignore[attr-defined]
    summary.fill(summary.input_value() + "（已补充编制测算说明）")
    shot(applicant, "12-correction")
    applicant.get_by_role("button", name="重新提交").click()  # type: ignore[attr-defined]
    applicant.wait_for_url(matter_url)  # type: ignore[attr-defined]
    assert "办理中" in applicant.content() and "退回补正" in applicant.content()  # type: ignore[attr-defined]


def test_admin_dashboard_and_process_diagram(server: str, browser: object) -> None:
    admin = login(browser, server, "admin")
    admin.goto(f"{server}/admin/dashboard")  # type: ignore[attr-defined]
    assert admin.locator("svg[role=img]").count() == 6  # type: ignore[attr-defined]
    shot(admin, "13-admin-dashboard")
    admin.goto(f"{server}/admin/processes/institution_setup")  # type: ignore[attr-defined]
    assert admin.locator("svg[aria-label='办理进度图']").count() == 1  # type: ignore[attr-defined]
    shot(admin, "14-admin-process")
    admin.goto(f"{server}/admin/code-blocks")  # type: ignore[attr-defined]
    admin.get_by_label("登记管理机关行政区划码").fill("141002")  # type: ignore[attr-defined]
    admin.get_by_label("前缀").fill("MF")  # type: ignore[attr-defined]
    admin.get_by_label("起始顺序号").fill("1")  # type: ignore[attr-defined]
    admin.get_by_label("终止顺序号（含）").fill("300")  # type: ignore[attr-defined]
    admin.get_by_role("button", name="登记号段").click()  # type: ignore[attr-defined]
    admin.wait_for_url(f"{server}/admin/code-blocks?added=1")  # type: ignore[attr-defined]
    assert admin.get_by_text("号段已登记").count() == 1  # type: ignore[attr-defined]
    shot(admin, "15-admin-code-blocks")


def test_claim_in_the_inbox_and_export_from_the_archive(server: str, browser: object, tmp_path: Path) -> None:
    applicant = login(browser, server, "applicant")
    applicant.goto(f"{server}/matters/new/demo_cross_department?example=1")  # type: ignore[attr-defined]
    applicant.get_by_role("button", name="提交申请").click()  # type: ignore[attr-defined]
    applicant.wait_for_url(re.compile(r".*/matters/[0-9a-f-]{36}$"))  # type: ignore[attr-defined]
    finance = login(browser, server, "caizheng")
    finance.goto(f"{server}/inbox?claimed=unclaimed")  # type: ignore[attr-defined]
    finance.get_by_role("button", name=re.compile("^签收")).first.click()  # type: ignore[attr-defined]
    finance.wait_for_url(f"{server}/inbox")  # type: ignore[attr-defined]  # back to the list
    finance.goto(f"{server}/inbox?claimed=mine")  # type: ignore[attr-defined]
    shot(finance, "16-inbox-claimed")
    assert finance.get_by_role("button", name="退回签收").count() >= 1  # type: ignore[attr-defined]
    finance.locator("a[href^='/tasks/']").first.click()  # type: ignore[attr-defined]
    finance.wait_for_url(re.compile(r".*/tasks/.*"))  # type: ignore[attr-defined]
    assert "签收人：赵丽华" in finance.content()  # type: ignore[attr-defined]

    archivist = login(browser, server, "archivist")
    archivist.goto(f"{server}/archive?q=示范")  # type: ignore[attr-defined]
    archivist.get_by_label("导出事由（可选，记入审计）").fill("年度移交")  # type: ignore[attr-defined]
    archivist.get_by_role("button", name="导出本次检索结果").click()  # type: ignore[attr-defined]
    archivist.wait_for_url(re.compile(r".*/archive/exports/\d+$"))  # type: ignore[attr-defined]
    deadline = time.monotonic() + 180  # the page refreshes itself until the worker is done
    while time.monotonic() < deadline and "已完成" not in archivist.locator(".badge").first.inner_text():  # type: ignore[attr-defined]
        time.sleep(1)
        archivist.reload()  # type: ignore[attr-defined]
    shot(archivist, "17-archive-export")
    with archivist.expect_download() as download:  # type: ignore[attr-defined]
        archivist.get_by_role("link", name=re.compile("下载 ZIP")).click()  # type: ignore[attr-defined]
    saved = tmp_path / "export.zip"
    download.value.save_as(str(saved))
    with zipfile.ZipFile(saved) as exported:
        names = exported.namelist()
    assert "manifest.csv" in names and "manifest.json" in names and any(n.endswith(".pdf") for n in names)


def test_a_locked_account_is_told_when_to_retry_and_the_administrator_unlocks_it(server: str, browser: object) -> None:
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")  # type: ignore[attr-defined]
    page = context.new_page()
    for _ in range(5):  # the fifth wrong password locks the account
        page.goto(f"{server}/login")
        page.get_by_label("用户名").fill("applicant_frozen")
        page.get_by_label("密码").fill("not-the-password")
        page.get_by_role("button", name="登录").click()
    page.goto(f"{server}/login")
    page.get_by_label("用户名").fill("applicant_frozen")
    page.get_by_label("密码").fill("onestop-demo")
    page.get_by_role("button", name="登录").click()
    assert says(page, "已暂时锁定", "后重试")
    shot(page, "18-login-locked")

    admin = login(browser, server, "admin")
    admin.goto(f"{server}/admin/users")  # type: ignore[attr-defined]
    admin.get_by_role("link", name="applicant_frozen").click()  # type: ignore[attr-defined]
    assert says(admin, "登录锁定")
    shot(admin, "19-admin-unlock")
    admin.get_by_role("button", name="立即解除锁定").click()  # type: ignore[attr-defined]
    assert says(admin, "已解除登录锁定")
    assert login(browser, server, "applicant_frozen") is not None

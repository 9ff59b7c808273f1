"""转办, 委派 and 催办 in Chromium, on a desktop (1280 px) and a phone (390 px): the applicant urges
from the matter page; 编办 delegates its review to 人社局, who reads the request and gives it back
with an opinion; 编办 then transfers the task to a colleague, who finds it in his inbox.
The deputy page sets and cancels a deputy.
Screenshots go to tests/e2e/screenshots/ (36-* to 40-*)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.support import CHROMIUM, login, shot
from tests.e2e.test_daily_work import _submit_institution

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Chromium is not installed (apt-get install chromium)"),
]


def _no_sideways_scroll(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.parametrize("width", [1280, 390])
def test_urge_delegate_give_back_and_transfer(server: str, browser: Any, width: int) -> None:
    applicant = login(browser, server, "applicant", width)
    matter_url, number = _submit_institution(applicant, server, f"示范市转办{width}中心")
    applicant.get_by_text("催办", exact=True).click()
    applicant.get_by_label("催办说明（可选）").fill("单位急需，请尽快审核")
    applicant.get_by_role("button", name="催办当前环节").click()
    applicant.locator(".flash", has_text="已催办").wait_for()  # the same address again: wait for the new message
    assert applicant.url == matter_url
    shot(applicant, f"36-urged-{width}")

    bianban = login(browser, server, "bianban", width)
    bianban.goto(f"{server}/inbox?q={number}")
    bianban.locator("table.inbox a[href^='/tasks/']").first.click()
    bianban.wait_for_url(re.compile(r".*/tasks/.*"))
    task_url = bianban.url
    bianban.get_by_text("委派：请他人协助办理，交回后由您决定").click()
    bianban.get_by_label("委派给").select_option("renshe")
    bianban.get_by_role("button", name="委派", exact=True).click()  # nothing asked: the browser holds it back
    assert bianban.url == task_url
    assert bianban.evaluate("document.getElementById('delegate-opinion').validity.valueMissing")
    bianban.get_by_label("委派事项").fill("请核实拟任人员的社保缴纳情况")
    shot(bianban, f"37-task-hand-over-{width}")
    _no_sideways_scroll(bianban)
    bianban.get_by_role("button", name="委派", exact=True).click()
    bianban.wait_for_url(f"{server}/inbox")
    assert "已委派" in bianban.locator(".flash").inner_text()

    renshe = login(browser, server, "renshe", width)
    renshe.goto(task_url)
    panel = renshe.locator("section.delegation")
    assert "王建国" in panel.inner_text() and "社保缴纳情况" in panel.inner_text()
    assert renshe.locator("input[name=decision]").count() == 0  # the delegate does not decide
    shot(renshe, f"38-delegate-gives-back-{width}")
    renshe.get_by_label("办理意见").fill("已核实，缴纳正常")
    renshe.get_by_role("button", name="办理完毕，交回委派人").click()
    renshe.wait_for_url(f"{server}/inbox")

    bianban.goto(task_url)
    assert bianban.locator("input[name=decision]").count() > 0  # back with its owner, who decides
    bianban.get_by_text("转办：交给本部门同事办理").click()
    bianban.get_by_label("转办给").select_option("bianban2")
    bianban.get_by_role("button", name="转办", exact=True).click()
    bianban.wait_for_url(f"{server}/inbox")

    colleague = login(browser, server, "bianban2", width)
    colleague.goto(f"{server}/inbox?q={number}")
    assert colleague.locator("table.inbox, .cards").first.inner_text().count(number) >= 1
    colleague.goto(f"{server}/notifications")
    assert "转办给您" in colleague.content()
    shot(colleague, f"39-transferred-inbox-{width}")
    _no_sideways_scroll(colleague)


@pytest.mark.parametrize("width", [1280, 390])
def test_the_deputy_page(server: str, browser: Any, width: int) -> None:
    member = login(browser, server, "bianwei3", width)
    member.get_by_role("link", name="代理").click()
    member.wait_for_url(f"{server}/me/deputy")
    assert "尚未设置代理" in member.content()
    member.get_by_label("代理人").select_option("bianwei1")
    member.get_by_role("button", name="保存").click()
    member.locator(".flash", has_text="代理已设置").wait_for()  # the same address again: wait for the new page
    assert "代理中" in member.content()
    shot(member, f"40-deputy-set-{width}")
    _no_sideways_scroll(member)
    member.get_by_role("button", name="取消代理").click()  # the shared demo server goes back as it was
    member.locator(".flash", has_text="代理已取消").wait_for()
    assert "尚未设置代理" in member.content()

"""Accessibility in the browser: axe-core (served from the installed package,
no network) finds no WCAG 2.1 A/AA violation, contrast included, on every
key page of every role; and the pages work from the keyboard alone, with a
visible focus, a skip link, and forms submitted without a mouse."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.support import CHROMIUM, DEMO_PASSWORD, login, shot

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Chromium is not installed (apt-get install chromium)"),
]
WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def violations(page: Any) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    found = Axe().run(page, options=WCAG).response["violations"]
    return [
        f"{page.url}: {v['id']} ({v['impact']}) {v['help']} — {[n['target'] for n in v['nodes']][:3]}" for v in found
    ]


def _first_link(page: Any, prefix: str) -> str:
    href = page.locator(f"a[href^='{prefix}']").first.get_attribute("href")
    assert href, f"no link to {prefix} on {page.url}"
    return str(href)


def test_every_key_page_passes_axe(server: str, browser: Any) -> None:
    found: list[str] = []
    public = browser.new_context(locale="zh-CN").new_page()
    for path in ("/login", "/verify", "/gongshi"):
        public.goto(f"{server}{path}")
        found += violations(public)

    applicant = login(browser, server, "applicant")
    applicant.goto(f"{server}/matters/new/demo_cross_department?example=1")
    found += violations(applicant)
    applicant.get_by_role("button", name="提交申请").click()
    applicant.wait_for_url(re.compile(r".*/matters/[0-9a-f-]{36}$"))
    found += violations(applicant)  # the matter with its progress steps and diagram
    applicant.goto(f"{applicant.url}/receipt")
    found += violations(applicant)  # the receipt
    for path in ("/", "/matters", "/matters/new/institution_setup", "/notifications"):
        applicant.goto(f"{server}{path}")
        found += violations(applicant)
    applicant.goto(f"{server}/matters/new/staff_exit")
    applicant.locator("#f-id_number").fill("110105194912310021")
    applicant.get_by_role("button", name="提交申请").click()
    found += violations(applicant)  # the form with inline errors

    approver = login(browser, server, "bianban")
    approver.goto(f"{server}/inbox?q=示范")
    found += violations(approver)
    approver.goto(f"{server}{_first_link(approver, '/tasks/')}")
    found += violations(approver)
    approver.goto(f"{server}/admin")
    found += violations(approver)  # the 403 page

    archivist = login(browser, server, "archivist")
    archivist.goto(f"{server}/archive?q=示范")
    found += violations(archivist)
    archivist.goto(f"{server}{_first_link(archivist, '/archive/records/')}")
    found += violations(archivist)

    admin = login(browser, server, "admin")
    for path in (
        "/admin",
        "/admin/dashboard",
        "/admin/processes/institution_setup",
        "/admin/calendar",
        "/admin/code-blocks",
        "/admin/users",  # last: its first account is visited next
    ):
        admin.goto(f"{server}{path}")
        found += violations(admin)
    admin.goto(f"{server}{_first_link(admin, '/admin/users/')}")
    found += violations(admin)
    admin.goto(f"{server}/admin/units")
    found += violations(admin)
    admin.goto(f"{server}{_first_link(admin, '/admin/units/')}")
    found += violations(admin)
    assert found == []


def test_the_keyboard_alone_signs_in_and_reaches_the_content(server: str, browser: Any) -> None:
    page = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 768}).new_page()
    page.goto(f"{server}/login")
    assert page.evaluate("document.activeElement.id") == "username"  # the first field has the focus
    page.keyboard.type("caizheng")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "password"
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")  # submits the form
    page.wait_for_url(f"{server}/")

    page.goto(f"{server}/inbox")
    page.keyboard.press("Tab")  # the first stop skips the header
    assert page.evaluate("document.activeElement.textContent") == "跳到正文"
    assert page.locator("a.skip").bounding_box()["x"] >= 0  # shown while focused
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("none", "")  # a visible focus ring
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    stops: list[str] = []
    while "筛选" not in stops and len(stops) < 14:  # then the filters in reading order, and the button
        page.keyboard.press("Tab")
        stops.append(page.evaluate("document.activeElement.id || document.activeElement.textContent"))
        if stops[-1] == "f-matter" and stops.count("f-matter") == 1:
            page.keyboard.press("ArrowDown")  # choose the first matter in the list
    fields = list(dict.fromkeys(stops))  # a date field takes one stop per part (year, month, day)
    assert fields == ["f-q", "f-matter", "f-due", "f-claimed", "f-overdue", "筛选"], stops
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/inbox\?.*matter=[a-z_]+.*"))
    shot(page, "15-keyboard-inbox")

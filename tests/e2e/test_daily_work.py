"""The daily work in Chromium, on a desktop (1280 px) and a phone (390 px): two matters of one type
told apart in the inbox by 受理编号 and title; a return keeps its decision after an error and moves
the applicant's header count; the correction uploads a file for the item asked and the reviewer
sees the difference; the receipt prints; the progress reads as steps and the diagram zooms.
Screenshots go to tests/e2e/screenshots/ (20-* to 29-*)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.api.helpers import PDF_BYTES as PDF
from tests.e2e.support import CHROMIUM, login, says, shot

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Chromium is not installed (apt-get install chromium)"),
]
WIDTHS = [1280, 390]


def _submit_institution(page: Any, server: str, name: str) -> tuple[str, str]:
    """Submit 新设 of ``name`` from the example filling; the matter's address and 受理编号."""
    page.goto(f"{server}/matters/new/institution_setup?example=1")
    page.locator("#f-name").fill(name)
    page.get_by_role("button", name="提交申请").click()
    page.wait_for_url(re.compile(r".*/matters/[0-9a-f-]{36}$"))
    flash = page.locator(".flash").inner_text()
    number = re.search(r"\d{4}-\d{6}", flash)
    assert number, flash
    return page.url, number.group(0)


def _count(page: Any, name: str) -> int:
    return int(page.locator(f'[data-count="{name}"]').inner_text())


@pytest.mark.parametrize("width", WIDTHS)
def test_two_matters_apart_a_return_a_correction_and_the_diff(
    server: str, browser: Any, tmp_path: Path, width: int
) -> None:
    applicant = login(browser, server, "applicant", width)
    first_url, first = _submit_institution(applicant, server, f"示范市甲{width}服务中心")
    shot(applicant, f"20-submitted-{width}")
    assert applicant.locator(".flash").count() == 1
    applicant.reload()
    assert applicant.locator(".flash").count() == 0  # said once
    _, second = _submit_institution(applicant, server, f"示范市乙{width}服务中心")
    returned_before = _count(applicant, "returned")

    applicant.goto(f"{first_url}/receipt")
    assert first in applicant.content() and "受理回执" in applicant.content()
    applicant.emulate_media(media="print")
    assert applicant.locator("header.site").is_hidden()  # the print view is the receipt alone
    shot(applicant, f"21-receipt-print-{width}")
    applicant.emulate_media(media="screen")

    bianban = login(browser, server, "bianban", width)
    bianban.goto(f"{server}/inbox?q={width}服务中心")
    rows = bianban.locator("table.inbox tbody tr")
    assert rows.count() == 2
    text = bianban.locator("table.inbox").inner_text()
    assert first in text and second in text
    assert f"示范市甲{width}服务中心" in text and f"示范市乙{width}服务中心" in text
    shot(bianban, f"22-inbox-two-matters-{width}")

    bianban.goto(f"{server}/inbox?q={first}")
    bianban.locator("table.inbox a[href^='/tasks/']").first.click()
    bianban.wait_for_url(re.compile(r".*/tasks/.*"))
    bianban.get_by_label("退回补正").check()
    bianban.get_by_role("button", name="提交").click()  # no opinion: refused
    assert says(bianban, "必须填写审批意见")
    assert bianban.get_by_label("退回补正").is_checked()  # the choice is kept, not reset to 同意
    shot(bianban, f"23-return-kept-after-error-{width}")
    bianban.get_by_label("常用意见").select_option("请补充提供编制使用计划。")
    assert "编制使用计划" in bianban.get_by_label("审批意见").input_value()  # the stock opinion filled in
    bianban.get_by_role("button", name="提交").click()
    bianban.wait_for_url(f"{server}/inbox")
    assert "已退回申请单位补正" in bianban.locator(".flash").inner_text()

    applicant.goto(f"{server}/")
    for _ in range(120):  # the notification is written by the worker
        if _count(applicant, "returned") > returned_before:
            break
        applicant.wait_for_timeout(500)
        applicant.reload()
    assert _count(applicant, "returned") == returned_before + 1
    shot(applicant, f"24-applicant-home-returned-{width}")
    applicant.goto(f"{server}/notifications?kind=returned")
    applicant.get_by_role("button", name=re.compile(first)).first.click()
    applicant.wait_for_url(first_url)
    assert _count(applicant, "returned") == returned_before  # opened: read
    applicant.get_by_role("link", name="查看退回意见并修改后重新提交").click()
    applicant.wait_for_url(re.compile(r".*/tasks/.*"))
    assert applicant.content().count("请补充提供编制使用计划。") == 1
    plan = tmp_path / "编制使用计划.pdf"
    plan.write_bytes(PDF + b"%plan")
    applicant.locator("#item-files-0").set_input_files(str(plan))
    applicant.locator("#f-contact_phone").fill("12")  # a mistake: the file must survive it
    applicant.get_by_role("button", name="重新提交").click()
    applicant.locator("input[name=keep]").wait_for()  # the form again, with the file kept
    assert applicant.locator("input[name=keep]").count() == 1 and "编制使用计划.pdf" in applicant.content()
    shot(applicant, f"25-correction-error-keeps-file-{width}")
    applicant.locator("#f-contact_phone").fill("13800138000")
    applicant.get_by_role("button", name="重新提交").click()
    applicant.wait_for_url(first_url)
    assert "补正材料已重新提交" in applicant.locator(".flash").inner_text()

    bianban.goto(f"{server}/inbox?q={first}")
    bianban.locator("table.inbox a[href^='/tasks/']").first.click()
    changes = bianban.locator("section.changes")
    changes.wait_for()  # the task page has loaded (is_visible does not wait)
    assert changes.is_visible() and "编制使用计划.pdf" in changes.inner_text() and "新增" in changes.inner_text()
    assert "联系电话" not in changes.inner_text()  # the phone was put back as it was: no difference
    shot(bianban, f"26-reviewer-sees-diff-{width}")


@pytest.mark.parametrize("width", WIDTHS)
def test_progress_reads_as_steps_and_the_diagram_zooms(server: str, browser: Any, width: int) -> None:
    applicant = login(browser, server, "applicant", width)
    _, number = _submit_institution(applicant, server, f"示范市进度{width}中心")
    steps = applicant.locator("ol.steps li")
    assert steps.count() >= 2
    assert "已办理" in steps.first.inner_text() and applicant.locator("ol.steps li.current").count() >= 1
    frame = applicant.locator(".diagram-frame")
    assert frame.is_visible()
    svg_width = applicant.evaluate("document.querySelector('.diagram-frame svg').getBoundingClientRect().width")
    frame_width = applicant.evaluate("document.querySelector('.diagram-frame').clientWidth")
    if width >= 1000:
        assert abs(svg_width - frame_width) < 2  # fitted to the width
    else:
        assert svg_width > frame_width  # a phone starts zoomed in, around the current step
        current = applicant.evaluate(
            "(() => { const c = document.querySelector('.diagram-frame [data-state=current]').getBoundingClientRect();"
            " const f = document.querySelector('.diagram-frame').getBoundingClientRect();"
            " return c.right > f.left && c.left < f.right; })()"
        )
        assert current  # the current step is in view
    applicant.get_by_role("button", name="放大").click()
    wider = applicant.evaluate("document.querySelector('.diagram-frame svg').getBoundingClientRect().width")
    assert wider > svg_width
    applicant.get_by_role("button", name="适应宽度").click()
    fitted = applicant.evaluate("document.querySelector('.diagram-frame svg').getBoundingClientRect().width")
    assert abs(fitted - frame_width) < 2
    assert number in applicant.content()
    shot(applicant, f"27-matter-progress-{width}")
    applicant.emulate_media(media="print")
    shot(applicant, f"28-matter-print-{width}")
    applicant.emulate_media(media="screen")
    applicant.goto(f"{server}/matters")
    assert number in applicant.locator("table.matters").inner_text()
    shot(applicant, f"29-my-matters-{width}")


@pytest.mark.parametrize("width", WIDTHS)
def test_plain_words_charts_and_the_archive_at_both_widths(server: str, browser: Any, width: int) -> None:
    applicant = login(browser, server, "applicant", width)
    applicant.goto(f"{server}/matters?q=大数据发展中心")
    applicant.locator("table.matters a").first.click()
    record = applicant.locator("section.panel", has_text="办理记录").inner_text()
    opinions = applicant.locator("section.panel", has_text="审批意见").first.inner_text()
    for text in (record, opinions):
        assert "同意——同意" not in text and "（组织部）（组织部）" not in text
        assert "bianban" not in text and "王建国" in text  # people by name
        assert re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", text) and not re.search(r"T\d{2}:\d{2}", text)
    assert applicant.evaluate("document.documentElement.scrollWidth") <= width + 1  # nothing runs off a phone
    shot(applicant, f"33-handling-record-{width}")

    admin = login(browser, server, "admin", width)
    admin.goto(f"{server}/admin/dashboard")
    chart = admin.locator("svg[aria-label='编制使用率（按单位、编制类型）']")
    labels = chart.locator("text").evaluate_all("ts => ts.map(t => t.textContent)")
    assert "（%）" in labels and "0" in labels  # a value axis
    legend = [c for c in chart.locator("rect[width='12']").evaluate_all("rs => rs.map(r => r.getAttribute('fill'))")]
    bars = set(
        chart.locator("rect[height]:not([width='12'])").evaluate_all(
            "rs => rs.filter(r => parseFloat(r.getAttribute('height')) > 0).map(r => r.getAttribute('fill'))"
        )
    )
    assert legend and set(legend) <= bars  # every legend colour is a colour some bar uses
    shot(admin, f"34-dashboard-{width}")

    archivist = login(browser, server, "archivist", width)
    archivist.goto(f"{server}/archive?kind=dossier&q=大数据发展中心")
    archivist.locator("a[href^='/archive/records/']").first.click()
    assert re.search(r"受理编号 \d{4}-\d{6}", archivist.locator("dl.facts").inner_text())
    assert archivist.locator("section.panel", has_text="同一事项的其他档案").count() == 1
    archivist.get_by_role("link", name="阅读案卷").click()
    archivist.wait_for_url(re.compile(r".*/dossier$"))  # loaded: content() read mid-navigation is empty
    assert "审批意见" in archivist.content() and "办理记录（审计链）" in archivist.content()
    shot(archivist, f"35-dossier-{width}")

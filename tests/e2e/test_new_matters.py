"""The matters added after the first five, in Chromium on a desktop (1280 px) and a phone (390 px):
a 人员调动 asks the unit left for its consent on its own home page, and the matter's progress names
who consented; a 领导职务任免 shows 编办 the 领导职数 figures on its 事前沟通 task.
A 编制调整 shows 编办 the unit's and the region's figures; the region's 总量 and 周转池 page reads on a
phone; a 法人变更登记 lists each item with its evidence; a 机构更名 is submitted from its form and the
demo's 机构合并 is found in the archive with its 批复; the demo's 人编经费比对 shows 编办 each unit's
findings with the negative-list form, and the demo unit its closed 整改. Screenshots go to
tests/e2e/screenshots/ (49-* to 64-*)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from forms.identifiers import make_ric
from tests.e2e.support import CHROMIUM, login, says, shot
from tests.e2e.test_handover import _no_sideways_scroll

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Chromium is not installed (apt-get install chromium)"),
]

# 示范市档案馆's staff in the demo register (name, birth date, its place in the register's order, sex)
MOVING = {1280: ("孙伟", date(1988, 10, 5), 12, "男"), 390: ("徐丽", date(1975, 2, 11), 11, "女")}


@pytest.mark.parametrize("width", [1280, 390])
def test_the_unit_left_consents_from_its_home_page(server: str, browser: Any, width: int) -> None:
    name, born, seq, sex = MOVING[width]
    applicant = login(browser, server, "applicant", width)
    applicant.goto(f"{server}/matters/new/staff_transfer?example=1")
    applicant.locator("#f-name").fill(name)
    applicant.locator("#f-id_number").fill(make_ric("141002", born, seq, sex))
    if width == 1280:
        shot(applicant, f"49-transfer-form-{width}")
    applicant.get_by_role("button", name="提交申请").click()
    applicant.wait_for_url(re.compile(r".*/matters/[0-9a-f-]{36}$"))
    matter_url = applicant.url
    assert says(applicant, "调出单位同意调出")

    unit_left = login(browser, server, "clerk003", width)
    section = unit_left.locator("section", has_text="请本单位办理")
    section.wait_for()
    assert f"人员调动：{name}" in section.inner_text()
    shot(unit_left, f"50-unit-left-home-{width}")
    _no_sideways_scroll(unit_left)
    section.locator("a[href^='/tasks/']", has_text=name).first.click()
    unit_left.wait_for_url(re.compile(r".*/tasks/.*"))
    assert says(unit_left, "调出单位同意调出", name)
    unit_left.get_by_label("审批意见").fill("经单位研究，同意调出。")
    shot(unit_left, f"51-consent-task-{width}")
    _no_sideways_scroll(unit_left)
    unit_left.get_by_role("button", name="提交", exact=True).click()
    unit_left.wait_for_url(lambda url: "/tasks/" not in url)

    applicant.goto(matter_url)
    assert says(applicant, "经单位研究，同意调出", "编办审核调动")
    shot(applicant, f"52-transfer-progress-{width}")
    _no_sideways_scroll(applicant)


@pytest.mark.parametrize("width", [1280, 390])
def test_bianban_sees_the_posts_figures_in_the_consultation(server: str, browser: Any, width: int) -> None:
    applicant = login(browser, server, "applicant", width)
    applicant.goto(f"{server}/matters/new/leader_appointment?example=1")
    applicant.locator("#f-position").fill(f"副主任{width}")
    applicant.get_by_role("button", name="提交申请").click()
    applicant.wait_for_url(re.compile(r".*/matters/[0-9a-f-]{36}$"))
    number = re.search(r"\d{4}-\d{6}", applicant.locator(".flash").inner_text())
    assert number

    bianban = login(browser, server, "bianban", width)
    bianban.goto(f"{server}/inbox?q={number.group(0)}")
    bianban.locator("table.inbox a[href^='/tasks/']").first.click()
    bianban.wait_for_url(re.compile(r".*/tasks/.*"))
    assert says(bianban, "编办领导职数事前沟通", "领导职数核查")
    shot(bianban, f"53-posts-consultation-{width}")
    _no_sideways_scroll(bianban)


def test_the_dashboard_shows_the_matters_by_kind(server: str, browser: Any) -> None:
    admin = login(browser, server, "admin", 1280)
    admin.goto(f"{server}/admin/dashboard")
    assert says(admin, "各类事项（近一年发起，按办理状态）", "调动", "任免", "用编计划", "撤并更名", "比对整改")
    assert says(admin, "人编经费比对与负面清单", "已整改销号 1 个", "示范市职业技能培训中心")
    shot(admin, "54-dashboard-by-kind-1280")


def test_a_plan_from_the_form_shows_its_notices(server: str, browser: Any) -> None:
    applicant = login(browser, server, "applicant", 390)
    applicant.goto(f"{server}/matters/new/staff_plan?example=1")
    applicant.get_by_role("button", name="提交申请").click()
    applicant.wait_for_url(re.compile(r".*/matters/[0-9a-f-]{36}$"))
    assert says(applicant, "年度用编计划（4名）", "编办核准用编计划")
    shot(applicant, "55-plan-submitted-390")
    _no_sideways_scroll(applicant)


@pytest.mark.parametrize("width", [1280, 390])
def test_bianban_reviews_an_adjustment_against_the_region_total(server: str, browser: Any, width: int) -> None:
    applicant = login(browser, server, "applicant", width)
    applicant.goto(f"{server}/matters/new/staff_adjustment?example=1")
    applicant.locator("#f-places").fill("1")
    if width == 390:
        shot(applicant, f"56-adjustment-form-{width}")
        _no_sideways_scroll(applicant)
    applicant.get_by_role("button", name="提交申请").click()
    applicant.wait_for_url(re.compile(r".*/matters/[0-9a-f-]{36}$"))
    number = re.search(r"\d{4}-\d{6}", applicant.locator(".flash").inner_text())
    assert number and says(applicant, "编制调整：核增事业编制（全额拨款）1名")

    bianban = login(browser, server, "bianban", width)
    bianban.goto(f"{server}/inbox?q={number.group(0)}")
    bianban.locator("table.inbox a[href^='/tasks/']").first.click()
    bianban.wait_for_url(re.compile(r".*/tasks/.*"))
    assert says(bianban, "编制数和编制总量核查", "本地区", "总量")
    shot(bianban, f"57-adjustment-review-{width}")
    _no_sideways_scroll(bianban)


@pytest.mark.parametrize("width", [1280, 390])
def test_the_region_total_page(server: str, browser: Any, width: int) -> None:
    admin = login(browser, server, "admin", width)
    admin.goto(f"{server}/admin/totals")
    assert says(admin, "编制总量与周转池", "已核定到单位", "周转池借用", "核定编制总量")
    shot(admin, f"58-region-totals-{width}")
    _no_sideways_scroll(admin)


def test_a_legal_person_change_lists_its_items(server: str, browser: Any) -> None:
    applicant = login(browser, server, "applicant", 390)
    applicant.goto(f"{server}/matters/new/legal_person_change?example=1")
    assert says(applicant, "变更事项", "证明材料或批准文号")
    shot(applicant, "59-legal-person-form-390")
    _no_sideways_scroll(applicant)
    applicant.get_by_role("button", name="提交申请").click()
    applicant.wait_for_url(re.compile(r".*/matters/[0-9a-f-]{36}$"))
    assert says(applicant, "法人变更登记：住所", "登记管理局审查决定")


def test_a_rename_from_the_form_and_the_demo_merge_in_the_archive(server: str, browser: Any) -> None:
    applicant = login(browser, server, "applicant", 390)
    applicant.goto(f"{server}/matters/new/unit_restructure?example=1")
    assert says(applicant, "撤并更名类别", "更名后名称", "承接单位或并入单位（全称）")
    shot(applicant, "60-restructure-form-390")
    _no_sideways_scroll(applicant)
    applicant.get_by_role("button", name="提交申请").click()
    applicant.wait_for_url(re.compile(r".*/matters/[0-9a-f-]{36}$"))
    assert says(applicant, "机构更名：示范市大数据发展服务中心", "编办审核")

    archivist = login(browser, server, "archivist", 1280)
    archivist.goto(f"{server}/archive?q=地方志研究室")
    assert says(archivist, "机构合并：并入示范市档案馆")
    archivist.locator("a[href^='/archive/records/']").first.click()
    archivist.wait_for_url(re.compile(r".*/archive/records/.*"))
    assert says(archivist, "机构撤并更名批复")
    shot(archivist, "61-restructure-archived-1280")


@pytest.mark.parametrize("width", [1280, 390])
def test_the_demo_comparison_and_its_findings(server: str, browser: Any, width: int) -> None:
    office = login(browser, server, "bianban", width)
    office.goto(f"{server}/reconciliation")
    assert says(office, "人编经费比对", "比对记录", "发起比对")
    office.locator("a[href^='/reconciliation/runs/']").first.click()
    office.wait_for_url(re.compile(r".*/reconciliation/runs/\d+$"))
    assert says(office, "有薪无编", "有编无薪", "示范市行政审批服务管理局")
    if width == 1280:
        shot(office, "62-reconciliation-run-1280")
    office.get_by_role("link", name="示范市行政审批服务管理局").click()
    office.wait_for_url(re.compile(r".*/units/demo-unit-002$"))
    assert says(office, "财政统发", "钱进", "整改中", "列入负面清单（冻结）")
    shot(office, f"63-reconciliation-unit-{width}")
    _no_sideways_scroll(office)


def test_the_demo_unit_reads_its_closed_rectification(server: str, browser: Any) -> None:
    applicant = login(browser, server, "applicant", 390)
    applicant.goto(f"{server}/matters")
    applicant.get_by_role("link", name=re.compile("人编经费比对整改")).first.click()
    applicant.wait_for_url(re.compile(r".*/matters/[0-9a-f-]{36}$"))
    assert says(applicant, "比对发现的问题", "有编无薪", "整改销号", "人编经费比对问题整改销号通知")
    shot(applicant, "64-rectification-closed-390")
    _no_sideways_scroll(applicant)

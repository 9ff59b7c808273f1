"""撤回 and 退回到已办环节 in Chromium, on a desktop (1280 px) and a phone (390 px): 编办 approves a new
institution, recalls the decision from the task page, then returns the matter to the applicant from
the reopened task, who sees it back for correction with the reason in its history.
Then 加签 (后加签): 编办 approves and adds a colleague who countersigns before the step moves on.
Screenshots go to tests/e2e/screenshots/ (41-* to 45-*)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.support import CHROMIUM, login, shot
from tests.e2e.test_daily_work import _submit_institution
from tests.e2e.test_handover import _no_sideways_scroll

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Chromium is not installed (apt-get install chromium)"),
]


@pytest.mark.parametrize("width", [1280, 390])
def test_recall_then_return_to_the_applicant(server: str, browser: Any, width: int) -> None:
    applicant = login(browser, server, "applicant", width)
    matter_url, number = _submit_institution(applicant, server, f"示范市撤回{width}中心")

    bianban = login(browser, server, "bianban", width)
    bianban.goto(f"{server}/inbox?q={number}")
    bianban.locator("table.inbox a[href^='/tasks/']").first.click()
    bianban.wait_for_url(re.compile(r".*/tasks/.*"))
    task_url = bianban.url
    bianban.get_by_label("审批意见").fill("经审核，同意。")
    bianban.get_by_role("button", name="提交", exact=True).click()
    bianban.wait_for_url(re.compile(r".*/inbox.*"))

    bianban.goto(task_url)
    panel = bianban.locator("section.recall")
    assert "作出“同意”的决定" in panel.inner_text()
    bianban.get_by_label("撤回原因（可选）").fill("编制数需再核实")
    shot(bianban, f"41-recall-panel-{width}")
    _no_sideways_scroll(bianban)
    bianban.get_by_role("button", name="撤回决定").click()
    bianban.wait_for_url(lambda url: url != task_url and "/tasks/" in url)
    assert "已撤回您的决定" in bianban.locator(".flash").inner_text()
    assert bianban.locator("input[name=decision]").count() > 0  # the reopened task is decided again

    bianban.get_by_text("退回到本事项此前已办理的环节，从该环节重新办理").click()
    assert bianban.locator("#return-step option").all_inner_texts() == ["填报新设机构申请（申请单位）"]
    bianban.get_by_label("退回理由").fill("请补充机构职能配置说明")
    shot(bianban, f"42-return-to-{width}")
    _no_sideways_scroll(bianban)
    bianban.get_by_role("button", name="退回", exact=True).click()
    bianban.wait_for_url(re.compile(r".*/inbox.*"))
    assert "已退回" in bianban.locator(".flash").inner_text()

    applicant.goto(matter_url)
    body = applicant.locator("main").inner_text()
    assert "退回补正" in body and "请补充机构职能配置说明" in body
    shot(applicant, f"43-returned-to-applicant-{width}")
    _no_sideways_scroll(applicant)


@pytest.mark.parametrize("width", [1280, 390])
def test_add_a_signer_after_who_countersigns(server: str, browser: Any, width: int) -> None:
    applicant = login(browser, server, "applicant", width)
    _matter_url, number = _submit_institution(applicant, server, f"示范市加签{width}中心")

    bianban = login(browser, server, "bianban", width)
    bianban.goto(f"{server}/inbox?q={number}")
    bianban.locator("table.inbox a[href^='/tasks/']").first.click()
    bianban.wait_for_url(re.compile(r".*/tasks/.*"))
    task_url = bianban.url
    bianban.get_by_text("加签：请他人在您之前或之后办理").click()
    bianban.get_by_label("加签人员（可多选）").select_option("bianban2")
    bianban.get_by_label("后加签：您同意后，加签人同意方可继续流转").check()
    bianban.get_by_label("加签说明（后加签时即您的同意意见）").fill("同意，请马晓东同志会签")
    shot(bianban, f"44-add-signers-{width}")
    _no_sideways_scroll(bianban)
    bianban.get_by_role("button", name="加签", exact=True).click()
    bianban.locator(".flash", has_text="已加签").wait_for()
    assert "待加签人员全部同意后继续流转" in bianban.locator("section.signers").inner_text()

    colleague = login(browser, server, "bianban2", width)
    colleague.goto(f"{server}/inbox?q={number}")
    row = colleague.locator("table.inbox tr", has_text="后加签")
    row.locator("a[href^='/tasks/']").click()
    colleague.wait_for_url(re.compile(r".*/tasks/.*"))
    assert "同意，请马晓东同志会签" in colleague.locator("section.signing").inner_text()
    colleague.get_by_label("审批意见").fill("同意。")
    shot(colleague, f"45-signer-after-{width}")
    _no_sideways_scroll(colleague)
    colleague.get_by_role("button", name="提交", exact=True).click()
    colleague.wait_for_url(re.compile(r".*/inbox.*"))

    bianban.goto(task_url)  # the holder's approval went ahead once the signer agreed
    assert bianban.locator("input[name=decision]").count() == 0
    assert "同意——同意。" in bianban.locator("section.signers").inner_text()

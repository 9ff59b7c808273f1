"""退回到已办环节 and 撤回 from the task page: offered to whoever may use them, refusals beside the form,
and each action says what it did."""

from __future__ import annotations

from engine import services
from onestop.bootstrap import Platform
from tests.conftest import actors_of
from tests.web.test_handover_pages import _matter_and_task, _said
from tests.web.test_pages import HTML, browser, csrf_of, log_in


def test_return_to_the_applicant_from_the_task_page(sqlite_platform: Platform) -> None:
    matter, task = _matter_and_task(sqlite_platform)
    approver = browser(sqlite_platform)
    log_in(approver, "bianban")
    page = approver.get(f"/tasks/{task}", headers=HTML).text
    assert "退回到已办环节" in page and '<option value="submit">' in page
    csrf = csrf_of(page)
    refused = approver.post(f"/tasks/{task}/return-to", data={"csrf": csrf, "step": "submit", "opinion": ""})
    assert refused.status_code == 422 and "请写明退回理由" in refused.text
    sent = approver.post(f"/tasks/{task}/return-to", data={"csrf": csrf, "step": "submit", "opinion": "请补充职能说明"})
    assert "已退回，事项从您选定的环节重新办理" in _said(approver, sent)
    assert services.get(sqlite_platform.ctx, actors_of(sqlite_platform)["admin"], matter)["status"] == "returned"
    # The matter's history names the action.
    assert "退回到已办环节" in approver.get(f"/matters/{matter}", headers=HTML).text


def test_recall_from_the_task_page_reopens_the_task(sqlite_platform: Platform) -> None:
    _matter, task = _matter_and_task(sqlite_platform)
    actors = actors_of(sqlite_platform)
    services.complete(sqlite_platform.ctx, actors["bianban"], task, decision="approve", opinion="同意")
    approver = browser(sqlite_platform)
    log_in(approver, "bianban")
    page = approver.get(f"/tasks/{task}", headers=HTML).text
    assert "撤回决定" in page and "作出“同意”的决定" in page
    recalled = approver.post(f"/tasks/{task}/recall", data={"csrf": csrf_of(page), "opinion": "再核实"})
    reopened = _said(approver, recalled)
    assert "已撤回您的决定" in reopened and "审批结论" in reopened
    # The old task page no longer offers a recall; someone else never sees one.
    assert "撤回决定" not in approver.get(f"/tasks/{task}", headers=HTML).text
    other = browser(sqlite_platform)
    log_in(other, "zuzhi")
    assert "撤回决定" not in other.get(f"/tasks/{task}", headers=HTML).text

"""转办, 委派 and its 交回, 抄送 and 催办 from the pages: the forms are offered to whoever holds the task,
a refusal comes back beside them, and each action says what it did."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select

from engine import services
from kernel import clock
from kernel.accounts import User
from onestop.bootstrap import Platform
from tests.api.helpers import application
from tests.engine.test_sign_rules import _deploy
from tests.web.test_pages import HTML, browser, csrf_of, log_in


def _said(client: TestClient, response: Response) -> str:
    """The page an action's redirect leads to, with its one-time message."""
    assert response.status_code == 303, response.text
    return client.get(response.headers["location"], headers=HTML).text


def _matter_and_task(platform: Platform) -> tuple[str, str]:
    with platform.ctx.reading() as session:
        applicant = session.scalars(select(User).where(User.username == "applicant")).one().to_actor()
    matter = services.start(platform.ctx, applicant, process_key="demo_cross_department", data=application())
    task = next(t for t in matter["tasks"] if t["department"] == "bianban")
    return str(matter["id"]), str(task["id"])


def test_transfer_and_copy_from_the_task_page(sqlite_platform: Platform) -> None:
    _matter, task = _matter_and_task(sqlite_platform)
    approver = browser(sqlite_platform)
    log_in(approver, "bianban")
    page = approver.get(f"/tasks/{task}", headers=HTML).text
    assert "转办 · 委派 · 加签 · 抄送" in page and 'value="bianban2"' in page
    csrf = csrf_of(page)

    copied = approver.post(f"/tasks/{task}/copy", data={"csrf": csrf, "departments": ["caizheng"]})
    assert "已抄送" in _said(approver, copied)  # back on the task page

    refused = approver.post(f"/tasks/{task}/delegate", data={"csrf": csrf, "to": "zuzhi", "opinion": ""})
    assert refused.status_code == 422 and "请写明委派事项" in refused.text and "<details open>" in refused.text

    moved = approver.post(f"/tasks/{task}/transfer", data={"csrf": csrf, "to": "bianban2", "opinion": "请办理"})
    assert "已转办" in _said(approver, moved)
    colleague = browser(sqlite_platform)
    log_in(colleague, "bianban2")
    assert f"/tasks/{task}" in colleague.get("/inbox", headers=HTML).text
    assert "转办给您" in colleague.get("/notifications", headers=HTML).text


def test_a_delegate_from_another_department_opens_the_task_and_gives_it_back(sqlite_platform: Platform) -> None:
    _matter, task = _matter_and_task(sqlite_platform)
    owner = browser(sqlite_platform)
    log_in(owner, "bianban")
    csrf = csrf_of(owner.get(f"/tasks/{task}", headers=HTML).text)
    asked = owner.post(f"/tasks/{task}/delegate", data={"csrf": csrf, "to": "renshe", "opinion": "请核实社保缴纳情况"})
    assert "已委派" in _said(owner, asked)
    waiting = owner.get(f"/tasks/{task}", headers=HTML).text
    assert "交回后由" in waiting and 'name="decision"' not in waiting  # nobody decides while it is away

    delegate = browser(sqlite_platform)
    log_in(delegate, "renshe")
    page = delegate.get(f"/tasks/{task}", headers=HTML)
    assert page.status_code == 200 and "请核实社保缴纳情况" in page.text and "交回委派人" in page.text
    back = delegate.post(f"/tasks/{task}/resolve", data={"csrf": csrf_of(page.text), "opinion": "已核实，正常缴纳"})
    assert "已办理完毕并交回委派人" in _said(delegate, back)
    again = owner.get(f"/tasks/{task}", headers=HTML).text
    assert 'name="decision"' in again
    assert "已核实，正常缴纳" in owner.get("/notifications", headers=HTML).text


def test_the_applicant_urges_from_the_matter_page_once_in_four_hours(sqlite_platform: Platform) -> None:
    matter, _task = _matter_and_task(sqlite_platform)
    clerk = browser(sqlite_platform)
    log_in(clerk, "applicant")
    page = clerk.get(f"/matters/{matter}", headers=HTML).text
    assert "催办当前环节" in page
    urged = clerk.post(f"/matters/{matter}/urge", data={"csrf": csrf_of(page), "opinion": "急需"})
    assert "已催办" in _said(clerk, urged)
    again = clerk.post(f"/matters/{matter}/urge", data={"csrf": csrf_of(page)})
    assert again.status_code == 429 and "后再催办" in again.text
    approver = browser(sqlite_platform)
    log_in(approver, "bianban")
    assert "急需" in approver.get("/notifications?kind=urge", headers=HTML).text


def test_the_deputy_page_sets_shows_and_cancels(sqlite_platform: Platform, tmp_path: Path) -> None:
    member = browser(sqlite_platform)
    log_in(member, "bianwei1")
    page = member.get("/me/deputy", headers=HTML).text
    assert "尚未设置代理" in page and 'value="bianwei2"' in page and 'value="zuzhi"' not in page
    csrf = csrf_of(page)
    today = clock.today()
    backwards = {
        "csrf": csrf,
        "deputy": "bianwei2",
        "from": (today + timedelta(days=3)).isoformat(),
        "to": today.isoformat(),
    }
    refused = member.post("/me/deputy", data=backwards)
    assert refused.status_code == 422 and "结束日期不能早于开始日期" in refused.text
    away = {
        "csrf": csrf,
        "deputy": "bianwei2",
        "from": today.isoformat(),
        "to": (today + timedelta(days=3)).isoformat(),
    }
    shown = _said(member, member.post("/me/deputy", data=away))
    assert "代理已设置" in shown and "吴秀兰" in shown and "代理中" in shown

    _deploy(sqlite_platform, tmp_path, "deputy_page_vote", "all", completion=False)
    with sqlite_platform.ctx.reading() as session:
        applicant = session.scalars(select(User).where(User.username == "applicant")).one().to_actor()
    services.start(sqlite_platform.ctx, applicant, process_key="deputy_page_vote", data={})
    deputy = browser(sqlite_platform)
    log_in(deputy, "bianwei2")
    assert "代理 周志刚" in deputy.get("/inbox", headers=HTML).text

    cleared = _said(member, member.post("/me/deputy/clear", data={"csrf": csrf}))
    assert "代理已取消" in cleared and "尚未设置代理" in cleared

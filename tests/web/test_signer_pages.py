"""加签 from the pages: the holder adds a signer, the signer reads what was asked and answers with
同意 or 不同意, and the holder sees the answer before deciding."""

from __future__ import annotations

import re

from onestop.bootstrap import Platform
from tests.web.test_handover_pages import _matter_and_task, _said
from tests.web.test_pages import HTML, browser, csrf_of, log_in


def test_add_a_signer_before_and_read_the_answer(sqlite_platform: Platform) -> None:
    _matter, task = _matter_and_task(sqlite_platform)
    holder = browser(sqlite_platform)
    log_in(holder, "bianban")
    page = holder.get(f"/tasks/{task}", headers=HTML).text
    assert "加签：请他人在您之前或之后办理" in page
    csrf = csrf_of(page)
    refused = holder.post(f"/tasks/{task}/add-signers", data={"csrf": csrf, "position": "before", "opinion": "x"})
    assert refused.status_code == 422 and "请选择加签人员" in refused.text
    added = holder.post(
        f"/tasks/{task}/add-signers",
        data={"csrf": csrf, "users": ["zuzhi"], "position": "before", "opinion": "请核实领导职数"},
    )
    waiting = _said(holder, added)
    assert "已加签" in waiting and "待加签人员全部发表意见后再作决定" in waiting
    assert 'name="decision"' not in waiting  # the holder waits

    signer = browser(sqlite_platform)
    log_in(signer, "zuzhi")
    inbox = signer.get("/inbox", headers=HTML).text
    assert "编办审核（加签）" in inbox
    [signer_task] = [
        re.findall(r'href="/tasks/([0-9a-f-]{36})"', row)[0] for row in inbox.split("<tr>") if "前加签</span>" in row
    ]
    own = signer.get(f"/tasks/{signer_task}", headers=HTML).text
    assert "请您前加签：请核实领导职数" in own and "不同意" in own and "转办 · 委派" not in own
    answered = signer.post(
        f"/tasks/{signer_task}", data={"csrf": csrf_of(own), "decision": "reject", "opinion": "职数已满"}
    )
    assert answered.status_code == 303, answered.text

    back = holder.get(f"/tasks/{task}", headers=HTML).text
    assert "不同意——职数已满" in back and 'name="decision"' in back

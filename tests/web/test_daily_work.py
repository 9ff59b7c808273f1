"""The daily work in the pages (issue 15): matters told apart by 受理编号 and title, an inbox that
searches and pages, counts and messages after a return, a correction that carries a file per item
and shows the reviewer what changed, the receipt, and the handling record in plain words."""

from __future__ import annotations

import re
from typing import Any

from engine import services
from onestop.bootstrap import Platform
from tests.api.helpers import PDF_BYTES, application, decide
from tests.conftest import actors_of
from tests.web.test_pages import HTML, _submit, browser, csrf_of, log_in

OTHERS = ("zuzhi", "renshe", "caizheng")


def _start_by_web(client: Any, **changes: str) -> tuple[str, Any]:
    fields = {**{k: str(v) for k, v in application().items()}, **changes}
    done = _submit(
        client, "demo_cross_department", fields, files=[("files", ("申请书.pdf", PDF_BYTES, "application/pdf"))]
    )
    assert done.status_code == 303, done.text[-500:]
    return done.headers["location"], done


def _returned_by_bianban(platform: Platform, api: Any, instance_id: str, opinion: str) -> None:
    bianban = browser(platform)
    log_in(bianban, "bianban")
    task_id = next(
        t["id"] for t in services.inbox(platform.ctx, actors_of(platform)["bianban"]) if t["instance_id"] == instance_id
    )
    page = bianban.get(f"/tasks/{task_id}", headers=HTML).text
    answer = bianban.post(f"/tasks/{task_id}", data={"csrf": csrf_of(page), "decision": "return", "opinion": opinion})
    assert answer.status_code == 303
    for department in OTHERS:
        assert decide(api, instance_id, department, "approve", "同意").status_code == 200


def test_two_matters_of_one_type_are_told_apart_and_found(sqlite_api: Any, sqlite_platform: Platform) -> None:
    applicant = browser(sqlite_platform)
    log_in(applicant, "applicant")
    first_url, _ = _start_by_web(applicant)
    first = services.get(sqlite_platform.ctx, actors_of(sqlite_platform)["admin"], first_url.rsplit("/", 1)[1])
    page = applicant.get(first_url, headers=HTML).text  # the message after submitting names the number, once
    assert f"申请已提交，受理编号 {first['number']}" in page
    assert first["number"] in page and "受理回执" in page and "申请书.pdf" in page  # own submission and files
    assert "申请已提交" not in applicant.get(first_url, headers=HTML).text
    second_url, _ = _start_by_web(applicant)
    second = services.get(sqlite_platform.ctx, actors_of(sqlite_platform)["admin"], second_url.rsplit("/", 1)[1])
    assert second["number"] in applicant.get(second_url, headers=HTML).text

    bianban = browser(sqlite_platform)
    log_in(bianban, "bianban")
    inbox = bianban.get("/inbox", headers=HTML).text
    for matter in (first, second):
        assert matter["number"] in inbox
    assert "示范市数据资源服务中心" in inbox and "编办" in inbox  # applicant unit, step's department
    by_number = bianban.get("/inbox", params={"q": second["number"]}, headers=HTML).text
    assert second["number"] in by_number and first["number"] not in by_number
    assert f'value="{second["number"]}"' in by_number  # the filter stays in the form (and the address)
    by_unit = bianban.get("/inbox", params={"q": "数据资源服务"}, headers=HTML).text
    assert first["number"] in by_unit and second["number"] in by_unit
    nobody = bianban.get("/inbox", params={"q": "不存在的单位"}, headers=HTML).text
    assert "没有符合筛选条件的待办" in nobody

    mine = applicant.get("/matters", params={"q": first["number"]}, headers=HTML).text
    assert first["number"] in mine and second["number"] not in mine


def test_lists_are_paged_with_their_filters_kept(sqlite_platform: Platform) -> None:
    ctx, applicant = sqlite_platform.ctx, actors_of(sqlite_platform)["applicant"]
    for _ in range(23):
        services.start(ctx, applicant, process_key="demo_cross_department", data=application())
    bianban = browser(sqlite_platform)
    log_in(bianban, "bianban")
    first = bianban.get("/inbox", params={"q": "跨部门"}, headers=HTML).text
    assert "第 1 / 2 页，共 23 条" in first and first.count('href="/tasks/') == 20
    following = re.search(r'href="\?([^"]*page=2[^"]*)"', first)
    assert following and "q=" in following.group(1)  # the pager keeps the search
    second = bianban.get(f"/inbox?{following.group(1).replace('&amp;', '&')}", headers=HTML).text
    assert "第 2 / 2 页" in second and second.count('href="/tasks/') == 3
    clerk = browser(sqlite_platform)
    log_in(clerk, "applicant")
    assert "第 1 / 2 页，共 23 条" in clerk.get("/matters", headers=HTML).text
    for odd in ("²", "0", "-1", "9" * 5000, "abc"):  # any other page is the first one, never an error
        answer = clerk.get("/matters", params={"page": odd}, headers=HTML)
        assert answer.status_code == 200 and "第 1 / 2 页" in answer.text


def test_a_return_counts_in_the_header_and_the_message_is_read_once(sqlite_api: Any, sqlite_platform: Platform) -> None:
    applicant = browser(sqlite_platform)
    log_in(applicant, "applicant")
    url, _ = _start_by_web(applicant)
    instance_id = url.rsplit("/", 1)[1]
    home = applicant.get("/", headers=HTML).text
    assert re.search(r'data-count="returned">0<', home)
    _returned_by_bianban(sqlite_platform, sqlite_api, instance_id, "请补充岗位设置方案")
    sqlite_api.run_worker()

    home = applicant.get("/", headers=HTML).text
    assert re.search(r'data-count="returned">1<', home) and re.search(r'data-count="tasks">1<', home)
    messages = applicant.get("/notifications", headers=HTML).text
    note_id = re.search(r'action="/notifications/(\d+)/open"', messages).group(1)  # type: ignore[union-attr]
    assert "需要补正材料后重新提交" in messages and 'class="unread"' in messages
    opened = applicant.post(f"/notifications/{note_id}/open", data={"csrf": csrf_of(messages)})
    assert opened.status_code == 303 and opened.headers["location"] == url
    assert re.search(r'data-count="returned">0<', applicant.get("/", headers=HTML).text)


def test_a_correction_carries_a_file_per_item_and_the_reviewer_sees_what_changed(
    sqlite_api: Any, sqlite_platform: Platform
) -> None:
    applicant = browser(sqlite_platform)
    log_in(applicant, "applicant")
    url, _ = _start_by_web(applicant)
    instance_id = url.rsplit("/", 1)[1]
    _returned_by_bianban(sqlite_platform, sqlite_api, instance_id, "请补充编制测算说明")
    page = applicant.get(url, headers=HTML).text
    correction_url = re.search(r'href="(/tasks/[^"]+)">查看退回意见', page).group(1)  # type: ignore[union-attr]
    form = applicant.get(correction_url, headers=HTML).text
    assert form.count("请补充编制测算说明") == 1 and "<strong>编办</strong>" in form  # each item once, who asked
    assert "申请书.pdf" in form  # the files already given
    given = re.search(r'<option value="([0-9a-f]{64})">替换“申请书.pdf”', form).group(1)  # type: ignore[union-attr]

    fields = {k: str(v) for k, v in application().items()}
    posted = {**fields, "csrf": csrf_of(form), "decision": "submit", "item_replaces_0": given}
    new_file = [("item_files_0", ("编制测算说明.pdf", PDF_BYTES + b"%calc", "application/pdf"))]
    refused = applicant.post(correction_url, data={**posted, "contact_phone": "12"}, files=new_file)
    assert refused.status_code == 422 and "编制测算说明.pdf" in refused.text  # the chosen file survives the error
    kept = re.findall(r'name="keep" value="([0-9a-f]{64})" checked', refused.text)
    assert len(kept) == 1
    done = applicant.post(correction_url, data={**posted, "summary": fields["summary"] + "（补）", "keep": kept[0]})
    assert done.status_code == 303, re.findall(r'class="error"[^>]*>([^<]*)<', done.text)

    bianban = browser(sqlite_platform)
    log_in(bianban, "bianban")
    task_id = next(
        t["id"]
        for t in services.inbox(sqlite_platform.ctx, actors_of(sqlite_platform)["bianban"])
        if t["instance_id"] == instance_id
    )
    review = bianban.get(f"/tasks/{task_id}", headers=HTML).text
    changes = review[review.index("补正后的变化") : review.index("申请材料（一次填报）")]
    assert "（补）" in changes  # the changed field, before and after
    assert "新增" in changes and "编制测算说明.pdf" in changes and "被替换" in changes and "申请书.pdf" in changes
    attachments = services.get(sqlite_platform.ctx, actors_of(sqlite_platform)["admin"], instance_id)["data"][
        "application"
    ]["attachments"]
    assert [a["name"] for a in attachments] == ["编制测算说明.pdf"]
    assert attachments[0]["item"] == "编办：请补充编制测算说明"


def test_a_refused_decision_keeps_its_choice_and_a_stock_opinion_is_taken(sqlite_platform: Platform) -> None:
    services.start(
        sqlite_platform.ctx,
        actors_of(sqlite_platform)["applicant"],
        process_key="demo_cross_department",
        data=application(),
    )
    bianban = browser(sqlite_platform)
    log_in(bianban, "bianban")
    task_url = re.search(r'href="(/tasks/[^"]+)"', bianban.get("/inbox", headers=HTML).text).group(1)  # type: ignore[union-attr]
    page = bianban.get(task_url, headers=HTML).text
    assert "常用意见" in page and "经审核，符合机构编制管理有关规定，同意。" in page
    refused = bianban.post(task_url, data={"csrf": csrf_of(page), "decision": "return", "opinion": ""})
    assert refused.status_code == 422 and re.search(r'value="return" checked', refused.text)
    stock = "请补充提供机构职能配置说明。"
    returned = bianban.post(task_url, data={"csrf": csrf_of(page), "decision": "return", "stock": stock})
    assert returned.status_code == 303
    inbox = bianban.get("/inbox", headers=HTML).text
    assert "已退回申请单位补正" in inbox


def test_the_receipt_and_the_handling_record_read_plainly(sqlite_api: Any, sqlite_platform: Platform) -> None:
    applicant = browser(sqlite_platform)
    log_in(applicant, "applicant")
    url, _ = _start_by_web(applicant)
    instance_id = url.rsplit("/", 1)[1]
    matter = services.get(sqlite_platform.ctx, actors_of(sqlite_platform)["admin"], instance_id)
    receipt = applicant.get(f"{url}/receipt", headers=HTML).text
    assert "受理回执" in receipt and matter["number"] in receipt and "申请书.pdf" in receipt
    assert "承诺办结日期" in receipt and "示范市数据资源服务中心" in receipt and "data-print" in receipt
    assert browser(sqlite_platform).get(f"{url}/receipt", headers=HTML).status_code == 303  # signed in only

    for department in ("bianban", *OTHERS):
        assert decide(sqlite_api, instance_id, department, "approve", "同意。").status_code == 200
    page = applicant.get(url, headers=HTML).text
    assert "同意——同意" not in page
    assert "（组织部）（组织部）" not in page and "（财政局）（财政局）" not in page
    assert "bianban" not in page.split("<main", 1)[1]  # people by name, not by username
    assert "王建国" in page
    assert re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}<", page) and "+00:00" not in page
    assert 'class="steps"' in page and 'class="step done"' in page

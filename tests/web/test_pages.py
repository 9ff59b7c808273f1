"""The web pages over HTTP (no browser): sessions, CSRF, forms from the JSON
Schema with inline errors, the applicant's and the approver's pages."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient

from onestop.bootstrap import Platform, build_app
from onestop.demo import DEMO_PASSWORD

HTML = {"Accept": "text/html"}
STAFF_EXIT = {"name": "陈静", "id_number": "141002196801300102", "reason": "退休", "exit_date": "2026-12-31"}


def browser(platform: Platform) -> TestClient:
    return TestClient(build_app(platform), raise_server_exceptions=False, follow_redirects=False)


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, html[:500]
    return found.group(1)


def log_in(client: TestClient, username: str) -> None:
    form = client.get("/login", headers=HTML)
    response = client.post(
        "/login", data={"username": username, "password": DEMO_PASSWORD, "csrf": csrf_of(form.text), "next": "/"}
    )
    assert response.status_code == 303, response.text


def test_login_needs_the_form_token_and_logout_ends_the_session(sqlite_platform: Platform) -> None:
    client = browser(sqlite_platform)
    assert client.get("/", headers=HTML).headers["location"].startswith("/login")
    assert client.get("/", headers={"Accept": "application/json"}).json()["docs"] == "/docs"  # API index kept
    forged = client.post("/login", data={"username": "applicant", "password": DEMO_PASSWORD, "csrf": "x"})
    assert forged.status_code == 403 and "页面已过期" in forged.text
    form = client.get("/login", headers=HTML)
    wrong = client.post("/login", data={"username": "applicant", "password": "nope", "csrf": csrf_of(form.text)})
    assert wrong.status_code == 401 and "用户名或密码错误" in wrong.text and 'value="applicant"' in wrong.text
    log_in(client, "applicant")
    cookie = client.cookies.get("onestop_session")
    assert cookie
    home = client.get("/", headers=HTML)
    assert home.status_code == 200 and "发起事项" in home.text and "申请单位经办人" in home.text
    assert client.post("/logout", data={"csrf": "wrong"}).status_code == 403  # CSRF on every action
    assert client.post("/logout", data={"csrf": csrf_of(home.text)}).status_code == 303
    stale = TestClient(build_app(sqlite_platform), follow_redirects=False)
    stale.cookies.set("onestop_session", cookie)
    assert stale.get("/", headers=HTML).status_code == 303  # the old cookie no longer works


def _submit(client: TestClient, key: str, fields: dict[str, Any], files: Any = None) -> Any:
    page = client.get(f"/matters/new/{key}", headers=HTML)
    assert page.status_code == 200
    return client.post(f"/matters/new/{key}", data={"csrf": csrf_of(page.text), **fields}, files=files)


def test_a_matter_from_the_form_to_the_approvers(sqlite_platform: Platform) -> None:
    applicant = browser(sqlite_platform)
    log_in(applicant, "applicant")
    form = applicant.get("/matters/new/staff_exit", headers=HTML).text
    assert 'for="f-id_number"' in form and 'id="f-id_number"' in form  # labels tied to inputs
    invalid = _submit(applicant, "staff_exit", {"name": "陈静", "id_number": "110105194912310021", "reason": "退休"})
    assert invalid.status_code == 422
    assert 'class="error" id="e-id_number"' in invalid.text and 'value="陈静"' in invalid.text  # input kept
    done = _submit(
        applicant,
        "staff_exit",
        {**STAFF_EXIT, "doc_no": "示人社〔2026〕88号", "remarks": "达到法定退休年龄。"},
    )
    assert done.status_code == 303, done.text
    matter_url = done.headers["location"]
    assert "办理中" in applicant.get(matter_url, headers=HTML).text

    approver = browser(sqlite_platform)
    log_in(approver, "bianban")
    inbox = approver.get("/inbox", headers=HTML).text
    task_url = re.search(r'href="(/tasks/[^"]+)"', inbox).group(1)  # type: ignore[union-attr]
    task = approver.get(task_url, headers=HTML)
    assert "申请材料" in task.text and "陈静" in task.text
    returned = approver.post(task_url, data={"csrf": csrf_of(task.text), "decision": "reject", "opinion": ""})
    assert returned.status_code == 422 and "必须填写审批意见" in returned.text
    assert (
        approver.post(task_url, data={"csrf": csrf_of(task.text), "decision": "approve", "opinion": "同意"}).status_code
        == 303
    )

    stranger = browser(sqlite_platform)
    log_in(stranger, "zuzhi")
    caizheng_task = re.search(r'href="(/tasks/[^"]+)"', browser_inbox(sqlite_platform, "caizheng")).group(1)  # type: ignore[union-attr]
    forbidden = stranger.get(caizheng_task, headers=HTML)
    assert forbidden.status_code in (403, 404) and ("无权办理" in forbidden.text or "没有找到" in forbidden.text)


def browser_inbox(platform: Platform, username: str) -> str:
    client = browser(platform)
    log_in(client, username)
    return client.get("/inbox", headers=HTML).text


def test_public_verification_pages(sqlite_platform: Platform) -> None:
    client = browser(sqlite_platform)
    assert "上传本平台出具的 PDF 文书" in client.get("/verify", headers=HTML).text
    bad = client.post("/verify", files={"file": ("x.pdf", b"<html>", "application/pdf")})
    assert bad.status_code == 415 and "PDF" in bad.text
    missing = client.get("/verify/not-a-real-code-123", headers=HTML)
    assert missing.status_code == 404 and "没有找到该文书" in missing.text


def test_attachments_upload_with_the_form_and_open_for_the_approver(sqlite_platform: Platform) -> None:
    from tests.api.helpers import PDF_BYTES, application

    applicant = browser(sqlite_platform)
    log_in(applicant, "applicant")
    fields = {k: str(v) for k, v in application().items()}
    wrong_type = _submit(
        applicant, "demo_cross_department", fields, files=[("files", ("说明.html", b"<b>x</b>", "text/html"))]
    )
    assert wrong_type.status_code == 415 and "类型不受支持" in wrong_type.text
    done = _submit(
        applicant, "demo_cross_department", fields, files=[("files", ("申请书.pdf", PDF_BYTES, "application/pdf"))]
    )
    assert done.status_code == 303, done.text
    approver = browser(sqlite_platform)
    log_in(approver, "bianban")
    task_url = re.search(r'href="(/tasks/[^"]+)"', approver.get("/inbox", headers=HTML).text).group(1)  # type: ignore[union-attr]
    task = approver.get(task_url, headers=HTML).text
    link = re.search(r'href="(/matters/[^"]+/attachments/[0-9a-f]{64})"', task).group(1)  # type: ignore[union-attr]
    opened = approver.get(link)
    assert opened.status_code == 200 and opened.content == PDF_BYTES
    assert (
        opened.headers["content-disposition"].startswith("inline")
        and opened.headers["x-content-type-options"] == "nosniff"
    )
    outsider = browser(sqlite_platform)
    log_in(outsider, "archivist")
    assert outsider.get(link).status_code == 404  # not involved in the matter


def test_the_archivist_finds_checks_and_downloads_a_record(sqlite_api: Any, sqlite_platform: Platform) -> None:
    from tests.api.test_matters import drive, start

    assert drive(sqlite_api, start(sqlite_api, "staff_exit"))["status"] == "completed"
    archivist = browser(sqlite_platform)
    log_in(archivist, "archivist")
    assert "检索档案" in archivist.get("/", headers=HTML).text
    found = archivist.get("/archive", params={"q": "核销", "reason": "年度检查"}, headers=HTML)
    assert found.status_code == 200 and "检索结果：1 件" in found.text
    record_url = re.search(r'href="(/archive/records/\d+)"', found.text).group(1)  # type: ignore[union-attr]
    record = archivist.get(record_url, headers=HTML)
    assert "四性检测报告" in record.text and "真实性" in record.text and "出编通知单" in record.text
    checked = archivist.post(f"{record_url}/verify", data={"csrf": csrf_of(record.text), "reason": "抽检"})
    assert checked.status_code == 303
    assert "已重新检测" in archivist.get(checked.headers["location"], headers=HTML).text
    download = archivist.get(f"{record_url}/download")
    assert download.status_code == 200 and download.content.startswith(b"%PDF-")
    # The record names its matter by 受理编号 and leads to the other records of that matter: the dossier,
    # which reads as a page (its signed JSON still downloadable).
    assert re.search(r"受理编号 <span class=\"nowrap\">\d{4}-\d{6}</span>", record.text)
    dossier_url = re.search(r'href="(/archive/records/\d+)">[^<]*（案卷）', record.text).group(1)  # type: ignore[union-attr]
    same = archivist.get(
        "/archive", params={"instance": re.search(r"instance=([0-9a-f-]{36})", found.text).group(1)}, headers=HTML
    )  # type: ignore[union-attr]
    assert "检索结果：2 件" in same.text
    dossier = archivist.get(f"{dossier_url}/dossier", headers=HTML)
    assert dossier.status_code == 200 and "审批意见" in dossier.text and "申请内容" in dossier.text
    assert "办理记录（审计链）" in dossier.text and "下载案卷（JSON，含签名）" in dossier.text
    assert archivist.get(f"{record_url}/dossier", headers=HTML).status_code == 404  # a document is not a dossier
    assert archivist.get(f"{dossier_url}/download").content.startswith(b"{")
    bad_date = archivist.get("/archive", params={"date_from": "2026-13-01"}, headers=HTML)
    assert bad_date.status_code == 422 and "YYYY-MM-DD" in bad_date.text
    approver = browser(sqlite_platform)
    log_in(approver, "bianban")
    assert approver.get("/archive", params={"q": "核销"}, headers=HTML).status_code == 403


def test_the_matter_page_draws_the_progress_diagram(sqlite_platform: Platform) -> None:
    applicant = browser(sqlite_platform)
    log_in(applicant, "applicant")
    done = _submit(
        applicant,
        "staff_exit",
        STAFF_EXIT,
    )
    assert done.status_code == 303, done.text
    matter = applicant.get(done.headers["location"], headers=HTML).text
    svg = matter[matter.index("<svg") : matter.index("</svg>")]
    assert 'aria-label="办理进度图"' in svg
    # The submission is done (green), 编办's review is current (red border) and names its department.
    assert (
        re.search(r'fill="#e3f4e6" stroke="#1d6b2f"[^>]*/>(<text[^>]*>[^<]*</text>)*<text[^>]*>填报', svg)
        or "#1d6b2f" in svg
    )
    assert 'stroke="#b3000c" stroke-width="3"' in svg and ">编办<" in svg
    assert "<title>编办审核出编</title>" in svg and "当前环节" in svg


def test_return_and_correct_round_trip_and_withdraw(sqlite_api: Any, sqlite_platform: Platform) -> None:
    from tests.api.helpers import application, decide

    applicant = browser(sqlite_platform)
    log_in(applicant, "applicant")
    fields = {k: str(v) for k, v in application().items()}
    matter_url = _submit(applicant, "demo_cross_department", fields).headers["location"]
    instance_id = matter_url.rsplit("/", 1)[1]
    bianban = browser(sqlite_platform)
    log_in(bianban, "bianban")
    task_url = re.search(r'href="(/tasks/[^"]+)"', bianban.get("/inbox", headers=HTML).text).group(1)  # type: ignore[union-attr]
    task = bianban.get(task_url, headers=HTML).text
    returned = bianban.post(
        task_url, data={"csrf": csrf_of(task), "decision": "return", "opinion": "请补充编制测算说明"}
    )
    assert returned.status_code == 303
    for department in ("zuzhi", "renshe", "caizheng"):
        assert decide(sqlite_api, instance_id, department, "approve", "同意").status_code == 200

    page = applicant.get(matter_url, headers=HTML).text
    assert "退回补正" in page and "撤回申请" not in page  # a department has decided: no withdrawing now
    correction_url = re.search(r'href="(/tasks/[^"]+)">查看退回意见', page).group(1)  # type: ignore[union-attr]
    correction = applicant.get(correction_url, headers=HTML).text
    assert "请补充编制测算说明" in correction and f'value="{fields["unit_name"]}"' in correction  # prefilled
    resubmit = {
        **fields,
        "summary": fields["summary"] + "（已补充编制测算说明）",
        "decision": "submit",
        "csrf": csrf_of(correction),
    }
    invalid = applicant.post(correction_url, data={**resubmit, "contact_phone": "12"})
    assert (
        invalid.status_code == 422 and 'id="e-contact_phone"' in invalid.text and "已补充编制测算说明" in invalid.text
    )
    assert applicant.post(correction_url, data=resubmit).status_code == 303
    assert "办理中" in applicant.get(matter_url, headers=HTML).text

    second = _submit(applicant, "demo_cross_department", fields).headers["location"]
    page = applicant.get(second, headers=HTML).text
    assert "撤回申请" in page
    withdrawn = applicant.post(f"{second}/withdraw", data={"csrf": csrf_of(page), "reason": "材料需重新准备"})
    assert withdrawn.status_code == 303 and "已撤回" in applicant.get(second, headers=HTML).text


def test_admin_pages_processes_incidents_and_dashboard(sqlite_platform: Platform) -> None:
    from engine.models import Instance
    from kernel.records import Incident

    admin = browser(sqlite_platform)
    log_in(admin, "admin")
    applicant = browser(sqlite_platform)
    log_in(applicant, "applicant")
    started = _submit(
        applicant,
        "staff_exit",
        STAFF_EXIT,
    )
    instance_id = started.headers["location"].rsplit("/", 1)[1]
    with sqlite_platform.ctx.transaction() as db:
        db.add(
            Incident(instance_id=instance_id, source="outbox", error_type="ConnectionError", message="时间戳服务不可用")
        )
    home = admin.get("/admin", headers=HTML)
    assert home.status_code == 200 and "时间戳服务不可用" in home.text and "出编" in home.text
    incident_id = re.search(r'action="/admin/incidents/(\d+)/retry"', home.text).group(1)  # type: ignore[union-attr]
    retried = admin.post(f"/admin/incidents/{incident_id}/retry", data={"csrf": csrf_of(home.text)})
    assert retried.status_code == 409 and "不能通过重试处理" in retried.text  # no failed side effect to requeue
    filtered = admin.get("/admin", params={"status": "completed"}, headers=HTML).text
    assert filtered.count(f"/matters/{instance_id}") == 1  # only the incident's link: the matter is not completed
    process = admin.get("/admin/processes/staff_exit", headers=HTML).text
    assert "<svg" in process and "编办审核出编" in process
    dashboard = admin.get("/admin/dashboard", headers=HTML).text
    assert dashboard.count("<svg") == 6 and "编制使用率" in dashboard and "到龄退休" in dashboard
    assert "各类事项（近一年发起，按办理状态）" in dashboard and "出编" in dashboard  # by matter kind
    assert "按单位、编制类型" in dashboard and "事业编制（全额拨款）" in dashboard  # saturation by unit and type
    assert "示范市数据资源服务中心" in dashboard  # a demo unit's saturation row
    assert applicant.get("/admin", headers=HTML).status_code == 403
    with sqlite_platform.ctx.reading() as db:
        assert db.get(Instance, instance_id) is not None


def test_pages_show_china_time_at_the_day_boundary(sqlite_platform: Platform) -> None:
    """A matter submitted at 23:30 UTC is a next-morning matter in China: every page says 07:30 of that day."""
    import time_machine

    from engine import services
    from tests.conftest import actors_of
    from tests.engine.helpers import DEMO, application

    actors = actors_of(sqlite_platform)
    with time_machine.travel(datetime(2026, 12, 3, 23, 30, tzinfo=UTC), tick=False):
        matter = services.start(sqlite_platform.ctx, actors["applicant"], process_key=DEMO, data=application())
    applicant = browser(sqlite_platform)
    log_in(applicant, "applicant")
    page = applicant.get(f"/matters/{matter['id']}", headers=HTML).text
    listing = applicant.get("/matters", headers=HTML).text
    for shown in (page, listing):
        assert "2026-12-04 07:30" in shown
        assert "2026-12-03 23:30" not in shown and "T23:30" not in shown and "+00:00" not in shown
    assert "2026-12-11 前" in page  # 5 working days from Friday 4 December (China), not from Thursday
    assert "2026-12-11" in browser_inbox(sqlite_platform, "bianban")


def test_a_refused_web_submission_keeps_its_files_in_a_draft_for_the_next_try(sqlite_platform: Platform) -> None:
    from tests.api.helpers import PDF_BYTES
    from tests.api.test_uploads import stored_files

    applicant = browser(sqlite_platform)
    log_in(applicant, "applicant")
    files = [("files", ("任免文件.pdf", PDF_BYTES + b"%web", "application/pdf"))]
    refused = _submit(applicant, "staff_exit", {"name": "陈静", "id_number": "110105194912310021"}, files=files)
    assert refused.status_code == 422, refused.status_code
    kept = re.findall(r'name="keep" value="([0-9a-f]{64})" checked', refused.text)
    assert len(kept) == 1 and "任免文件.pdf" in refused.text and "已保存为草稿" in refused.text
    assert len(stored_files(sqlite_platform)) == 1  # kept for the draft, not thrown away

    form = applicant.get("/matters/new/staff_exit", headers=HTML).text  # resumed: the draft's file is offered
    assert f'name="keep" value="{kept[0]}" checked' in form and 'value="陈静"' in form
    fixed = {**STAFF_EXIT, "doc_no": "示人社〔2026〕89号", "keep": kept[0]}
    done = applicant.post("/matters/new/staff_exit", data={"csrf": csrf_of(form), **fixed})
    assert done.status_code == 303, done.text[-800:]
    matter = applicant.get(done.headers["location"], headers=HTML).text
    assert "任免文件.pdf" in matter  # the file chosen before the error went with the submission
    assert 'name="keep"' not in applicant.get("/matters/new/staff_exit", headers=HTML).text  # the draft is gone


def test_a_forged_draft_file_is_refused(sqlite_platform: Platform) -> None:
    applicant = browser(sqlite_platform)
    log_in(applicant, "applicant")
    form = applicant.get("/matters/new/staff_exit", headers=HTML).text
    forged = applicant.post("/matters/new/staff_exit", data={"csrf": csrf_of(form), **STAFF_EXIT, "keep": "a" * 64})
    assert forged.status_code == 422 and "只能保留本人草稿中的文件" in forged.text


def test_a_unit_that_may_not_start_is_told_before_it_fills_in_a_form(sqlite_platform: Platform) -> None:
    client = browser(sqlite_platform)
    log_in(client, "applicant_frozen")
    form = client.get("/matters/new/staff_exit", headers=HTML)
    assert form.status_code == 409 and "冻结" in form.text and 'name="id_number"' not in form.text
    log_in(client, "applicant")
    assert client.get("/matters/new/staff_exit", headers=HTML).status_code == 200


def test_coded_choices_read_in_chinese_on_the_form_and_the_matter(sqlite_platform: Platform) -> None:
    client = browser(sqlite_platform)
    log_in(client, "applicant")
    form = client.get("/matters/new/credit_code", headers=HTML).text
    options = re.findall(r'<option value="(new|change|cancel)"[^>]*>([^<]+)</option>', form)
    assert options == [("new", "赋码"), ("change", "变更"), ("cancel", "注销")]
    started = client.get("/matters/new/domain_name?example=1", headers=HTML).text
    assert '<option value="register" selected>注册</option>' in started

    from engine import services
    from processes import catalogue as matters
    from tests.conftest import actors_of
    from tests.engine.helpers import open_task

    form_spec = matters.load().forms().get("domain_name_application")
    assert form_spec is not None
    actors = actors_of(sqlite_platform)
    iid = services.start(
        sqlite_platform.ctx, actors["applicant"], process_key="domain_name", data=form_spec.schema["examples"][0]
    )["id"]
    task = open_task(sqlite_platform.ctx, actors["bianban"], str(iid))
    log_in(client, "bianban")
    page = client.get(f"/tasks/{task['id']}", headers=HTML).text
    assert "<dd>注册</dd>" in page and "<dd>register</dd>" not in page


def test_computed_results_carry_the_labels_their_matter_gives_them(sqlite_platform: Platform) -> None:
    from engine import services
    from processes import catalogue as matters
    from tests.conftest import actors_of
    from tests.engine.helpers import open_task

    form = matters.load().forms().get("staff_entry_application")
    assert form is not None
    actors = actors_of(sqlite_platform)
    iid = services.start(
        sqlite_platform.ctx, actors["applicant"], process_key="staff_entry", data=form.schema["examples"][0]
    )["id"]
    task = open_task(sqlite_platform.ctx, actors["bianban"], str(iid))
    client = browser(sqlite_platform)
    log_in(client, "bianban")
    page = client.get(f"/tasks/{task['id']}", headers=HTML).text
    assert "<dt>空缺编制核查</dt>" in page and "<dt>vacancy</dt>" not in page


def test_a_refused_return_stays_a_return(sqlite_platform: Platform) -> None:
    """退回补正 without an opinion is refused; the form comes back with 退回补正 still chosen,
    so the next click cannot approve by accident."""
    from engine import services
    from tests.conftest import actors_of
    from tests.engine.helpers import open_task

    actors = actors_of(sqlite_platform)
    iid = services.start(sqlite_platform.ctx, actors["applicant"], process_key="staff_exit", data=STAFF_EXIT)["id"]
    task = open_task(sqlite_platform.ctx, actors["bianban"], str(iid))
    client = browser(sqlite_platform)
    log_in(client, "bianban")
    form = client.get(f"/tasks/{task['id']}", headers=HTML).text
    assert 'value="approve" checked' in form
    refused = client.post(
        f"/tasks/{task['id']}", data={"csrf": csrf_of(form), "decision": "return", "opinion": ""}, headers=HTML
    )
    assert refused.status_code == 422 and "必须填写审批意见" in refused.text
    assert 'value="return" checked' in refused.text and 'value="approve" checked' not in refused.text

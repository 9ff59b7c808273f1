"""编办 records another authority's 批复 by attaching its scan to the decision; the
register shows the change with its basis."""

from __future__ import annotations

from engine import services
from onestop.bootstrap import Platform
from tests.api.helpers import PDF_BYTES
from tests.conftest import actors_of
from tests.web.test_pages import HTML, browser, csrf_of, log_in

RENAMED = "示范市数据资源管理服务中心"


def test_a_rename_on_an_external_approval_with_its_scan_through_the_pages(sqlite_platform: Platform) -> None:
    ctx, actors = sqlite_platform.ctx, actors_of(sqlite_platform)
    data = {
        "action": "change",
        "approval_doc_no": "晋编〔2026〕3号",
        "new_name": RENAMED,
        "contact_person": "王晓明",
        "contact_phone": "13800138000",
    }
    iid = services.start(ctx, actors["applicant"], process_key="credit_code", data=data)["id"]
    task_id = services.get(ctx, actors["admin"], iid)["tasks"][0]["id"]
    bianban = browser(sqlite_platform)
    log_in(bianban, "bianban")
    page = bianban.get(f"/tasks/{task_id}", headers=HTML)
    assert 'enctype="multipart/form-data"' in page.text and "外部批复扫描件" in page.text
    decided = bianban.post(
        f"/tasks/{task_id}",
        data={"csrf": csrf_of(page.text), "decision": "approve", "opinion": "同意"},
        files=[("files", ("晋编〔2026〕3号.pdf", PDF_BYTES, "application/pdf"))],
    )
    assert decided.status_code == 303, decided.text
    admin = browser(sqlite_platform)
    log_in(admin, "admin")
    unit = admin.get("/admin/units/demo-unit-001", headers=HTML).text
    assert RENAMED in unit and "名称变更" in unit
    assert "晋编〔2026〕3号（外部批复，扫描件：晋编〔2026〕3号.pdf）" in unit

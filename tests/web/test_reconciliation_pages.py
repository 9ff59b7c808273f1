"""The pages of 人编经费比对: 财政 imports its list through the page (a wrong line refuses it with
the line named), 编办 compares and sends the findings to the units, the run's page lists the
units, a unit's page shows its figures and findings (ID numbers masked for 财政), and 编办 puts the
unit on the negative list only with a 文号; a unit's clerk reads only their own unit."""

from __future__ import annotations

import re

from onestop.bootstrap import Platform
from tests.api.test_reconciliation import PERIOD, csv_file, payroll_rows, roster
from tests.web.test_pages import HTML, browser, csrf_of, log_in


def _imported(platform: Platform) -> None:
    finance = browser(platform)
    log_in(finance, "caizheng")
    page = finance.get("/reconciliation", headers=HTML)
    assert page.status_code == 200 and "财政工资统发名单" in page.text and '/reconciliation/runs"' not in page.text
    bad = csv_file([*roster(platform)[:1], ("某人", "123", "示范市档案馆")])
    files = {"file": ("11月工资.csv", bad, "text/csv")}
    refused = finance.post(
        "/reconciliation/lists", data={"csrf": csrf_of(page.text), "source": "payroll", "period": PERIOD}, files=files
    )
    assert refused.status_code == 422 and "第3行" in refused.text and "不是有效的公民身份号码" in refused.text
    files = {"file": ("11月工资.csv", csv_file(payroll_rows(platform)), "text/csv")}
    done = finance.post(
        "/reconciliation/lists", data={"csrf": csrf_of(page.text), "source": "payroll", "period": PERIOD}, files=files
    )
    assert done.status_code == 200 and "已导入财政工资统发名单（2026-11）" in done.text


def test_a_comparison_from_import_to_the_negative_list(sqlite_platform: Platform) -> None:
    _imported(sqlite_platform)
    office = browser(sqlite_platform)
    log_in(office, "bianban2")
    page = office.get("/reconciliation", headers=HTML).text
    assert "人编比对" in page and "发起比对" in page
    ran = office.post("/reconciliation/runs", data={"csrf": csrf_of(page), "period": PERIOD})
    assert ran.status_code == 303
    run_url = ran.headers["location"].split("?")[0]
    run_page = office.get(ran.headers["location"], headers=HTML).text
    assert "比对完成" in run_page and "示范市档案馆" in run_page and "超编发放" in run_page
    sent = office.post(f"{run_url}/rectifications", data={"csrf": csrf_of(run_page)})
    assert sent.status_code == 303 and sent.headers["location"].endswith("opened=4")
    unit_url = f"{run_url}/units/demo-unit-003"
    unit_page = office.get(unit_url, headers=HTML).text
    assert "财政统发：<strong>5</strong>" in unit_page and "整改中" in unit_page and "整改事项" in unit_page
    no_number = office.post(
        f"{unit_url}/negative-list",
        data={"csrf": csrf_of(unit_page), "action": "freeze", "doc_no": "", "reason": "超编"},
    )
    assert no_number.status_code == 422 and "请填写依据文件的文号" in no_number.text
    frozen = office.post(
        f"{unit_url}/negative-list",
        data={"csrf": csrf_of(unit_page), "action": "freeze", "doc_no": "示编〔2026〕7号", "reason": "超编发放"},
    )
    assert frozen.status_code == 303
    assert "已列入负面清单（冻结）" in office.get(unit_url, headers=HTML).text

    finance = browser(sqlite_platform)
    log_in(finance, "caizheng")
    seen = finance.get(unit_url, headers=HTML).text
    wang = next(i for n, i, _ in roster(sqlite_platform) if n == "王芳")
    assert "王芳" in seen and wang not in seen and f"{wang[:6]}********{wang[-4:]}" in seen
    assert "列入负面清单（冻结）</button>" not in seen and "移出负面清单" not in seen

    clerk = browser(sqlite_platform)
    log_in(clerk, "clerk003")
    assert clerk.get(unit_url, headers=HTML).status_code == 200
    assert clerk.get(f"{run_url}/units/demo-unit-001", headers=HTML).status_code == 404
    home = clerk.get("/", headers=HTML).text
    assert "人编经费比对整改：超编发放" in home and "被退回补正" not in home
    task = re.search(r'href="(/tasks/[^"]+)"[^>]*>[^<]*超编发放', home) or re.search(r'href="(/tasks/[^"]+)"', home)
    assert task is not None
    step = clerk.get(task.group(1), headers=HTML).text
    assert "办理：人编经费比对整改" in step and "下达的事项" in step and "比对发现" in step
    assert "需要补正的事项" not in step and "重新提交" not in step
    admin = browser(sqlite_platform)
    log_in(admin, "admin")
    board = admin.get("/admin/dashboard", headers=HTML).text
    assert "人编经费比对与负面清单" in board and "发现问题 4 个，已整改销号 0 个" in board
    assert "示范市档案馆（示编〔2026〕7号）" in board

"""流程版本迁移 and ★ 案卷回放 in Chromium, on a desktop (1280 px) and a phone (390 px): a changed
新设机构 process is deployed beside the running demo; the administrator previews and migrates the
running matters, then steps through a matter's history on its diagram.
Screenshots go to tests/e2e/screenshots/ (46-* to 48-*)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from onestop.cli import main
from tests.api.test_versions import _with_a_leader_step
from tests.e2e.support import CHROMIUM, login, shot
from tests.e2e.test_daily_work import _submit_institution
from tests.e2e.test_handover import _no_sideways_scroll

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Chromium is not installed (apt-get install chromium)"),
]


def _deploy_changed(server_data: Path, title: str) -> None:
    """A changed 新设机构 (one more step, named ``title``) deployed into the demo server's database."""
    changed = server_data / "institution_setup.bpmn"
    changed.write_text(_with_a_leader_step(title), encoding="utf-8")
    assert main(["deploy", str(changed), "--data-dir", str(server_data)]) == 0


@pytest.mark.parametrize("width", [1280, 390])
def test_migrate_then_replay(server: str, server_data: Path, browser: Any, width: int) -> None:
    applicant = login(browser, server, "applicant", width)
    matter_url, number = _submit_institution(applicant, server, f"示范市迁移{width}中心")
    _deploy_changed(server_data, f"编办分管领导审核{width}")  # the matter runs on the version before

    admin = login(browser, server, "admin", width)
    admin.goto(f"{server}/admin/processes/institution_setup")
    table = admin.locator("section", has_text="版本与运行中的事项")
    assert "最新" in table.inner_text()
    shot(admin, f"46-process-versions-{width}")
    _no_sideways_scroll(admin)
    admin.locator("a", has_text="预览迁移到").first.click()
    admin.wait_for_url(re.compile(r".*/migration\?from_version=\d+"))
    row = admin.locator("table.migration tr", has_text=number)
    assert "可以迁移" in row.inner_text() and "编办审核" in row.inner_text()
    shot(admin, f"47-migration-preview-{width}")
    _no_sideways_scroll(admin)
    admin.locator("button", has_text="迁移所选事项到").click()
    admin.locator(".flash", has_text="已迁移").wait_for()

    admin.goto(matter_url)
    admin.get_by_role("link", name="案卷回放").click()
    admin.wait_for_url(re.compile(r".*/replay.*"))
    assert "第 1 /" in admin.locator(".replay-position").inner_text()
    admin.get_by_role("link", name="下一条").click()
    admin.wait_for_url(re.compile(r".*frame=1"))
    assert "提交申请" in admin.locator("section.replay-event").inner_text()
    assert admin.locator("svg").count() >= 1
    shot(admin, f"48-replay-{width}")
    _no_sideways_scroll(admin)
    assert number in admin.locator("main").inner_text()

"""★ 案卷回放 from the pages: an administrator steps through a matter's history on its diagram;
whoever may not replay it is refused."""

from __future__ import annotations

from engine import services
from onestop.bootstrap import Platform
from tests.conftest import actors_of
from tests.web.test_handover_pages import _matter_and_task
from tests.web.test_pages import HTML, browser, log_in


def test_step_through_a_matter_on_its_diagram(sqlite_platform: Platform) -> None:
    matter, task = _matter_and_task(sqlite_platform)
    services.complete(
        sqlite_platform.ctx, actors_of(sqlite_platform)["bianban"], task, decision="approve", opinion="同意。"
    )
    admin = browser(sqlite_platform)
    log_in(admin, "admin")
    assert f'href="/matters/{matter}/replay"' in admin.get(f"/matters/{matter}", headers=HTML).text
    first = admin.get(f"/matters/{matter}/replay", headers=HTML).text
    assert "案卷回放" in first and "第 1 / 3 条" in first and 'rel="next"' in first and "<svg" in first
    last = admin.get(f"/matters/{matter}/replay?frame=99", headers=HTML).text  # past the end: the last one
    assert (
        "第 3 / 3 条" in last
        and "结论与意见</dt><dd>同意</dd>" in last
        and 'rel="prev"' in last
        and 'aria-current="step"' in last
    )
    clerk = browser(sqlite_platform)
    log_in(clerk, "bianban")
    refused = clerk.get(f"/matters/{matter}/replay", headers=HTML)
    assert refused.status_code == 403 and "案卷回放仅供管理员和档案管理人员查阅" in refused.text

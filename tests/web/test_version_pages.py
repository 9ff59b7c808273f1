"""流程版本与迁移 from the administrator's pages: the versions with their running matters, the
preview of a migration, and the migration itself."""

from __future__ import annotations

from pathlib import Path

from engine import services
from onestop.bootstrap import Platform
from tests.api.test_versions import _with_a_leader_step
from tests.conftest import actors_of
from tests.engine.test_timers import _institution
from tests.web.test_pages import HTML, browser, csrf_of, log_in


def test_preview_and_migrate_a_running_matter(sqlite_platform: Platform, tmp_path: Path) -> None:
    actors = actors_of(sqlite_platform)
    ctx = sqlite_platform.ctx
    started = services.start(
        ctx, actors["applicant"], process_key="institution_setup", data=_institution(sqlite_platform)
    )
    changed = tmp_path / "institution_setup.bpmn"
    changed.write_text(_with_a_leader_step(), encoding="utf-8")
    services.deploy(ctx, actors["admin"], changed)

    admin = browser(sqlite_platform)
    log_in(admin, "admin")
    versions = admin.get("/admin/processes/institution_setup", headers=HTML).text
    assert "版本与运行中的事项" in versions and "预览迁移到 v2" in versions
    preview = admin.get("/admin/processes/institution_setup/migration?from_version=1", headers=HTML).text
    assert started["number"] in preview and "编办分管领导审核" in preview and "可以迁移" in preview
    done = admin.post(
        "/admin/processes/institution_setup/migration",
        data={"csrf": csrf_of(preview), "from_version": "1", "instance_ids": [started["id"]]},
    )
    assert done.status_code == 200 and "已迁移 1 件" in done.text and "v1 上已没有运行中的事项" in done.text
    assert services.get(ctx, actors["admin"], started["id"])["version"] == 2

    clerk = browser(sqlite_platform)
    log_in(clerk, "bianban")
    assert clerk.get("/admin/processes/institution_setup", headers=HTML).status_code == 403

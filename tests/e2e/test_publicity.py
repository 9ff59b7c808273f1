"""The public notice board (公示栏) as anyone sees it, without signing in."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, insert, select
from sqlalchemy.orm import Session

from engine.models import Instance
from kernel import clock
from registry.models import Publication
from tests.e2e.support import CHROMIUM, says, shot

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Chromium is not installed (apt-get install chromium)"),
]


def _publish_one(data: Path) -> None:
    """A notice as an approved annual report leaves it (the demo runs outside the reporting season)."""
    engine = create_engine(f"sqlite:///{data / 'onestop.sqlite3'}")
    with Session(engine) as session, session.begin():
        instance_id = session.scalars(select(Instance.id).limit(1)).one()
        session.execute(
            insert(Publication).values(
                instance_id=instance_id,
                process_key="annual_report",
                unit_code="demo-unit-001",
                unit_name="示范市数据资源服务中心",
                title="示范市数据资源服务中心2026年度报告",
                facts=[
                    ["统一社会信用代码", "12141002MB1234562N"],
                    ["法定代表人", "李明"],
                    ["开办资金", "50万元"],
                    ["净资产合计", "年初326.4万元，年末351.2万元"],
                    ["开展业务活动情况", "完成全市政务数据归集共享平台运行维护，新增共享数据目录120项。"],
                ],
                published_on=clock.today(),  # the business date, China time
                until=None,
            )
        )
    engine.dispose()


def test_anyone_reads_the_board_and_a_notice(server: str, server_data: Path, browser: Any) -> None:
    _publish_one(server_data)
    page = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 768}).new_page()
    page.goto(f"{server}/")
    page.wait_for_url(re.compile(r".*/login.*"))  # nobody is signed in
    page.get_by_role("link", name="公示栏").click()
    page.get_by_label("单位名称或标题").fill("数据资源")
    page.get_by_role("button", name="查询").click()
    shot(page, "30-publicity-board")
    page.get_by_role("link", name="示范市数据资源服务中心2026年度报告").click()
    assert says(page, "开办资金", "长期公示")
    shot(page, "31-publicity-notice")
    phone = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}).new_page()
    phone.goto(page.url)
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(phone, "32-publicity-notice-phone")

"""The public notice board: what is on show today, searched and paged, read by anyone."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import insert

from kernel import clock
from onestop.bootstrap import Platform, build_app
from registry.models import Publication
from registry.publicity import PAGE_SIZE
from tests.api.helpers import start


def _publish(platform: Platform, instance_id: str, title: str, days_left: int | None) -> int:
    today = clock.today()
    with platform.ctx.transaction() as session:
        return int(
            session.execute(
                insert(Publication)
                .values(
                    instance_id=instance_id,
                    process_key="demo",
                    unit_code="demo-unit-001",
                    unit_name="示范市数据资源服务中心",
                    title=title,
                    facts=[["事项", title]],
                    published_on=today - timedelta(days=10),
                    until=None if days_left is None else today + timedelta(days=days_left),
                )
                .returning(Publication.id)
            ).scalar_one()
        )


def test_a_notice_past_its_time_is_no_longer_public(sqlite_platform: Platform, sqlite_api: object) -> None:
    ids = [str(start(sqlite_api)["id"]) for _ in range(3)]
    kept = _publish(sqlite_platform, ids[0], "长期公示的事项", None)
    last_day = _publish(sqlite_platform, ids[1], "今天期满的事项", 0)
    over = _publish(sqlite_platform, ids[2], "昨天期满的事项", -1)
    anyone = TestClient(build_app(sqlite_platform), raise_server_exceptions=False)
    board = anyone.get("/gongshi").text
    assert "长期公示的事项" in board and "今天期满的事项" in board and "昨天期满的事项" not in board
    assert anyone.get(f"/gongshi/{kept}").status_code == 200
    assert anyone.get(f"/gongshi/{last_day}").status_code == 200
    gone = anyone.get(f"/gongshi/{over}")
    assert gone.status_code == 404 and "公示期已满" in gone.text
    # A search for a wildcard finds it literally.
    assert "没有与“100%”相符的公示" in anyone.get("/gongshi", params={"q": "100%"}).text


def test_the_board_is_paged(sqlite_platform: Platform, sqlite_api: object) -> None:
    for n in range(PAGE_SIZE + 1):  # one notice per matter
        _publish(sqlite_platform, str(start(sqlite_api)["id"]), f"第{n}号公示", None)
    anyone = TestClient(build_app(sqlite_platform), raise_server_exceptions=False)
    page_one, page_two = anyone.get("/gongshi").text, anyone.get("/gongshi?page=2").text
    assert "第 1 / 2 页" in page_one and "第 2 / 2 页" in page_two
    assert page_one.count('href="/gongshi/') + page_two.count('href="/gongshi/') == PAGE_SIZE + 1
    assert anyone.get("/gongshi?page=0").status_code == 404  # a page address out of bounds

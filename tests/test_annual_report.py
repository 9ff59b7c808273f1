"""事业单位法人年度报告, the matter added as one folder: its season, who may
report and how often, 编办's review, the 公示 and the archive."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from sqlalchemy import select

from archive.models import ArchiveRecord
from engine import services
from engine.models import Instance
from kernel.errors import Conflict, ValidationFailed
from onestop.bootstrap import Platform
from processes import catalogue as matters
from registry.models import Publication
from tests.api.helpers import assert_error
from tests.conftest import Api, actors_of
from tests.engine.helpers import add_clerk, decide, issue_documents

KEY = "annual_report"
IN_SEASON = datetime(2027, 2, 1, 2, 0, tzinfo=UTC)  # 2027-02-01 10:00 China time: reports on 2026


def report(**changes: Any) -> dict[str, Any]:
    form = matters.load().forms().get("annual_report_application")
    assert form is not None
    return {**form.schema["examples"][0], "year": 2026, **changes}


@pytest.fixture
def in_season() -> Iterator[None]:
    with time_machine.travel(IN_SEASON, tick=True):
        yield


def start(platform: Platform, data: dict[str, Any], user: str = "applicant") -> str:
    actor = actors_of(platform)[user]
    return str(services.start(platform.ctx, actor, process_key=KEY, data=data)["id"])


def test_outside_the_season_the_start_is_refused_with_the_dates(sqlite_api: Api) -> None:
    with time_machine.travel(datetime(2026, 12, 3, 4, 0, tzinfo=UTC), tick=True):
        refused = sqlite_api.post(
            "/api/v1/instances", "applicant", json={"process_key": KEY, "data": report(year=2025)}
        )
    body = assert_error(refused, 409, "outside_season")
    assert body["details"] == {"opens": "2027-01-01", "closes": "2027-03-31", "today": "2026-12-03"}
    assert "每年1月1日至3月31日" in body["message"] and "2027年1月1日至2027年3月31日" in body["message"]
    with sqlite_api.platform.ctx.reading() as session:
        assert session.scalars(select(Instance.id)).all() == []  # nothing stored


def test_the_season_ends_with_31_march_china_time(sqlite_platform: Platform) -> None:
    april_first = datetime(2027, 3, 31, 16, 30, tzinfo=UTC)  # 00:30 on 1 April in China
    with time_machine.travel(april_first, tick=True), pytest.raises(Conflict) as late:
        start(sqlite_platform, report())
    assert late.value.code == "outside_season" and late.value.details["opens"] == "2028-01-01"
    with time_machine.travel(datetime(2027, 3, 31, 15, 0, tzinfo=UTC), tick=True):  # 23:00 on 31 March
        assert start(sqlite_platform, report())


def test_reviewed_published_and_archived(platform: Platform, in_season: None) -> None:
    ctx, actors = platform.ctx, actors_of(platform)
    iid = start(platform, report())
    detail = services.get(ctx, actors["applicant"], iid)
    assert detail["title"] == "2026年度报告"
    assert decide(ctx, actors["bianban"], iid)["status"] == "completed"
    with ctx.reading() as session:
        instance = session.get(Instance, iid)
        assert instance is not None and instance.outcome == "办结"
        publication = session.scalars(select(Publication).where(Publication.instance_id == iid)).one()
        assert publication.title == "示范市数据资源服务中心2026年度报告"
        assert ["开办资金", "50万元"] in publication.facts and publication.until is None
        assert publication.published_on.isoformat() == "2027-02-01"
    assert issue_documents(platform, iid) == "completed"  # the worker's pass archives the dossier
    with ctx.reading() as session:
        record = session.scalars(select(ArchiveRecord).where(ArchiveRecord.instance_id == iid)).one()
        assert "-NDBG-" in record.archival_code and record.retention_class == "30年"


def test_returned_for_correction_then_published(platform: Platform, in_season: None) -> None:
    ctx, actors = platform.ctx, actors_of(platform)
    iid = start(platform, report(activities="开展了日常业务工作，情况良好，无其他需要说明的事项。"))
    assert decide(ctx, actors["bianban"], iid, "return", "请写明主要业务活动及成效")["status"] == "returned"
    decide(ctx, actors["applicant"], iid, data=report())
    assert decide(ctx, actors["bianban"], iid)["status"] == "completed"
    with ctx.reading() as session:
        facts = session.scalars(select(Publication.facts).where(Publication.instance_id == iid)).one()
    assert ["开展业务活动情况", report()["activities"]] in facts


def test_the_report_is_on_the_year_before(platform: Platform, in_season: None) -> None:
    with pytest.raises(ValidationFailed) as wrong:
        start(platform, report(year=2025))
    assert wrong.value.details == [
        {"path": "/year", "field": "报告年度", "code": "register", "message": "应报送2026年度的报告"}
    ]


def test_only_a_registered_institution_reports(platform: Platform, in_season: None) -> None:
    add_clerk(platform, "bureau_clerk", "demo-unit-002")  # 示范市行政审批服务管理局, an organ of government
    with pytest.raises(Conflict) as refused:
        start(platform, report(), user="bureau_clerk")
    assert refused.value.code == "not_a_registered_institution"


def test_one_report_a_year_unless_the_first_was_not_accepted(platform: Platform, in_season: None) -> None:
    ctx, actors = platform.ctx, actors_of(platform)
    first = start(platform, report())
    with pytest.raises(Conflict) as twice:
        start(platform, report())
    assert twice.value.code == "annual_report_exists" and twice.value.details == {"instance_id": first}
    assert decide(ctx, actors["bianban"], first, "reject", "财务数据与审计报告不符")["status"] == "rejected"
    second = start(platform, report())
    assert decide(ctx, actors["bianban"], second)["status"] == "completed"


def test_the_board_shows_it_to_anyone(sqlite_platform: Platform, sqlite_api: Api, in_season: None) -> None:
    iid = start(sqlite_platform, report())
    decide(sqlite_platform.ctx, actors_of(sqlite_platform)["bianban"], iid)
    board = sqlite_api.client.get("/gongshi?q=数据资源")  # nobody signed in
    assert board.status_code == 200 and "示范市数据资源服务中心2026年度报告" in board.text
    assert "没有与“无此单位”相符的公示" in sqlite_api.client.get("/gongshi?q=无此单位").text
    with sqlite_platform.ctx.reading() as session:
        publication_id = session.scalars(select(Publication.id).where(Publication.instance_id == iid)).one()
    notice = sqlite_api.client.get(f"/gongshi/{publication_id}")
    assert notice.status_code == 200 and "净资产合计" in notice.text and "长期公示" in notice.text
    assert sqlite_api.client.get("/gongshi/999999").status_code == 404


def test_the_form_page_says_when_the_season_opens(sqlite_platform: Platform) -> None:
    from tests.web.test_pages import HTML, browser, log_in

    client = browser(sqlite_platform)
    log_in(client, "applicant")
    with time_machine.travel(datetime(2026, 12, 3, 4, 0, tzinfo=UTC), tick=True):
        closed = client.get(f"/matters/new/{KEY}", headers=HTML)
    assert closed.status_code == 409 and "下一报送期为2027年1月1日至2027年3月31日" in closed.text
    home = client.get("/", headers=HTML)
    assert "报送期：每年1月1日至3月31日" in home.text

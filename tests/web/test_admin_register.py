"""The administrators' calendar and register editors over HTTP: month grids and
editing a day, units and their figures, importing a roster, changing a quota."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.web import register_pages
from engine.services import calendar
from kernel.errors import Forbidden
from kernel.records import AuditEvent
from onestop.bootstrap import Platform
from registry.models import Quota, Reservation, Unit
from registry.services import quotas
from tests.conftest import actors_of
from tests.registry.import_samples import BAD_LINES, BAD_PERSONS, PERSONS, UNITS, csv_bytes
from tests.web.test_pages import HTML, browser, csrf_of, log_in

SPRING_MAKEUP = "2026-02-14"  # a Saturday worked to make up for the Spring Festival


def admin(platform: Platform) -> TestClient:
    client = browser(platform)
    log_in(client, "admin")
    return client


def day_cell(html: str, day: str) -> str:
    found = re.search(rf'<td class="cal-(\w+)"><a href="[^"]*day={day}#set-day" aria-label="([^"]*)"', html)
    assert found, f"{day} not in the grid"
    return f"{found.group(1)} {found.group(2)}"


def row_of(html: str, text: str) -> list[str]:
    """The cells of the table row that contains ``text``, tags removed."""
    row = next(r for r in re.findall(r"<tr>(.*?)</tr>", html, re.S) if text in r)
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)]


def events(platform: Platform, action: str) -> list[tuple[str, dict[str, Any]]]:
    with platform.ctx.reading() as db:
        query = select(AuditEvent.actor, AuditEvent.details).where(AuditEvent.action == action)
        return [(actor, details) for actor, details in db.execute(query.order_by(AuditEvent.seq))]


# -- calendar ---------------------------------------------------------------------------------------------------


def test_admin_sees_a_year_and_changes_a_day(sqlite_platform: Platform) -> None:
    client = admin(sqlite_platform)
    shown = client.get("/admin/calendar?year=2026", headers=HTML)
    assert shown.status_code == 200
    html = shown.text
    assert html.count('<table class="cal">') == 12 and "2026年2月" in html and "已公布" in html
    assert '<th scope="col"><abbr title="星期一">一</abbr></th>' in html
    assert day_cell(html, SPRING_MAKEUP) == "makeup 2月14日 星期六 调休上班 春节调休上班"
    assert day_cell(html, "2026-02-16").startswith("holiday 2月16日 星期一 法定节假日 春节")
    assert day_cell(html, "2026-03-02") == "workday 3月2日 星期一 工作日"
    assert day_cell(html, "2026-03-07") == "weekend 3月7日 星期六 周末"
    assert 'for="f-day"' in html and 'id="f-day"' in html and 'for="f-note"' in html  # labels tied to inputs
    assert calendar.count_workdays(sqlite_platform.ctx, date(2026, 2, 13), 1)["date"] == SPRING_MAKEUP

    picked = client.get(f"/admin/calendar?year=2026&day={SPRING_MAKEUP}", headers=HTML).text
    assert f'value="{SPRING_MAKEUP}"' in picked and 'value="1" checked' in picked  # a day's link fills the form
    saved = client.post(
        "/admin/calendar/days",
        data={"csrf": csrf_of(html), "year": "2026", "day": SPRING_MAKEUP, "is_workday": "0", "note": ""},
    )
    assert saved.status_code == 303 and saved.headers["location"] == f"/admin/calendar?year=2026&saved={SPRING_MAKEUP}"
    after = client.get(saved.headers["location"], headers=HTML).text
    assert "已保存 2026-02-14 的设置" in after
    assert day_cell(after, SPRING_MAKEUP) == "weekend 2月14日 星期六 周末"
    # The deadline service counts on the edited table at once.
    assert calendar.count_workdays(sqlite_platform.ctx, date(2026, 2, 13), 1)["date"] == "2026-02-24"
    [(actor, details)] = events(sqlite_platform, "calendar_day")
    assert (actor, details["day"], details["is_workday"]) == ("admin", SPRING_MAKEUP, False)


def test_a_year_is_marked_announced_and_back(sqlite_platform: Platform) -> None:
    client = admin(sqlite_platform)
    page = client.get("/admin/calendar?year=2027", headers=HTML).text
    assert "未公布" in page and "标记本年安排已公布" in page
    marked = client.post("/admin/calendar/announce", data={"csrf": csrf_of(page), "year": "2027", "announced": "1"})
    assert marked.status_code == 303
    page = client.get(marked.headers["location"], headers=HTML).text
    assert "已将2027年安排标记为已公布" in page and "取消“已公布”标记" in page
    assert calendar.calendar_year(sqlite_platform.ctx, 2027)["announced"] is True
    client.post("/admin/calendar/announce", data={"csrf": csrf_of(page), "year": "2027", "announced": "0"})
    assert calendar.calendar_year(sqlite_platform.ctx, 2027)["announced"] is False


def test_refused_days_come_back_with_the_message_by_the_field(sqlite_platform: Platform) -> None:
    client = admin(sqlite_platform)
    before = calendar.calendar_year(sqlite_platform.ctx, 2026)["exceptions"]
    csrf = csrf_of(client.get("/admin/calendar?year=2026", headers=HTML).text)
    bad = client.post(
        "/admin/calendar/days",
        data={"csrf": csrf, "year": "2026", "day": "2026-02-30", "is_workday": "1", "note": "补班"},
    )
    assert bad.status_code == 422
    assert 'class="error" id="e-day">日期格式不正确' in bad.text and 'aria-describedby="e-day"' in bad.text
    assert 'value="2026-02-30"' in bad.text and 'value="补班"' in bad.text and 'value="1" checked' in bad.text
    far = client.post(
        "/admin/calendar/days", data={"csrf": csrf, "year": "2026", "day": "2200-01-01", "is_workday": "1"}
    )
    assert far.status_code == 422
    assert 'id="e-day">年份应在1950至2100之间' in far.text and 'value="2200-01-01"' in far.text
    unchosen = client.post("/admin/calendar/days", data={"csrf": csrf, "year": "2026", "day": "2026-03-02"})
    assert unchosen.status_code == 422 and 'id="e-is_workday">请选择该日为工作日还是休息日' in unchosen.text
    long_note = client.post(
        "/admin/calendar/days", data={"csrf": csrf, "day": "2026-03-02", "is_workday": "0", "note": "假" * 101}
    )
    assert long_note.status_code == 422 and 'id="e-note">备注不能超过100个字' in long_note.text
    year = client.get("/admin/calendar?year=3000", headers=HTML)
    assert year.status_code == 422 and 'id="e-year">年份应在1950至2100之间' in year.text and 'value="3000"' in year.text
    assert calendar.calendar_year(sqlite_platform.ctx, 2026)["exceptions"] == before  # nothing was saved


def test_calendar_posts_need_the_form_token(sqlite_platform: Platform) -> None:
    client = admin(sqlite_platform)
    forged = client.post(
        "/admin/calendar/days", data={"csrf": "forged", "day": SPRING_MAKEUP, "is_workday": "0", "note": ""}
    )
    assert forged.status_code == 403 and "页面已过期" in forged.text
    forged_year = client.post("/admin/calendar/announce", data={"year": "2027", "announced": "1"})
    assert forged_year.status_code == 403
    assert calendar.count_workdays(sqlite_platform.ctx, date(2026, 2, 13), 1)["date"] == SPRING_MAKEUP
    assert calendar.calendar_year(sqlite_platform.ctx, 2027)["announced"] is False


def test_non_admins_are_refused(sqlite_platform: Platform) -> None:
    client = browser(sqlite_platform)
    log_in(client, "bianban")
    home = client.get("/", headers=HTML).text
    assert "/admin/calendar" not in home and "/admin/units" not in home  # no links either
    csrf = csrf_of(home)
    for path in ("/admin/calendar", "/admin/units", "/admin/units/demo-unit-001"):
        refused = client.get(path, headers=HTML)
        assert refused.status_code == 403 and "只有管理员可以使用管理页面" in refused.text, path
    posted = client.post("/admin/calendar/days", data={"csrf": csrf, "day": SPRING_MAKEUP, "is_workday": "0"})
    assert posted.status_code == 403
    quota = client.post(
        "/admin/units/demo-unit-001/quotas",
        data={"csrf": csrf, "est_type": "事业工勤编制", "approved": "9", "basis": "示编〔2026〕1号"},
    )
    assert quota.status_code == 403
    upload = client.post(
        "/admin/units/import", data={"csrf": csrf, "kind": "units"}, files={"file": ("u.csv", b"x", "text/csv")}
    )
    assert upload.status_code == 403
    assert calendar.count_workdays(sqlite_platform.ctx, date(2026, 2, 13), 1)["date"] == SPRING_MAKEUP
    with pytest.raises(Forbidden):
        quotas.set_quota(
            sqlite_platform.ctx,
            actors_of(sqlite_platform)["bianban"],
            unit_code="demo-unit-001",
            est_type="事业工勤编制",
            approved=9,
            basis="示编〔2026〕1号",
        )


# -- units, quotas and persons ----------------------------------------------------------------------------------


def test_units_list_and_detail_show_the_figures(sqlite_platform: Platform, monkeypatch: pytest.MonkeyPatch) -> None:
    client = admin(sqlite_platform)
    listed = client.get("/admin/units", headers=HTML)
    assert listed.status_code == 200
    # code, name, kind, status, approved, actual, reserved, vacancy, state
    assert row_of(listed.text, "demo-unit-001") == [
        "demo-unit-001", "示范市数据资源服务中心", "事业单位", "正常", "22", "5", "0", "17", "有空编",
    ]  # fmt: skip
    assert row_of(listed.text, "demo-unit-004")[3] == "冻结（负面清单）"
    assert 'href="/admin/units/demo-unit-001"' in listed.text

    monkeypatch.setattr(register_pages, "PAGE_SIZE", 2)
    detail = client.get("/admin/units/demo-unit-001", headers=HTML)
    assert detail.status_code == 200
    full = ["事业编制（全额拨款）", "20", "—", "4", "0", "16", "有空编"]  # approved, lent, actual, reserved, vacant
    assert row_of(detail.text, "事业编制（全额拨款）")[:7] == full
    assert row_of(detail.text, "事业工勤编制")[:6] == ["事业工勤编制", "2", "—", "1", "0", "1"]
    assert row_of(detail.text, "<td>正职</td>") == ["正职", "1", "1", "0", "0"]  # approved, held, on notices, free
    assert "在编人员（5 人）" in detail.text and "第 1 / 3 页" in detail.text
    staff = detail.text[detail.text.index('id="staff"') :]  # 李明 is also the unit's 法定代表人, above
    assert "李明" in staff and "王芳" not in staff
    second = client.get("/admin/units/demo-unit-001?page=2", headers=HTML).text
    staff = second[second.index('id="staff"') :]
    assert "王芳" in staff and "赵磊" in staff and "李明" not in staff and "第 2 / 3 页" in staff
    missing = client.get("/admin/units/no-such-unit", headers=HTML)
    assert missing.status_code == 404 and "单位不存在" in missing.text


def _import(client: TestClient, kind: str, name: str, content: bytes) -> Any:
    csrf = csrf_of(client.get("/admin/units", headers=HTML).text)
    return client.post("/admin/units/import", data={"csrf": csrf, "kind": kind}, files={"file": (name, content)})


def test_an_import_through_the_page_shows_its_report(sqlite_platform: Platform) -> None:
    client = admin(sqlite_platform)
    done = _import(client, "units", "单位.csv", csv_bytes(UNITS))
    assert done.status_code == 200, done.text
    assert "已导入单位文件“单位.csv”：共 4 行数据，导入 4 行。" in done.text
    assert "<td>第5行</td>" in done.text and "区划代码“149999”不在行政区划代码表中" in done.text  # a warning
    assert row_of(done.text, "imp-001")[:4] == ["imp-001", "样例区人力资源和社会保障局", "机关", "正常"]
    people = _import(client, "persons", "人员.csv", csv_bytes(PERSONS))
    assert people.status_code == 200 and "导入 6 行" in people.text
    assert "王建国" in client.get("/admin/units/imp-001", headers=HTML).text


def test_a_refused_import_shows_the_errors(sqlite_platform: Platform) -> None:
    client = admin(sqlite_platform)
    _import(client, "units", "u.csv", csv_bytes(UNITS))
    _import(client, "persons", "p.csv", csv_bytes(PERSONS))
    refused = _import(client, "persons", "bad.csv", csv_bytes(BAD_PERSONS))
    assert refused.status_code == 422
    assert "导入文件有错误，未导入任何数据：共 10 行数据，其中 9 行有错误" in refused.text
    report = refused.text.split("有错误的行", 1)[1].split("</table>", 1)[0]
    assert [int(n) for n in re.findall(r"<td>第(\d+)行</td>", report)] == BAD_LINES
    assert "<td>第5行</td>" in refused.text and "单位代码“imp-999”不存在，请先导入单位" in refused.text
    assert "<td>第2行</td>" not in refused.text  # line 2 is fine, but nothing was written:
    assert "孙丽" not in client.get("/admin/units/imp-002", headers=HTML).text
    header = _import(client, "persons", "u.csv", csv_bytes(UNITS))
    assert header.status_code == 422 and 'id="e-file">表头不符合要求' in header.text
    assert '<option value="persons" selected>' in header.text  # the choice is kept
    wrong_type = _import(client, "units", "u.xls", b"\xd0\xcf\x11\xe0rest")
    assert wrong_type.status_code == 415 and 'id="e-file">不支持旧版 Excel' in wrong_type.text
    csrf = csrf_of(client.get("/admin/units", headers=HTML).text)
    nothing = client.post("/admin/units/import", data={"csrf": csrf, "kind": ""})
    assert nothing.status_code == 422
    assert 'id="e-kind">请选择导入类型' in nothing.text and 'id="e-file">请选择要导入的' in nothing.text
    forged_file = csv_bytes([UNITS[0], ["x-1", "伪造单位", "", "机关", "141002", "", "", "财政拨款"]])
    forged = client.post(
        "/admin/units/import", data={"csrf": "forged", "kind": "units"}, files={"file": ("u2.csv", forged_file)}
    )
    assert forged.status_code == 403 and "伪造单位" not in client.get("/admin/units", headers=HTML).text


def _quota(client: TestClient, **fields: str) -> Any:
    csrf = csrf_of(client.get("/admin/units/demo-unit-001", headers=HTML).text)
    return client.post("/admin/units/demo-unit-001/quotas", data={"csrf": csrf, **fields})


def _approved(platform: Platform, est_type: str) -> int:
    with platform.ctx.reading() as db:
        unit_id = db.scalars(select(Unit.id).where(Unit.code == "demo-unit-001")).one()
        return db.get_one(Quota, (unit_id, est_type)).approved


def test_quota_edit_and_its_refusal_below_what_is_occupied(sqlite_platform: Platform) -> None:
    client = admin(sqlite_platform)
    full = "事业编制（全额拨款）"  # 20 approved, 4 在编
    below = _quota(client, est_type=full, approved="3", basis="示编〔2026〕7号")
    assert below.status_code == 422
    assert 'id="e-approved">核定编制数不能少于已占用的事业编制（全额拨款）：实有4名，已预留0名，合计4名' in below.text
    assert 'value="3"' in below.text and 'value="示编〔2026〕7号"' in below.text
    assert _approved(sqlite_platform, full) == 20
    no_basis = _quota(client, est_type=full, approved="18", basis=" ")
    assert no_basis.status_code == 422 and 'id="e-basis">请填写调整依据（批复文号）' in no_basis.text
    not_number = _quota(client, est_type=full, approved="十", basis="示编〔2026〕7号")
    assert not_number.status_code == 422 and 'id="e-approved">请填写核定编制数' in not_number.text
    assert _quota(client, est_type="编外", approved="1", basis="示编〔2026〕7号").status_code == 422

    saved = _quota(client, est_type=full, approved="4", basis="示编〔2026〕7号")
    assert saved.status_code == 303 and saved.headers["location"] == "/admin/units/demo-unit-001?saved=1#quotas"
    page = client.get(saved.headers["location"], headers=HTML).text
    assert "核定编制数已调整" in page and row_of(page, full)[:7] == [full, "4", "—", "4", "0", "0", "满编"]
    assert events(sqlite_platform, "quota_set") == [
        ("admin", {"unit": "demo-unit-001", "est_type": full, "before": 20, "after": 4, "basis": "示编〔2026〕7号"})
    ]

    # Places reserved by an unused notice count as occupied too.
    with sqlite_platform.ctx.transaction() as db:
        unit_id = db.scalars(select(Unit.id).where(Unit.code == "demo-unit-001")).one()
        db.add(Reservation(number="编核〔2026〕99号", unit_id=unit_id, est_type="事业工勤编制", places=2))
    reserved = _quota(client, est_type="事业工勤编制", approved="2", basis="示编〔2026〕8号")
    assert reserved.status_code == 422 and "实有1名，已预留2名，合计3名" in reserved.text
    assert _quota(client, est_type="事业工勤编制", approved="3", basis="示编〔2026〕8号").status_code == 303
    assert _approved(sqlite_platform, "事业工勤编制") == 3
    forged = client.post(
        "/admin/units/demo-unit-001/quotas",
        data={"csrf": "forged", "est_type": full, "approved": "50", "basis": "示编〔2026〕9号"},
    )
    assert forged.status_code == 403 and _approved(sqlite_platform, full) == 4

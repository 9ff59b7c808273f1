"""Request shapes that used to end in a 500: each gets its 4xx and its own code, and nothing is written."""

from __future__ import annotations

import json
import time

import pytest
from sqlalchemy import func, select

from api import json_body
from engine.models import Instance
from onestop.bootstrap import Platform
from tests.api.helpers import PROCESS_KEY, start
from tests.conftest import Api
from tests.web.test_pages import HTML, browser, log_in

JSON = {"Content-Type": "application/json"}


def _post_json(api: Api, path: str, as_user: str, body: str) -> object:
    return api.client.post(
        path, content=body.encode("utf-8", "surrogatepass"), headers={**api.headers(as_user), **JSON}
    )


def _instances(platform: Platform) -> int:
    with platform.ctx.reading() as session:
        return int(session.scalar(select(func.count()).select_from(Instance)) or 0)


@pytest.mark.parametrize(
    ("label", "body", "status", "code"),
    [
        ("deep nesting", "[" * 100_000 + "]" * 100_000, 400, "json_too_deep"),
        ("nesting past the bound", json.dumps({"data": json.loads("[" * 40 + "]" * 40)}), 400, "json_too_deep"),
        (
            "a 5,000-digit integer",
            '{"process_key": "x", "data": {"n": ' + "9" * 5000 + "}}",
            400,
            "json_number_too_long",
        ),
        ("NaN", '{"process_key": "x", "data": {"n": NaN}}', 400, "json_number_out_of_range"),
        ("1e999", '{"process_key": "x", "data": {"n": 1e999}}', 400, "json_number_out_of_range"),
        ("a lone surrogate", '{"process_key": "x", "data": {"name": "\\ud800"}}', 400, "invalid_characters"),
        ("a surrogate key", '{"process_key": "x", "data": {"\\udfff": 1}}', 400, "invalid_characters"),
        ("NUL", '{"process_key": "x", "data": {"name": "a\\u0000b"}}', 400, "invalid_characters"),
        ("not JSON", '{"process_key": ', 400, "invalid_json"),
    ],
)
def test_malformed_json_bodies_are_refused(
    sqlite_api: Api, sqlite_platform: Platform, label: str, body: str, status: int, code: str
) -> None:
    before = _instances(sqlite_platform)
    answer = _post_json(sqlite_api, "/api/v1/instances", "applicant", body)
    assert (answer.status_code, answer.json()["code"]) == (status, code), label
    assert answer.json()["message"], label
    assert _instances(sqlite_platform) == before


def test_a_json_body_over_the_bound_is_refused_before_it_is_parsed(sqlite_api: Api) -> None:
    body = '{"data": {"text": "' + "x" * (json_body.MAX_BYTES + 10) + '"}}'
    t0 = time.perf_counter()
    answer = _post_json(sqlite_api, "/api/v1/instances", "applicant", body)
    assert (answer.status_code, answer.json()["code"]) == (413, "json_too_large")
    assert time.perf_counter() - t0 < 2.0


def test_a_lone_surrogate_in_an_opinion_or_a_multipart_data_field_is_refused(sqlite_api: Api) -> None:
    started = start(sqlite_api)
    task_id = next(t["id"] for t in started["tasks"] if t["department"] == "bianban")
    opinion = '{"decision": "approve", "opinion": "\\ud800"}'
    answer = _post_json(sqlite_api, f"/api/v1/tasks/{task_id}/complete", "bianban", opinion)
    assert (answer.status_code, answer.json()["code"]) == (400, "invalid_characters")
    multipart = sqlite_api.post(
        "/api/v1/instances",
        "applicant",
        data={"process_key": PROCESS_KEY, "data": '{"name": "\\ud800"}'},
        files={"files": ("a.pdf", b"%PDF-1.4\n", "application/pdf")},
    )
    assert (multipart.status_code, multipart.json()["code"]) == (400, "invalid_characters")


@pytest.mark.parametrize(
    "query", ["due_before=9999-12-31", "due_before=0001-01-01", "due_before=2026-13-01", "limit=" + "9" * 5000]
)
def test_out_of_range_query_values_are_422(sqlite_api: Api, query: str) -> None:
    answer = sqlite_api.get(f"/api/v1/tasks?{query}", "bianban")
    assert (answer.status_code, answer.json()["code"]) == (422, "request_invalid"), query


def test_out_of_range_dates_on_the_calendar_and_archive_search(sqlite_api: Api) -> None:
    calendar = sqlite_api.get("/api/v1/calendar/add-workdays?start=9999-12-31&days=5", "admin")
    assert calendar.status_code == 422
    search = sqlite_api.get("/api/v1/archive/records?date_from=9999-12-31", "admin")
    assert search.status_code == 422


@pytest.mark.parametrize(
    "path",
    [
        "/archive/records/1180591620717411303424",
        "/archive/records/0",
        "/admin/users/99999999999999999999999",
        "/admin/calendar?year=²",
        "/admin/calendar?year=" + "9" * 5000,
        "/admin/units?page=²",
    ],
)
def test_odd_numbers_in_page_addresses_are_4xx_pages(sqlite_platform: Platform, path: str) -> None:
    client = browser(sqlite_platform)
    log_in(client, "admin")
    shown = client.get(path, headers=HTML)
    assert shown.status_code in (200, 404, 422), (path, shown.status_code)
    assert "text/html" in shown.headers["content-type"], path
    if "/records/" in path or "/users/" in path:
        assert shown.status_code == 404 and "页面不存在" in shown.text, path

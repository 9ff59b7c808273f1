"""The administrators' page of credit-code blocks: the demo's blocks with what is left,
a new block loaded, a bad or overlapping one refused inline with its input kept."""

from __future__ import annotations

from sqlalchemy import select

from kernel.audit import AuditEvent
from onestop.bootstrap import Platform
from tests.web.test_pages import HTML, browser, csrf_of, log_in

PIECE = {"category": "2", "region_code": "141002", "prefix": "MD", "first": "1", "last": "500"}


def test_admin_loads_a_block_and_sees_what_is_left(sqlite_platform: Platform) -> None:
    admin = browser(sqlite_platform)
    log_in(admin, "admin")
    listing = admin.get("/admin/code-blocks", headers=HTML)
    assert listing.status_code == 200 and "12141002MB" in listing.text  # the demo's blocks
    added = admin.post("/admin/code-blocks", data={"csrf": csrf_of(listing.text), **PIECE})
    assert added.status_code == 303, added.text
    page = admin.get(added.headers["location"], headers=HTML).text
    assert "号段已登记" in page and "12141002MD000001" in page and ">500<" in page
    with sqlite_platform.ctx.reading() as session:
        [details] = session.scalars(select(AuditEvent.details).where(AuditEvent.action == "code_block_added"))
    assert details["prefix"] == "MD" and details["last_seq"] == 500

    overlapping = admin.post("/admin/code-blocks", data={"csrf": csrf_of(page), **PIECE, "first": "400"})
    assert overlapping.status_code == 409 and "重叠" in overlapping.text and 'value="400"' in overlapping.text
    bad = admin.post("/admin/code-blocks", data={"csrf": csrf_of(page), **PIECE, "region_code": "12", "last": "x"})
    assert bad.status_code == 422 and "GB/T 2260" in bad.text and "起止" in bad.text


def test_only_an_administrator_manages_blocks(sqlite_platform: Platform) -> None:
    clerk = browser(sqlite_platform)
    log_in(clerk, "bianban")
    assert clerk.get("/admin/code-blocks", headers=HTML).status_code == 403
    page = clerk.get("/inbox", headers=HTML).text
    refused = clerk.post("/admin/code-blocks", data={"csrf": csrf_of(page), **PIECE})
    assert refused.status_code == 403

"""Every HTML page forbids framing and foreign content; no page relies on inline script or style."""

from __future__ import annotations

import re
from pathlib import Path

from onestop.bootstrap import Platform
from tests.web.test_pages import HTML, browser, log_in

TEMPLATES = Path(__file__).resolve().parents[2] / "api" / "web" / "templates"


def _assert_protected(headers: object, path: str) -> None:
    policy = headers["content-security-policy"]  # type: ignore[index]
    assert "frame-ancestors 'none'" in policy and "default-src 'self'" in policy, path
    assert headers["x-frame-options"] == "DENY", path  # type: ignore[index]
    assert headers["referrer-policy"] == "same-origin", path  # type: ignore[index]
    assert headers["x-content-type-options"] == "nosniff", path  # type: ignore[index]


def test_public_and_signed_in_pages_carry_the_protections(sqlite_platform: Platform) -> None:
    client = browser(sqlite_platform)
    for path in ("/login", "/verify"):
        _assert_protected(client.get(path, headers=HTML).headers, path)
    log_in(client, "admin")
    for path in ("/", "/inbox", "/admin/users", "/admin/dashboard", "/archive"):
        shown = client.get(path, headers=HTML)
        assert shown.status_code == 200, path
        _assert_protected(shown.headers, path)
        assert "script-src 'self';" in shown.headers["content-security-policy"], path
        assert not re.search(r"<script(?![^>]*\bsrc=)", shown.text), path
        assert ' style="' not in shown.text, path
    missing = client.get("/no/such/page", headers=HTML)
    assert missing.headers["x-frame-options"] == "DENY"


def test_the_api_docs_keep_their_start_up_script_but_cannot_be_framed(sqlite_platform: Platform) -> None:
    docs = browser(sqlite_platform).get("/docs")
    assert docs.status_code == 200
    _assert_protected(docs.headers, "/docs")
    assert "'unsafe-inline'" in docs.headers["content-security-policy"]


def test_templates_have_no_inline_style_or_script() -> None:
    for template in TEMPLATES.glob("*.html"):
        text = template.read_text(encoding="utf-8")
        assert ' style="' not in text and "<style" not in text, template.name
        assert not re.search(r"<script(?![^>]*\bsrc=)", text), template.name
        assert not re.search(r"\son[a-z]+=\"", text), template.name

"""The e2e fixtures: one demo server (``serve --demo`` in a subprocess) for the
session, and a headless Chromium for each test module. Every page any test
opens is watched: a resource or inline code the Content-Security-Policy blocks
fails the test (the pages must work under their own policy)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.demo_server import log_tail, start_demo, stop
from tests.e2e.support import CHROMIUM

_server_folder: list[Path] = []


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("e2e")
    _server_folder.append(folder)
    process, base = start_demo(folder)
    try:
        yield base
    finally:
        stop(process)


@pytest.fixture(scope="session")
def server_data(server: str) -> Path:
    """The demo server's data folder (its SQLite database is ``onestop.sqlite3`` there)."""
    return _server_folder[0]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """A failing browser test shows the end of the demo server's (and its worker's) log."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if report.failed and _server_folder and "server" in getattr(item, "fixturenames", ()):
        report.sections.append(("demo server log (last lines)", log_tail(_server_folder[0])))


class WatchedBrowser:
    """The browser, with every new context reporting what the page's CSP blocked."""

    def __init__(self, browser: Any) -> None:
        self._browser = browser
        self.blocked: list[str] = []

    def new_context(self, **options: Any) -> Any:
        context = self._browser.new_context(**options)
        context.on("console", self._seen)
        return context

    def _seen(self, message: Any) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            self.blocked.append(message.text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._browser, name)


@pytest.fixture(scope="module")  # Playwright's sync API keeps an event loop running while it is open
def browser() -> Iterator[WatchedBrowser]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        watched = WatchedBrowser(chromium)
        yield watched
        chromium.close()


@pytest.fixture(autouse=True)
def nothing_blocked_by_the_policy(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "browser" in request.fixturenames:
        watched: WatchedBrowser = request.getfixturevalue("browser")
        blocked, watched.blocked[:] = list(watched.blocked), []
        assert blocked == [], blocked

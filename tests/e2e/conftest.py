"""The e2e fixtures: one demo server (``serve --demo`` in a subprocess) for the
session, and a headless Chromium for each test module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.demo_server import start_demo, stop
from tests.e2e.support import CHROMIUM


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    process, base = start_demo(tmp_path_factory.mktemp("e2e"))
    try:
        yield base
    finally:
        stop(process)


@pytest.fixture(scope="module")  # Playwright's sync API keeps an event loop running while it is open
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield chromium
        chromium.close()

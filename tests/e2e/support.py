"""What every e2e test uses: where Chromium is, screenshots, signing in."""

from __future__ import annotations

import shutil
from pathlib import Path

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = Path(__file__).parent / "screenshots"
DEMO_PASSWORD = "onestop-demo"


def shot(page: object, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]


def login(browser: object, base: str, username: str, width: int = 1366) -> object:
    context = browser.new_context(viewport={"width": width, "height": 768}, locale="zh-CN", accept_downloads=True)  # type: ignore[attr-defined]
    page = context.new_page()
    page.goto(f"{base}/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base}/")
    return page


def says(page: object, *texts: str) -> bool:
    """Whether the page, once it has loaded after an action, shows every text. Waits for each
    (reading ``content()`` right after a click may catch the page mid-navigation, empty)."""
    for text in texts:
        page.locator("body", has_text=text).wait_for()  # type: ignore[attr-defined]
    return True

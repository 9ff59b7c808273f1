"""Production refuses unsafe defaults: no signing with the development CA once DATABASE_URL is set,
and the session cookie's Secure flag follows ONESTOP_SECURE_COOKIES behind a TLS proxy."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from onestop.bootstrap import build_app, build_platform
from onestop.cli import main
from onestop.settings import Settings, UnsafeSettings
from tests.web.test_pages import HTML

PG = "postgresql+psycopg://postgres@127.0.0.1:5432/never_reached"


def test_production_without_keys_tsa_and_roots_names_each_and_refuses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", PG)
    monkeypatch.setenv("ONESTOP_DEVELOPMENT_SIGNING", "false")
    for command in (["serve"], ["worker"], ["deploy"], ["user", "add", "x", "--role", "admin", "--password-stdin"]):
        assert main([*command, "--data-dir", str(tmp_path)]) == 2
        said = capsys.readouterr().err
        for name in ("ONESTOP_SIGNING_KEYS_DIR", "ONESTOP_TSA_URL", "ONESTOP_TRUST_ROOTS"):
            assert name in said, (command, said)
        assert said.count("\n") == 1 and "Traceback" not in said
    assert not (tmp_path / "pki").exists()  # no development CA was made

    monkeypatch.setenv("ONESTOP_TSA_URL", "https://tsa.example.gov.cn/tsa")
    settings = Settings(ONESTOP_DATA_DIR=tmp_path)
    assert [m.split("（")[0] for m in settings.unsafe_signing()] == ["ONESTOP_SIGNING_KEYS_DIR", "ONESTOP_TRUST_ROOTS"]
    with pytest.raises(UnsafeSettings, match="ONESTOP_SIGNING_KEYS_DIR"):
        build_platform(settings, migrate=False)


def test_the_embedded_default_and_a_declared_test_rig_sign_for_development(tmp_path: Path) -> None:
    assert Settings(ONESTOP_DATA_DIR=tmp_path, ONESTOP_DEVELOPMENT_SIGNING=False).unsafe_signing() == []
    rig = Settings(ONESTOP_DATA_DIR=tmp_path, DATABASE_URL=PG, ONESTOP_DEVELOPMENT_SIGNING=True)
    assert rig.unsafe_signing() == []


@pytest.mark.parametrize(("configured", "secure"), [(None, False), (True, True), (False, False)])
def test_secure_cookies_setting_decides_behind_a_proxy(tmp_path: Path, configured: bool | None, secure: bool) -> None:
    """The server sees plain HTTP (a TLS proxy in front): the setting alone makes the cookies Secure."""
    settings = Settings(ONESTOP_DATA_DIR=tmp_path, ONESTOP_SECURE_COOKIES=configured)
    platform = build_platform(settings.model_copy(update={"database_url": None}), migrate=True)
    try:
        client = TestClient(build_app(platform), base_url="http://testserver", follow_redirects=False)
        shown = client.get("/login", headers=HTML)
        cookie = shown.headers["set-cookie"]
        assert ("; secure" in cookie.lower()) is secure, cookie
    finally:
        platform.close()

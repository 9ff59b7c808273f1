"""`onestop verify` (pinned) and the public POST /api/v1/verify."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from onestop.bootstrap import Platform
from onestop.cli import main
from signatures.pki import DevelopmentPki
from signatures.signing import PadesSigner
from tests.conftest import Api
from tests.signatures.test_verification import NUMBER, blank_pdf


def _signed(folder: Path) -> bytes:
    identity = DevelopmentPki(folder).identity("bianban", "示范市机构编制委员会办公室")
    return PadesSigner(identity).sign(blank_pdf(), reason="机构编制批复", location="示范市")


def test_cli_verify(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("ONESTOP_TRUST_ROOTS", raising=False)
    data_dir = tmp_path / "data"
    signed = tmp_path / "doc.pdf"
    signed.write_bytes(_signed(data_dir / "pki"))
    assert main(["verify", str(signed), "--data-dir", str(data_dir)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["valid"] and report["document_number"] == NUMBER
    assert report["signatures"][0]["signer"] == "示范市机构编制委员会办公室" and report["signatures"][0]["trusted"]
    # Verified against another data folder's development CA, the signer is not trusted.
    assert main(["verify", str(signed), "--data-dir", str(tmp_path / "other")]) == 1
    untrusted = json.loads(capsys.readouterr().out)
    assert untrusted["valid"] is False and "不受信任" in untrusted["reason"]
    assert main(["verify", str(tmp_path / "missing.pdf"), "--data-dir", str(data_dir)]) == 2


def test_api_verify_is_public(sqlite_api: Api, sqlite_platform: Platform) -> None:
    signed = _signed(sqlite_platform.settings.pki_dir)
    ok = sqlite_api.client.post("/api/v1/verify", files={"file": ("批复.pdf", signed, "application/pdf")})
    assert ok.status_code == 200 and ok.json()["valid"] is True
    tampered = bytearray(signed)
    at = signed.find(b"/MediaBox") + 12
    tampered[at] = ord("9") if tampered[at] != ord("9") else ord("8")
    bad = sqlite_api.client.post("/api/v1/verify", files={"file": ("批复.pdf", bytes(tampered), "application/pdf")})
    assert bad.status_code == 200 and bad.json()["valid"] is False and "改动" in bad.json()["reason"]
    html = sqlite_api.client.post("/api/v1/verify", files={"file": ("x.pdf", b"<html>", "application/pdf")})
    assert html.status_code == 415 and html.json()["code"] == "not_a_pdf"

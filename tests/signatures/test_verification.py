"""Signing with a department's certificate and verifying: intact, trusted, nothing appended."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pyhanko.pdf_utils import generic, writer
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from signatures.pki import DevelopmentPki
from signatures.signing import PadesSigner
from signatures.verification import DOC_NUMBER_KEYS, verify_pdf

NUMBER = "示编〔2026〕12号"


def blank_pdf(number: str = NUMBER) -> bytes:
    """A one-page PDF carrying a document number (the renderer's job later)."""
    w = writer.PdfFileWriter()
    page = generic.DictionaryObject(
        {
            generic.NameObject("/Type"): generic.NameObject("/Page"),
            generic.NameObject("/MediaBox"): generic.ArrayObject([generic.NumberObject(n) for n in (0, 0, 595, 842)]),
            generic.NameObject("/Resources"): generic.DictionaryObject(),
        }
    )
    w.insert_page(page)
    info = generic.DictionaryObject({generic.NameObject(DOC_NUMBER_KEYS[0]): generic.TextStringObject(number)})
    w.set_info(info)
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


@pytest.fixture
def pki(tmp_path: Path) -> DevelopmentPki:
    return DevelopmentPki(tmp_path / "pki")


def _signed(pki: DevelopmentPki) -> bytes:
    identity = pki.identity("bianban", "示范市机构编制委员会办公室")
    return PadesSigner(identity).sign(blank_pdf(), reason="机构编制批复", location="示范市")


def test_a_signed_document_verifies(pki: DevelopmentPki) -> None:
    report = verify_pdf(_signed(pki), [pki.root()])
    assert report.valid and report.reason is None and report.document_number == NUMBER
    [signature] = report.signatures
    assert signature.signer == "示范市机构编制委员会办公室" and signature.trusted and signature.intact
    assert signature.signing_time is not None and signature.modification == "NONE"


def test_one_changed_byte_is_reported(pki: DevelopmentPki) -> None:
    signed = bytearray(_signed(pki))
    at = signed.find(b"/MediaBox") + 12
    signed[at] = ord("9") if signed[at] != ord("9") else ord("8")
    report = verify_pdf(bytes(signed), [pki.root()])
    assert not report.valid and "改动" in (report.reason or "")


def test_anything_appended_after_signing_is_reported(pki: DevelopmentPki) -> None:
    signed = _signed(pki)
    w = IncrementalPdfFileWriter(io.BytesIO(signed))
    w.root[generic.NameObject("/Lang")] = generic.TextStringObject("zh-CN")
    w.update_root()
    out = io.BytesIO()
    w.write(out)
    report = verify_pdf(out.getvalue(), [pki.root()])
    assert not report.valid and "追加" in (report.reason or "")


def test_another_ca_is_untrusted_not_valid(pki: DevelopmentPki, tmp_path: Path) -> None:
    stranger = DevelopmentPki(tmp_path / "other")
    report = verify_pdf(_signed(pki), [stranger.root()])
    assert not report.valid and report.signatures[0].intact and not report.signatures[0].trusted
    assert "不受信任" in (report.reason or "")


def test_not_a_pdf_and_unsigned(pki: DevelopmentPki) -> None:
    assert not verify_pdf(b"hello", [pki.root()]).valid
    unsigned = verify_pdf(blank_pdf(), [pki.root()])
    assert not unsigned.valid and unsigned.reason == "文件中没有数字签名"


def test_keys_stay_private_and_are_reused(pki: DevelopmentPki) -> None:
    first = pki.identity("zuzhi", "组织部")
    again = pki.identity("zuzhi", "组织部")
    assert first.certificate.dump() == again.certificate.dump()
    assert (pki.folder / "zuzhi.key").stat().st_mode & 0o777 == 0o600

"""Crafted PDFs on public verification: refused fast, never a 500, never an endless check."""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from kernel.errors import ValidationFailed
from onestop.bootstrap import Platform
from signatures import isolated, pdf_shape, verification
from signatures.pki import DevelopmentPki
from signatures.signing import PadesSigner
from signatures.verification import VerificationReport, verify_pdf
from tests.api.helpers import pdf_file
from tests.conftest import Api
from tests.signatures.test_verification import blank_pdf


def _signed(pki_dir: Path) -> bytes:
    identity = DevelopmentPki(pki_dir).identity("bianban", "示范市机构编制委员会办公室")
    return PadesSigner(identity).sign(blank_pdf(), reason="机构编制批复", location="示范市")


def _with_extra_fields(pdf: bytes, count: int, *, same_signature: bool) -> bytes:
    """``count`` more signature fields whose value is the document's signature (or a copy of it)."""
    w = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    fields = w.root["/AcroForm"]["/Fields"]
    signature_ref = fields[0].get_object().raw_get("/V")
    for i in range(count):
        value = signature_ref if same_signature else w.add_object(signature_ref.get_object())
        field = generic.DictionaryObject(
            {
                generic.NameObject("/FT"): generic.NameObject("/Sig"),
                generic.NameObject("/T"): generic.TextStringObject(f"extra{i}"),
                generic.NameObject("/V"): value,
            }
        )
        fields.append(w.add_object(field))
    w.update_container(fields)
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def _post(api: Api, content: bytes) -> tuple[int, dict[str, object], float]:
    t0 = time.perf_counter()
    answer = api.client.post("/api/v1/verify", files={"file": ("批复.pdf", content, "application/pdf")})
    return answer.status_code, answer.json(), time.perf_counter() - t0


def test_two_thousand_fields_on_one_signature_are_refused_in_under_two_seconds(
    sqlite_api: Api, sqlite_platform: Platform
) -> None:
    crafted = _with_extra_fields(_signed(sqlite_platform.settings.pki_dir), 2000, same_signature=True)
    status, body, seconds = _post(sqlite_api, crafted)
    assert (status, body["code"]) == (422, "pdf_signature_reused")
    assert seconds < 2.0, f"refused after {seconds:.2f} s"


def test_too_many_signatures_are_refused_before_any_is_validated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    crafted = _with_extra_fields(_signed(tmp_path / "pki"), pdf_shape.MAX_SIGNATURES, same_signature=False)

    def no_validation(*_args: object) -> VerificationReport:
        raise AssertionError("a signature was validated before the count was checked")

    with monkeypatch.context() as patched:
        patched.setattr(verification, "_verify", no_validation)
        with pytest.raises(ValidationFailed) as refused:
            verify_pdf(crafted, [])
    assert refused.value.code == "pdf_too_complex" and "签名超过" in refused.value.message
    # One signature fewer than the cap is checked as usual (and found modified after signing).
    allowed = _with_extra_fields(_signed(tmp_path / "pki2"), 2, same_signature=False)
    assert verify_pdf(allowed, []).valid is False


def test_too_many_revisions_are_refused(tmp_path: Path) -> None:
    pdf = _signed(tmp_path / "pki")
    for _ in range(pdf_shape.MAX_REVISIONS):
        w = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        w.update_root()
        out = io.BytesIO()
        w.write(out)
        pdf = out.getvalue()
    with pytest.raises(ValidationFailed) as refused:
        verify_pdf(pdf, [])
    assert refused.value.code == "pdf_too_complex" and "修订" in refused.value.message


def _odd(trailer: bytes) -> bytes:
    return pdf_file([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>", b"42"], trailer)


@pytest.mark.parametrize(
    "trailer",
    [b"/Root 1 0 R /Info 5", b"/Root 1 0 R /Info 3 0 R", b"/Root 3 0 R", b"/Root 7", b"/Root 1 0 R /Info [1 2]"],
)
def test_odd_trailers_are_unreadable_files_not_errors(sqlite_api: Api, trailer: bytes) -> None:
    status, body, _ = _post(sqlite_api, _odd(trailer))
    assert status == 200 and body["valid"] is False, (trailer, body)
    assert body["reason"], body


def test_a_check_over_its_time_is_killed_and_the_next_one_runs(tmp_path: Path) -> None:
    with pytest.raises(ValidationFailed) as refused:
        isolated.run_bounded(time.sleep, (30,), seconds=0.5)
    assert refused.value.code == "verification_timeout"
    report = isolated.verify_untrusted(_signed(tmp_path / "pki"), [DevelopmentPki(tmp_path / "pki").root()])
    assert report.valid is True


def test_a_process_that_used_the_checking_pool_still_exits() -> None:
    """The pool's threads are not daemons: the process must stop them before the interpreter waits on them."""
    import subprocess
    import sys

    code = "import time; from signatures import isolated; isolated.run_bounded(time.sleep, (0.1,), seconds=5)"
    t0 = time.perf_counter()
    ended = subprocess.run([sys.executable, "-c", code], timeout=60, capture_output=True)
    assert ended.returncode == 0, ended.stderr[-500:]
    assert time.perf_counter() - t0 < 30

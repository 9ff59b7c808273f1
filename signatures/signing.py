"""PAdES signatures on issued documents, behind an interface.

This is a PAdES signature whose appearance is the department's seal, not a
GB/T 38540 国密 electronic seal: no Python library builds one, and a
compliant one needs certified hardware. An office's certified seal service
plugs in by implementing ``DocumentSigner``.
"""

from __future__ import annotations

import io
from typing import Protocol

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko_certvalidator.registry import SimpleCertificateStore

from signatures.pki import SigningIdentity


class DocumentSigner(Protocol):
    def sign(self, pdf: bytes, *, reason: str, location: str) -> bytes: ...


class PadesSigner:
    """Signs with one department's identity (PAdES baseline B-B)."""

    def __init__(self, identity: SigningIdentity, field_name: str = "OneStopSeal") -> None:
        self._signer = signers.SimpleSigner(
            signing_cert=identity.certificate,
            signing_key=identity.key,
            cert_registry=SimpleCertificateStore.from_certs(list(identity.chain)),  # type: ignore[no-untyped-call]
        )
        self._field = field_name

    def sign(self, pdf: bytes, *, reason: str, location: str) -> bytes:
        meta = signers.PdfSignatureMetadata(
            field_name=self._field,
            subfilter=fields.SigSeedSubFilter.PADES,
            md_algorithm="sha256",
            reason=reason,
            location=location,
        )
        out = signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)), meta, signer=self._signer)
        signed: bytes = out.getvalue()
        return signed

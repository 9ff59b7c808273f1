"""PAdES signatures on issued documents, behind an interface.

This is a PAdES signature whose appearance is the department's seal, not a
GB/T 38540 国密 electronic seal: no Python library builds one, and a
compliant one needs certified hardware. An office's certified seal service
plugs in by implementing ``DocumentSigner``.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from asn1crypto import crl as asn1_crl
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils import layout
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.timestamps import TimeStamper
from pyhanko.stamp import StaticStampStyle
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from signatures.pki import SigningIdentity

# Room for the CMS container: signature, certificate chain and timestamp token
# (about 5 KB with the development keys; long production chains have room too).
RESERVED_BYTES = 16 * 1024
FULL_BOX = layout.SimpleBoxLayoutRule(
    x_align=layout.AxisAlignment.ALIGN_MID, y_align=layout.AxisAlignment.ALIGN_MID, margins=layout.Margins(0, 0, 0, 0)
)

# pyHanko warns on every offline B-LT signature that it may not fetch revocation
# data; embedding exactly what the platform holds is the intent.
logging.getLogger("pyhanko.sign.signers.pdf_signer").setLevel(logging.ERROR)


@dataclass(frozen=True)
class SealAppearance:
    """The drawn seal (a one-page PDF) and where it sits on the document."""

    seal_pdf: Path
    page: int
    box: tuple[float, float, float, float]


@dataclass(frozen=True)
class ValidationData:
    """What B-LT embeds so the signature verifies offline: roots and revocation lists.

    The embedded default hands over its development CA's CRL (asked for on every
    signature, so a long-running worker never embeds a stale one); production
    fetches revocation data from the addresses in the certificates."""

    trust_roots: tuple[asn1_x509.Certificate, ...]
    crl_source: Callable[[], bytes] | None = None
    allow_fetching: bool = False

    def context(self) -> ValidationContext:
        crls = [asn1_crl.CertificateList.load(self.crl_source())] if self.crl_source is not None else []
        return ValidationContext(
            trust_roots=list(self.trust_roots),
            crls=crls,
            allow_fetching=self.allow_fetching,
            revocation_mode="soft-fail" if self.allow_fetching else "hard-fail",
        )


class DocumentSigner(Protocol):
    def sign(self, pdf: bytes, *, reason: str, location: str, appearance: SealAppearance | None = None) -> bytes: ...


class PadesSigner:
    """Signs with one department's identity: PAdES B-B, B-T with a timestamper,
    B-LT when validation data is given. The seal is the signature's appearance."""

    def __init__(
        self,
        identity: SigningIdentity,
        field_name: str = "OneStopSeal",
        *,
        timestamper: TimeStamper | None = None,
        validation: ValidationData | None = None,
        reserved_bytes: int | None = RESERVED_BYTES,
    ) -> None:
        self._signer = signers.SimpleSigner(
            signing_cert=identity.certificate,
            signing_key=identity.key,
            cert_registry=SimpleCertificateStore.from_certs(list(identity.chain)),  # type: ignore[no-untyped-call]
        )
        self._field = field_name
        self._timestamper = timestamper
        self._validation = validation
        self._reserved = reserved_bytes

    def sign(self, pdf: bytes, *, reason: str, location: str, appearance: SealAppearance | None = None) -> bytes:
        meta = signers.PdfSignatureMetadata(
            field_name=self._field,
            subfilter=fields.SigSeedSubFilter.PADES,
            md_algorithm="sha256",
            reason=reason,
            location=location,
            embed_validation_info=self._validation is not None,
            validation_context=self._validation.context() if self._validation is not None else None,
        )
        field_spec = stamp = None
        if appearance is not None:
            box = tuple(round(v) for v in appearance.box)
            field_spec = fields.SigFieldSpec(self._field, on_page=appearance.page, box=box)  # type: ignore[arg-type]
            stamp = StaticStampStyle.from_pdf_file(str(appearance.seal_pdf), border_width=0, background_layout=FULL_BOX)
        pdf_signer = signers.PdfSigner(
            meta, signer=self._signer, timestamper=self._timestamper, stamp_style=stamp, new_field_spec=field_spec
        )
        # A fixed reservation spares pyHanko a dry-run signature (and a second timestamp) to size it.
        out = pdf_signer.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)), bytes_reserved=self._reserved)
        signed: bytes = out.getvalue()
        return signed

"""From a document order to stored, sealed and signed bytes: render → seal → sign → store.

No database work happens here; ``documents.issuance`` decides what to issue
and records the result. Each stage is timed, for the benchmark.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from io import BytesIO
from pathlib import Path

from pyhanko.sign.timestamps import TimeStamper

from documents.render import DocumentOrder, DocumentRenderer
from signatures.pki import DevelopmentPki, SigningIdentity
from signatures.signing import PadesSigner, SealAppearance, ValidationData
from signatures.timestamps import make_timestamper
from storage import LocalAttachmentStore

MAX_DOCUMENT_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class Produced:
    pdf: bytes
    sha256: str
    signer: str
    signed_at: datetime
    timings: dict[str, float] = field(default_factory=dict)


@dataclass
class DocumentPipeline:
    """Built once per process; the font, seals and keys are prepared on first use."""

    font_dir: Path
    seal_dir: Path
    identity_of: Callable[[str, str], SigningIdentity]
    timestamper: TimeStamper
    validation: ValidationData
    store: LocalAttachmentStore
    location: str = ""

    @cached_property
    def renderer(self) -> DocumentRenderer:
        from signatures.fonts import prepared_font  # fontTools: only where documents are made

        return DocumentRenderer(prepared_font(self.font_dir))

    def produce(self, order: DocumentOrder, *, seal_name: str) -> Produced:
        timings: dict[str, float] = {}
        started = time.perf_counter()
        rendered = self.renderer.render(order)
        timings["render"] = time.perf_counter() - started

        started = time.perf_counter()
        from signatures.fonts import prepared_font
        from signatures.seal import seal_pdf

        drawn = seal_pdf(self.seal_dir, prepared_font(self.font_dir), seal_name, order.kind.seal_line)
        appearance = SealAppearance(drawn, rendered.seal_page, rendered.seal_box)
        timings["seal"] = time.perf_counter() - started

        started = time.perf_counter()
        identity = self.identity_of(order.kind.department, seal_name)
        signer = PadesSigner(identity, timestamper=self.timestamper, validation=self.validation)
        signed = signer.sign(
            rendered.pdf, reason=f"出具{order.kind.title}", location=self.location, appearance=appearance
        )
        signed_at = datetime.now(UTC)
        timings["sign"] = time.perf_counter() - started

        started = time.perf_counter()
        ref, _ = self.store.put(
            BytesIO(signed), name=f"{order.number}.pdf", content_type="application/pdf", max_bytes=MAX_DOCUMENT_BYTES
        )
        timings["store"] = time.perf_counter() - started
        common_name = identity.certificate.subject.native.get("common_name", seal_name)
        assert ref.sha256 == hashlib.sha256(signed).hexdigest()
        return Produced(signed, ref.sha256, str(common_name), signed_at, timings)


def development_pipeline(
    *, data_dir: Path, font_dir: Path, store: LocalAttachmentStore, tsa_url: str | None, location: str
) -> DocumentPipeline:
    """The embedded default: development CA, department keys and TSA under ``data_dir/pki``."""
    pki = DevelopmentPki(data_dir / "pki")
    return DocumentPipeline(
        font_dir=font_dir,
        seal_dir=data_dir / "seals",
        identity_of=pki.identity,
        timestamper=make_timestamper(tsa_url, pki),
        validation=ValidationData((pki.root(),), crl_source=pki.crl),
        store=store,
        location=location,
    )

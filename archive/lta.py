"""PAdES B-LTA: a document timestamp over the signed file and its validation
data, so the signature stays provable after its certificates expire.

``upgrade`` is applied once at ingest (B-T/B-LT → B-LTA); ``renew`` adds the
next archive timestamp before the last one's certificate runs out. Both are
incremental updates that verification accepts (pyHanko's "LTA updates").
"""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.signers.pdf_signer import PdfTimeStamper
from pyhanko.sign.timestamps import TimeStamper

from kernel import clock
from signatures.signing import ValidationData

RENEW_MARGIN = timedelta(days=180)


def upgrade(pdf: bytes, timestamper: TimeStamper, validation: ValidationData) -> bytes:
    out = PdfTimeStamper(timestamper).timestamp_pdf(
        IncrementalPdfFileWriter(io.BytesIO(pdf)), "sha256", validation_context=validation.context()
    )
    upgraded: bytes = out.getvalue()
    return upgraded


def renew(pdf: bytes, timestamper: TimeStamper, validation: ValidationData) -> bytes:
    reader = PdfFileReader(io.BytesIO(pdf))
    output = io.BytesIO()
    PdfTimeStamper(timestamper).update_archival_timestamp_chain(
        reader, validation.context(), in_place=False, output=output
    )
    return output.getvalue()


def renew_by(pdf: bytes) -> date | None:
    """When the newest document timestamp's certificate needs a successor."""
    reader = PdfFileReader(io.BytesIO(pdf))
    latest = None
    for signature in reader.embedded_signatures:
        token_cert = signature.signer_cert if signature.sig_object_type == "/DocTimeStamp" else None
        if token_cert is not None:
            latest = token_cert
    if latest is None:
        return None
    expires: datetime = latest["tbs_certificate"]["validity"]["not_after"].native
    return clock.business_day(expires - RENEW_MARGIN)

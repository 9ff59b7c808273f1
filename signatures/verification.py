"""Verifying signed documents: every signature intact, by a trusted signer,
and nothing added after it but validation data and document timestamps."""

from __future__ import annotations

import io
import logging
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
from pyhanko_certvalidator import ValidationContext

from kernel.errors import DomainError
from signatures.pdf_shape import check_shape, check_size
from signatures.pki import DEV_ORGANIZATION

ACCEPTED_AFTER_SIGNING = (ModificationLevel.NONE, ModificationLevel.LTA_UPDATES)
DOC_NUMBER_KEYS = ("/onestopdocnumber", "/OneStopDocNumber")  # WeasyPrint lower-cases custom meta names


@dataclass
class TimestampReport:
    time: str
    authority: str | None
    trusted: bool
    development: bool


@dataclass
class SignatureReport:
    signer: str | None
    signing_time: str | None
    intact: bool
    trusted: bool
    modification: str
    valid: bool
    reason: str | None
    timestamp: TimestampReport | None = None
    development: bool = False
    notes: list[str] = field(default_factory=list)


@dataclass
class DocumentTimestampReport:
    """An archive timestamp (PAdES B-LTA) over the signed file and its validation data."""

    time: str | None
    authority: str | None
    intact: bool
    trusted: bool
    development: bool
    valid: bool
    reason: str | None


@dataclass
class VerificationReport:
    valid: bool
    document_number: str | None
    signatures: list[SignatureReport] = field(default_factory=list)
    reason: str | None = None
    document_timestamps: list[DocumentTimestampReport] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _explain(intact: bool, trusted: bool, modification: ModificationLevel | None) -> str | None:
    if not intact:
        return "签名后文件内容被改动，签名无效"
    if modification not in ACCEPTED_AFTER_SIGNING:
        return "签名后文件被追加修改（不只是验证数据或时间戳）"
    if not trusted:
        return "签名证书不是由本平台信任的证书机构签发（不受信任）"
    return None


def _subject(cert: asn1_x509.Certificate | None, key: str) -> str | None:
    if cert is None:
        return None
    value = cert.subject.native.get(key)
    return str(value) if value is not None else None


def _timestamp(status: Any) -> TimestampReport | None:
    stamp = getattr(status, "timestamp_validity", None)
    if stamp is None:
        return None
    cert = getattr(stamp, "signing_cert", None)
    return TimestampReport(
        time=stamp.timestamp.isoformat(),
        authority=_subject(cert, "common_name"),
        trusted=bool(stamp.trusted),
        development=_subject(cert, "organization_name") == DEV_ORGANIZATION,
    )


def _notes(development: bool, timestamp: TimestampReport | None) -> list[str]:
    notes = []
    if development:
        notes.append("签名证书由平台开发测试证书机构签发，仅供测试，不是正式电子印章")
    if timestamp is None:
        notes.append("签名不含可信时间戳，签名时间仅为签署方自述")
    elif timestamp.development:
        notes.append("时间戳来自平台自带的开发测试时间戳服务，非正式时间戳机构")
    return notes


def verify_pdf(
    pdf: bytes, trust_roots: list[asn1_x509.Certificate], moment: datetime | None = None
) -> VerificationReport:
    """The report on every signature of ``pdf`` as of ``moment`` (now when None). A file
    too big or too complex to check within bounds raises a ``DomainError`` (see
    ``pdf_shape``); a file that cannot be parsed, however it fails, is reported as unreadable."""
    check_size(len(pdf))
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        check_shape(reader, len(pdf))
        embedded = list(reader.embedded_signatures)
        number = _document_number(reader)
    except DomainError:
        raise
    except Exception as exc:  # a hostile file can break the parser anywhere: it is unreadable, not our error
        return VerificationReport(False, None, reason=f"不是可读取的 PDF 文件：{_short(exc)}")
    try:
        return _verify(embedded, number, trust_roots, moment)
    except DomainError:
        raise
    except Exception as exc:
        return VerificationReport(False, number, reason=f"文件中的签名结构异常，无法验证：{_short(exc)}")


def _short(exc: Exception) -> str:
    return (str(exc) or type(exc).__name__)[:200]


def _document_number(reader: PdfFileReader) -> str | None:
    info = reader.trailer_view.get("/Info")
    info = info.get_object() if info is not None else None
    if not isinstance(info, dict):
        return None
    number = next((info[k] for k in DOC_NUMBER_KEYS if k in info), None)
    return str(number) if number is not None else None


def _verify(
    embedded: list[Any], number: str | None, trust_roots: list[asn1_x509.Certificate], moment: datetime | None
) -> VerificationReport:
    report = VerificationReport(True, number)
    if not embedded:
        report.valid, report.reason = False, "文件中没有数字签名"
        return report
    context = ValidationContext(trust_roots=trust_roots, moment=moment)
    certvalidator_log = logging.getLogger("pyhanko_certvalidator")
    for signature in embedded:
        previous = certvalidator_log.level
        certvalidator_log.setLevel(logging.CRITICAL)  # an untrusted path is reported, not an error
        try:
            if signature.sig_object_type == "/DocTimeStamp":
                report.document_timestamps.append(_document_timestamp(signature, context))
                continue
            status = validate_pdf_signature(signature, context)
        finally:
            certvalidator_log.setLevel(previous)
        modification = status.modification_level
        reason = _explain(status.intact and status.valid, status.trusted, modification)
        cert = signature.signer_cert
        timestamp = _timestamp(status)
        development = _subject(cert, "organization_name") == DEV_ORGANIZATION
        report.signatures.append(
            SignatureReport(
                signer=_subject(cert, "common_name"),
                signing_time=status.signer_reported_dt.isoformat() if status.signer_reported_dt else None,
                intact=bool(status.intact and status.valid),
                trusted=bool(status.trusted),
                modification=modification.name if modification is not None else "UNKNOWN",
                valid=reason is None,
                reason=reason,
                timestamp=timestamp,
                development=development,
                notes=_notes(development, timestamp),
            )
        )
    failed = [s.reason for s in report.signatures if not s.valid]
    failed += [t.reason for t in report.document_timestamps if not t.valid]
    if not report.signatures:
        failed.append("文件中只有时间戳，没有数字签名")
    if failed:
        report.valid, report.reason = False, failed[0]
    return report


def _document_timestamp(signature: Any, context: ValidationContext) -> DocumentTimestampReport:
    status = validate_pdf_timestamp(signature, validation_context=context)
    cert = signature.signer_cert
    intact, trusted = bool(status.intact and status.valid), bool(status.trusted)
    reason = None
    if not intact:
        reason = "归档时间戳之后文件被改动"
    elif not trusted:
        reason = "归档时间戳的证书不受信任"
    return DocumentTimestampReport(
        time=status.timestamp.isoformat() if status.timestamp else None,
        authority=_subject(cert, "common_name"),
        intact=intact,
        trusted=trusted,
        development=_subject(cert, "organization_name") == DEV_ORGANIZATION,
        valid=reason is None,
        reason=reason,
    )

"""The integrity check report of an archived record (四性检测: authenticity,
integrity, usability, security), made at ingest and again on demand.

A record that fails a check is kept and flagged; the report says why.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from asn1crypto import x509 as asn1_x509

from kernel.db import utcnow
from signatures.verification import verify_pdf
from storage.archive import ArchiveRefused, ArchiveStore, sha256_hex

if TYPE_CHECKING:  # pypdf (and the fontTools and Pillow it loads) only where a PDF is checked
    from pypdf import PdfReader

LABELS = {
    "stored": "对象存在",
    "hash": "摘要一致",
    "retention": "保管期限锁定",
    "signature": "签名有效",
    "signer": "签名人可信",
    "timestamp": "时间戳",
    "pdfa": "PDF/A 标识",
    "text": "文字可提取",
    "fonts": "字体嵌入",
    "active_content": "无活动内容",
    "encryption": "未加密",
    "readable": "可读取",
    "manifest_signature": "清单签名",
    "manifest": "清单完整",
    "attachments": "附件齐全",
    "format": "长期可读格式",
}
GROUPS = {"authenticity": "真实性", "integrity": "完整性", "usability": "可用性", "security": "安全性"}
# What a reader could run: actions that execute, script name trees, rich media.
ACTIVE_ACTIONS = frozenset({"/JavaScript", "/Launch", "/RichMediaExecute", "/ImportData", "/SubmitForm"})


@dataclass(frozen=True)
class Check:
    group: str
    name: str
    passed: bool
    detail: str


def report(checks: list[Check]) -> dict[str, Any]:
    failed = [c for c in checks if not c.passed]
    return {
        "passed": not failed,
        "checked_at": utcnow().isoformat(),
        "failures": [f"{GROUPS[c.group]}：{c.detail}" for c in failed],
        "checks": [asdict(c) | {"group_name": GROUPS[c.group], "label": LABELS.get(c.name, c.name)} for c in checks],
    }


def _stored(store: ArchiveStore, key: str, version_id: str, sha256: str) -> tuple[bytes | None, list[Check]]:
    try:
        data = store.get(key, version_id)
        stat = store.stat(key, version_id)
    except ArchiveRefused as exc:
        return None, [Check("integrity", "stored", False, f"存储中找不到该对象（{exc.message}）")]
    checks = [
        Check(
            "integrity",
            "hash",
            sha256_hex(data) == sha256,
            "内容的 SHA-256 与登记值一致" if sha256_hex(data) == sha256 else "内容的 SHA-256 与登记值不一致",
        ),
        Check(
            "security",
            "retention",
            stat.legal_hold or stat.retain_until is not None,
            "已按保管期限锁定保存" if (stat.legal_hold or stat.retain_until) else "存储对象未设置保管期限",
        ),
    ]
    return data, checks


def _pdf_checks(pdf: bytes, roots: list[asn1_x509.Certificate]) -> list[Check]:
    verified = verify_pdf(pdf, roots)
    signatures = verified.signatures
    stamped = [s for s in signatures if s.timestamp is not None]
    checks = [
        Check(
            "authenticity",
            "signature",
            verified.valid,
            "签名有效，签名后未被改动" if verified.valid else (verified.reason or "签名无效"),
        ),
        Check(
            "authenticity",
            "signer",
            bool(signatures) and all(s.trusted for s in signatures),
            "签名人证书受信任" if signatures and all(s.trusted for s in signatures) else "签名人证书不受信任或没有签名",
        ),
        Check("authenticity", "timestamp", bool(stamped), "含可信时间戳" if stamped else "签名不含时间戳"),
    ]
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(pdf))
        xmp = reader.xmp_metadata.stream.get_data().decode("utf-8", "replace") if reader.xmp_metadata else ""
        pdfa = bool(re.search(r'pdfaid:part(="|>)\d', xmp))
        text = pdf_text(pdf)
        fonts_embedded = _fonts_embedded(reader)
        encrypted = reader.is_encrypted
        active = None if encrypted else active_content(reader)
    except (PdfReadError, ValueError, KeyError) as exc:
        return [*checks, Check("usability", "readable", False, f"PDF 无法读取：{exc}")]
    checks += [
        Check("usability", "pdfa", pdfa, "含 PDF/A 标识" if pdfa else "缺少 PDF/A 标识（XMP pdfaid）"),
        Check("usability", "text", len(text.strip()) > 0, "文字可提取" if text.strip() else "无法提取文字"),
        Check("usability", "fonts", fonts_embedded, "字体均已嵌入" if fonts_embedded else "存在未嵌入的字体"),
        Check(
            "security",
            "active_content",
            active is None,
            "不含脚本等活动内容" if active is None else f"含有脚本或可执行的活动内容（{active}）",
        ),
        Check("security", "encryption", not encrypted, "未加密，可长期读取" if not encrypted else "文件已加密"),
    ]
    return checks


@lru_cache(maxsize=8)
def pdf_text(pdf: bytes) -> str:
    """The text of a PDF's pages. Cached by content: ingest indexes a document's
    text and then checks the copy read back from the store, the same bytes."""
    from pypdf import PdfReader

    return "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)


def active_content(reader: PdfReader) -> str | None:
    """The first thing in the document's objects that a reader could execute.

    It walks the object graph from the trailer, dictionaries and arrays only:
    stream contents are never read, so compressed or signed bytes that happen
    to spell ``/JS`` are not mistaken for a script. A search of the raw bytes did
    that to about one signed document in 170 (three random bytes spelling it)."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    containers = (IndirectObject, DictionaryObject, ArrayObject)
    seen: set[tuple[int, int]] = set()
    pending: list[Any] = [reader.trailer]
    while pending:
        item = pending.pop()
        if isinstance(item, IndirectObject):
            if (item.idnum, item.generation) in seen:
                continue
            seen.add((item.idnum, item.generation))
            item = item.get_object()
        if isinstance(item, DictionaryObject):
            if "/JS" in item or item.get("/S") in ACTIVE_ACTIONS:
                return f"动作 {item.get('/S', '/JavaScript')}"
            if "/JavaScript" in item:
                return "文档级脚本"
            if item.get("/Subtype") == "/RichMedia":
                return "富媒体注释"
            if item.get("/Type") == "/EmbeddedFile" and str(item.get("/Subtype", "")).startswith("/application/x-"):
                return f"可执行的嵌入文件 {item.get('/Subtype')}"
            signature_field = item.get("/FT") == "/Sig"  # its value is signature bytes: slow to parse, never active
            pending.extend(
                v for k, v in item.items() if isinstance(v, containers) and not (signature_field and k == "/V")
            )
        elif isinstance(item, ArrayObject):
            pending.extend(v for v in item if isinstance(v, containers))  # not a font's thousands of widths
    return None


def _fonts_embedded(reader: PdfReader) -> bool:
    for page in reader.pages:
        resources = page.get("/Resources")
        fonts = resources.get_object().get("/Font") if resources is not None else None
        if fonts is None:
            continue
        for ref in fonts.get_object().values():
            font = ref.get_object()
            descriptors = [font.get("/FontDescriptor")]
            descriptors += [d.get_object().get("/FontDescriptor") for d in font.get("/DescendantFonts", [])]
            found = [d.get_object() for d in descriptors if d is not None]
            if found and not any(k in d for d in found for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                return False
    return True


def check_document(
    store: ArchiveStore, key: str, version_id: str, sha256: str, roots: list[asn1_x509.Certificate]
) -> dict[str, Any]:
    data, checks = _stored(store, key, version_id, sha256)
    if data is not None:
        checks += _pdf_checks(data, roots)
    return report(checks)


def check_dossier(
    store: ArchiveStore,
    key: str,
    version_id: str,
    sha256: str,
    verify_manifest: Callable[[bytes], tuple[bool, str]],
    attachment_present: Callable[[dict[str, Any]], bool],
) -> dict[str, Any]:
    import json

    data, checks = _stored(store, key, version_id, sha256)
    if data is None:
        return report(checks)
    signed, detail = verify_manifest(data)
    checks.append(Check("authenticity", "manifest_signature", signed, detail))
    try:
        manifest = json.loads(data)["manifest"]
        complete = all(k in manifest for k in ("matter", "application", "opinions", "audit", "attachments"))
        missing = [a["name"] for a in manifest.get("attachments", []) if not attachment_present(a)]
    except (ValueError, KeyError, TypeError):
        return report([*checks, Check("usability", "readable", False, "案卷清单不是有效的 JSON")])
    checks += [
        Check("integrity", "manifest", complete, "案卷清单完整" if complete else "案卷清单缺少必备部分"),
        Check(
            "integrity", "attachments", not missing, "附件齐全" if not missing else f"缺少附件：{'、'.join(missing)}"
        ),
        Check("usability", "format", True, "JSON（UTF-8）文本，可长期读取"),
    ]
    return report(checks)

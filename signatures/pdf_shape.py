"""The shape of a PDF to verify, checked before any signature is validated.

Validating one signature costs a diff of every later revision, so a small
file can ask for hours of work: 2,000 signature fields pointing at one
signature made a 226 KB file take 139 s. A document this platform issues
has one signature, a document timestamp per archive renewal, a handful of
revisions and about a hundred objects; the caps below leave a wide margin
above that and refuse the rest in milliseconds, with the reason in Chinese.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import enumerate_sig_fields

from kernel.errors import PayloadTooLarge, ValidationFailed

MAX_BYTES = 10 * 1024 * 1024
MAX_REVISIONS = 64
MAX_OBJECTS = 20_000
MAX_SIGNATURES = 32  # one signature plus a document timestamp per renewal, for decades


@dataclass(frozen=True)
class PdfShape:
    size: int
    revisions: int
    objects: int
    signatures: int


def check_size(size: int) -> None:
    if size > MAX_BYTES:
        raise PayloadTooLarge("file_too_large", f"文件超过 {MAX_BYTES >> 20} MB，无法验证")


def check_shape(reader: PdfFileReader, size: int) -> PdfShape:
    """Refuse a file whose structure would make verification unbounded (its size is checked before it is parsed)."""
    revisions = reader.xrefs.total_revisions
    if revisions > MAX_REVISIONS:
        raise _too_complex(f"文件有 {revisions} 次修订，超过 {MAX_REVISIONS} 次的验证上限")
    objects = sum(len(reader.xrefs.explicit_refs_in_revision(i)) for i in range(revisions))
    if objects > MAX_OBJECTS:
        raise _too_complex(f"文件含 {objects} 个对象，超过 {MAX_OBJECTS} 个的验证上限")
    values: set[Any] = set()
    fields = 0
    for _name, _value, field_ref in enumerate_sig_fields(reader, filled_status=True):
        fields += 1
        if fields > MAX_SIGNATURES:
            raise _too_complex(f"文件中的签名超过 {MAX_SIGNATURES} 个的验证上限")
        value = field_ref.get_object().raw_get("/V")
        key = (value.idnum, value.generation) if isinstance(value, generic.IndirectObject) else id(value)
        if key in values:
            raise ValidationFailed("pdf_signature_reused", "文件中多个签名域指向同一个签名，疑似恶意构造，不予验证")
        values.add(key)
    return PdfShape(size=size, revisions=revisions, objects=objects, signatures=fields)


def _too_complex(message: str) -> ValidationFailed:
    return ValidationFailed("pdf_too_complex", message)

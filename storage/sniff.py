"""Is an uploaded file what it says it is? Checked on its content, not its name or first bytes.

* the kind is sniffed by ``filetype`` (it reads inside a ZIP to tell DOCX from
  XLSX from a plain archive) and must be the declared one;
* a PDF must open as one (a trailer, a catalogue with pages): ``%PDF-`` followed
  by HTML is not a PDF;
* JPEG and PNG must decode (Pillow's check, with its decompression-bomb guard);
* ZIP-based kinds (DOCX, XLSX, OFD) are opened with limits on members, total
  size and compression ratio before anything reads them, and must hold the
  parts their kind requires.

Each refusal names the file and says why, in Chinese.
"""

from __future__ import annotations

import io
import zipfile

import filetype

from kernel.errors import UnsupportedMediaType

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
OFD = "application/ofd"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
KINDS = (PDF, JPEG, PNG, OFD, DOCX, XLSX)

MAX_MEMBERS = 2000
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_RATIO = 200  # uncompressed / compressed, per member
REQUIRED_PARTS = {DOCX: ("[Content_Types].xml", "word/"), XLSX: ("[Content_Types].xml", "xl/"), OFD: ("OFD.xml",)}


def check(content: bytes, declared: str, name: str) -> None:
    """Refuse ``content`` unless it really is a file of the ``declared`` kind."""
    if declared not in KINDS:
        raise UnsupportedMediaType(
            "attachment_type_not_allowed",
            f"附件“{name}”的类型不受支持，仅接受 PDF、JPEG、PNG、OFD、DOCX、XLSX",
            {"file": name, "content_type": declared},
        )
    sniffed = filetype.guess_mime(content)
    expected = "application/zip" if declared == OFD else declared
    if sniffed != expected:
        raise _refused(name, "的内容与其声明的类型不符")
    if declared == PDF:
        _check_pdf(content, name)
    elif declared in (JPEG, PNG):
        _check_image(content, name)
    else:
        _check_zip(content, declared, name)


def _refused(name: str, why: str, code: str = "attachment_content_mismatch") -> UnsupportedMediaType:
    return UnsupportedMediaType(code, f"附件“{name}”{why}", {"file": name})


def _check_pdf(content: bytes, name: str) -> None:
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        reader = PdfFileReader(io.BytesIO(content), strict=False)
        root = reader.root
        pages = root["/Pages"].get_object()
        count = int(pages.get("/Count", 0))
    except Exception:  # any parser failure: not a readable PDF
        raise _refused(name, "不是可读取的 PDF 文件") from None
    if count < 1:
        raise _refused(name, "是没有页面的 PDF 文件")


def _check_image(content: bytes, name: str) -> None:
    from PIL import Image

    try:
        with Image.open(io.BytesIO(content)) as image:
            image.verify()
    except Exception:  # truncated, corrupt, or a decompression bomb
        raise _refused(name, "不是可读取的图片") from None


def _check_zip(content: bytes, declared: str, name: str) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise _refused(name, "不是完整的文件（压缩结构损坏）") from None
    if len(members) > MAX_MEMBERS:
        raise _refused(name, f"包含的部件超过 {MAX_MEMBERS} 个", "attachment_too_complex")
    if sum(m.file_size for m in members) > MAX_UNPACKED_BYTES:
        raise _refused(name, f"解压后超过 {MAX_UNPACKED_BYTES >> 20} MB", "attachment_too_complex")
    if any(m.file_size > MAX_RATIO * max(m.compress_size, 1) for m in members):
        raise _refused(name, "的压缩比异常（疑似压缩炸弹）", "attachment_too_complex")
    names = [m.filename for m in members]
    for part in REQUIRED_PARTS[declared]:
        if not any(n == part or (part.endswith("/") and n.startswith(part)) for n in names):
            raise _refused(name, "的内容与其声明的类型不符")

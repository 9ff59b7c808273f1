"""The CJK font of issued documents, prepared once per install, never per document.

Font subsetting at render time is the whole cost of a Chinese PDF: the
renderer loads and subsets the entire 21 MB AR PL UMing collection for every
document. So the platform cuts, once, a smaller TrueType font from it that
holds the GB 2312 characters, ASCII and the CJK punctuation, without hinting
or embedded bitmaps, and documents name it first. A character outside that
set (a rare character in a person's name) still renders: the stylesheet
falls back to the full system font for that glyph only.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import subprocess
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection, TTFont

log = logging.getLogger(__name__)

SYSTEM_FAMILY = "AR PL UMing CN"
DOCUMENT_FAMILY = "OneStop Song"
KNOWN_LOCATIONS = (
    Path("/usr/share/fonts/truetype/arphic/uming.ttc"),
    Path("/usr/share/fonts/truetype/arphic-uming/uming.ttc"),
)
CHARSET_VERSION = "gb2312-1"


class FontMissing(RuntimeError):
    """No CJK serif font on this machine (install the fonts-arphic-uming package)."""


def system_font_file() -> Path:
    for candidate in KNOWN_LOCATIONS:
        if candidate.exists():
            return candidate
    if shutil.which("fc-match"):
        found = subprocess.run(
            ["fc-match", "-f", "%{file}", f"{SYSTEM_FAMILY}:lang=zh-cn"], capture_output=True, text=True, check=False
        ).stdout.strip()
        if found and "uming" in found.lower() and Path(found).exists():
            return Path(found)
    raise FontMissing(
        f"找不到中文字体“{SYSTEM_FAMILY}”，文书无法生成：请安装 fonts-arphic-uming"
        "（以 root 执行 bash deploy/system-packages.sh 或 apt-get install -y fonts-arphic-uming）"
    )


def document_characters() -> set[int]:
    """GB 2312 (every character of ordinary official text), ASCII, punctuation, full-width forms."""
    chars = set(range(0x20, 0x7F)) | set(range(0x2000, 0x2070)) | set(range(0x3000, 0x3040))
    chars |= set(range(0xFF00, 0xFFF0)) | {0xB7, 0xD7, 0xF7}
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                chars.add(ord(bytes((high, low)).decode("gb2312")))
            except UnicodeDecodeError:
                continue
    return chars


def _load_family(source: Path) -> TTFont:
    if source.suffix.lower() != ".ttc":
        return TTFont(source)
    collection = TTCollection(source)
    for font in collection.fonts:
        if font["name"].getDebugName(1) == SYSTEM_FAMILY:
            return font
    return collection.fonts[0]


def _cut(source: Path, target: Path) -> None:
    options = subset.Options()
    options.hinting = False
    options.drop_tables += ["EBDT", "EBLC", "EBSC", "DSIG", "BDF", "FFTM"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.layout_features = ["*"]
    font = _load_family(source)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=document_characters())
    subsetter.subset(font)
    partial = target.with_suffix(".tmp")
    font.save(partial)
    os.replace(partial, target)  # a crash never leaves half a font behind


def prepared_font(folder: Path) -> Path:
    """The document font under ``folder``, cut from the system font on first use (~7 s)."""
    source = system_font_file()
    stat = source.stat()
    key = hashlib.sha256(f"{source}:{stat.st_size}:{stat.st_mtime_ns}:{CHARSET_VERSION}".encode()).hexdigest()[:12]
    target = folder / f"onestop-song-{key}.ttf"
    if not target.exists():
        folder.mkdir(parents=True, exist_ok=True)
        log.info("preparing the document font from %s (once)", source)
        _cut(source, target)
    return target

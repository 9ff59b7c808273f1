"""The drawn stamp of an issuing department (电子印章的外观).

A red ring, a five-point star in the middle, the department's name along the
upper arc and an optional line below the star, as on a paper seal of 42 mm.
The renderer draws no SVG ``textPath``, so every character is turned into
its glyph outline here and placed on the arc as a plain path.
"""

from __future__ import annotations

import base64
import hashlib
import math
import os
from functools import lru_cache
from pathlib import Path

from fontTools.pens.svgPathPen import SVGPathPen
from fontTools.pens.transformPen import TransformPen
from fontTools.ttLib import TTFont
from weasyprint import HTML

SEAL_RED = "#d7000f"
SIZE = 420  # drawing units: tenths of a millimetre, the seal is 42 mm across
CENTRE = SIZE / 2
SEAL_VERSION = 2  # bump when the drawing changes, so cached seals are redrawn
# Seal ink lets the 署名 and date it presses on show through (GB/T 9704: the seal covers them, they stay legible).
INK_OPACITY = 0.8


@lru_cache(maxsize=2)
def _font(path: str) -> TTFont:
    return TTFont(path, lazy=True)


def _glyph_path(font: TTFont, char: str, transform: tuple[float, float, float, float, float, float]) -> str:
    cmap = font.getBestCmap()
    name = cmap.get(ord(char))
    if name is None:
        return ""
    glyphs = font.getGlyphSet()
    pen = SVGPathPen(glyphs)
    glyphs[name].draw(TransformPen(pen, transform))
    return str(pen.getCommands())


def _placed(font: TTFont, char: str, *, size: float, width_ratio: float, angle: float, radius: float) -> str:
    """A glyph standing on the ring: its top ``radius`` from the centre, rotated by ``angle`` (0 = top)."""
    em = font["head"].unitsPerEm
    scale_x, scale_y = size * width_ratio / em, size / em
    # glyph space (y up, origin at the baseline start) → around the top point of the ring → rotated.
    cos_a, sin_a = math.cos(math.radians(angle)), math.sin(math.radians(angle))
    # local: x' = x*sx - size*width_ratio/2 ; y' = -(y*sy) - radius + size*0.88  (baseline below the ring top)
    local_dx, local_dy = -size * width_ratio / 2, -radius + size * 0.88
    a, b = scale_x * cos_a, scale_x * sin_a
    c, d = scale_y * sin_a, -scale_y * cos_a
    e = CENTRE + local_dx * cos_a - local_dy * sin_a
    f = CENTRE + local_dx * sin_a + local_dy * cos_a
    return _glyph_path(font, char, (a, b, c, d, e, f))


def _straight(font: TTFont, text: str, *, size: float, baseline: float) -> str:
    em = font["head"].unitsPerEm
    width = size * 0.8
    left = CENTRE - width * len(text) / 2
    paths = []
    for index, char in enumerate(text):
        x = left + index * width
        paths.append(_glyph_path(font, char, (width / em, 0, 0, -size / em, x, baseline)))
    return " ".join(p for p in paths if p)


def _star(radius: float) -> str:
    points = []
    for i in range(10):
        r = radius if i % 2 == 0 else radius * 0.382
        angle = math.radians(-90 + i * 36)
        points.append(f"{CENTRE + r * math.cos(angle):.2f},{CENTRE + r * math.sin(angle):.2f}")
    return " ".join(points)


def seal_svg(font_file: Path, name: str, bottom_line: str = "") -> str:
    """The seal as standalone SVG (42 mm square, transparent around the ring)."""
    font = _font(str(font_file))
    count = max(len(name), 1)
    span = min(250.0, 22.0 * count)
    step = span / max(count - 1, 1)
    start = -span / 2 if count > 1 else 0.0
    size = 62.0 if count <= 12 else 54.0
    arc = " ".join(
        _placed(font, char, size=size, width_ratio=0.78, angle=start + i * step, radius=174.0)
        for i, char in enumerate(name)
    )
    bottom = _straight(font, bottom_line, size=44.0, baseline=CENTRE + 128) if bottom_line else ""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="42mm" height="42mm" viewBox="0 0 {SIZE} {SIZE}">'
        f'<circle cx="{CENTRE}" cy="{CENTRE}" r="{CENTRE - 9}" fill="none" stroke="{SEAL_RED}" stroke-width="12"'
        f' stroke-opacity="{INK_OPACITY}"/>'
        f'<polygon points="{_star(68)}" fill="{SEAL_RED}" fill-opacity="{INK_OPACITY}"/>'
        f'<path d="{arc} {bottom}" fill="{SEAL_RED}" fill-opacity="{INK_OPACITY}"/>'
        "</svg>"
    )


def seal_pdf(folder: Path, font_file: Path, name: str, bottom_line: str = "") -> Path:
    """The seal as a one-page 42 mm PDF, drawn once per department and reused as
    the signature's appearance."""
    key = hashlib.sha256(f"{font_file.name}|{name}|{bottom_line}|{SEAL_VERSION}".encode()).hexdigest()[:16]
    target = folder / f"seal-{key}.pdf"
    if not target.exists():
        folder.mkdir(parents=True, exist_ok=True)
        svg = seal_svg(font_file, name, bottom_line)
        uri = "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
        html = (
            "<style>@page{size:42mm 42mm;margin:0}body{margin:0}</style>"
            f'<img src="{uri}" style="width:42mm;height:42mm;display:block">'
        )
        partial = target.with_suffix(".tmp")
        HTML(string=html).write_pdf(partial)
        os.replace(partial, target)
    return target

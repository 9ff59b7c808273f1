"""Rendering an official document: Jinja2 template → WeasyPrint → PDF/A-3b.

The decision data the document states is attached inside the PDF as
``decision.json`` (PDF/A-3 associated file, relationship ``Data``), so a
machine can read exactly what a person reads. The renderer also reports
where the seal goes: the template marks a 42 mm box over the issuer and the
date (``id="seal"``), and the page's anchors give its position.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import date
from io import BytesIO
from pathlib import Path
from typing import Any

import qrcode
import qrcode.constants
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, select_autoescape

from documents.kinds import DocumentKind

PX_TO_PT = 0.75
ATTACHMENT_NAME = "decision.json"
PDF_OPTIONS: dict[str, Any] = {"pdf_variant": "pdf/a-3b", "custom_metadata": True}


@dataclass(frozen=True)
class DocumentOrder:
    """Everything one document states; nothing is looked up while rendering."""

    kind: DocumentKind
    number: str
    issuer: str
    issued_on: date
    facts: dict[str, Any]
    verify_url: str


@dataclass(frozen=True)
class RenderedDocument:
    pdf: bytes
    seal_page: int
    seal_box: tuple[float, float, float, float]  # PDF points, lower-left origin


def chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def attachment_bytes(facts: dict[str, Any]) -> bytes:
    """The attached decision data; canonical JSON, so it compares byte for byte."""
    return json.dumps(facts, ensure_ascii=False, sort_keys=True, indent=2).encode()


def _qr_data_uri(text: str) -> str:
    """A 1-bit PNG, one pixel per module, scaled without smoothing by the page.
    (An SVG path of the same code costs the renderer ~60 ms to parse; a fixed
    mask pattern spares trying all eight, which is most of the encoder's time.)"""
    code = qrcode.QRCode(border=1, box_size=1, error_correction=qrcode.constants.ERROR_CORRECT_M, mask_pattern=2)
    code.add_data(text)
    code.make(fit=True)
    out = BytesIO()
    code.make_image().save(out, format="PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def _common_context(order: DocumentOrder) -> dict[str, Any]:
    """What several kinds state: the unit's code and name as the matter left them, the committee."""
    facts = order.facts
    matter = facts.get("matter", {})
    app = facts.get("application", {})
    code = (facts.get("credit_code") or {}).get("code") or matter.get("credit_code") or ""
    unit_name = (facts.get("unit") or {}).get("name") or app.get("new_name") or matter.get("unit_name", "")
    return {"code": code, "unit_name": unit_name, "committee": order.issuer.replace("办公室", "")}


class DocumentRenderer:
    """One per worker: the font configuration and templates are built once."""

    def __init__(self, font_file: Path) -> None:
        # WeasyPrint loads here, in the worker that renders: the API imports this module for
        # DocumentOrder and never renders, so it never carries WeasyPrint's memory.
        from weasyprint.text.fonts import FontConfiguration

        self._font_url = font_file.resolve().as_uri()
        self._fonts = FontConfiguration()
        self._environments: dict[Path | None, Environment] = {}

    def _templates(self, folder: Path | None) -> Environment:
        """The kind's folder first (its matter's documents/), then the shared layout (base.html.j2)."""
        if folder not in self._environments:
            shared = PackageLoader("documents", "templates")
            loader = ChoiceLoader([FileSystemLoader(folder), shared]) if folder else shared
            self._environments[folder] = Environment(loader=loader, autoescape=select_autoescape(["j2", "html"]))
        return self._environments[folder]

    def html(self, order: DocumentOrder) -> str:
        kind = order.kind
        template = self._templates(kind.template_dir).get_template(kind.template)
        return template.render(
            kind=kind,
            number=order.number,
            issuer=order.issuer,
            title=kind.heading_of(order.facts),
            facts=order.facts,
            issued_on_text=chinese_date(order.issued_on),
            verify_url=order.verify_url,
            qr_data_uri=_qr_data_uri(order.verify_url),
            font_url=self._font_url,
            **_common_context(order),
            **(kind.context(order.facts, order.issued_on) if kind.context else {}),
        )

    def render(self, order: DocumentOrder) -> RenderedDocument:
        from weasyprint import HTML, Attachment

        document = HTML(string=self.html(order)).render(font_config=self._fonts, **PDF_OPTIONS)
        seal_page, box = self._seal_box(document)
        attachment = Attachment(
            file_obj=BytesIO(attachment_bytes(order.facts)),
            name=ATTACHMENT_NAME,
            description=f"{order.kind.title}（{order.number}）所载决定数据",
            relationship="Data",
        )
        pdf = document.write_pdf(attachments=[attachment], **PDF_OPTIONS)
        assert pdf is not None
        return RenderedDocument(pdf, seal_page, box)

    @staticmethod
    def _seal_box(document: Any) -> tuple[int, tuple[float, float, float, float]]:
        for index, page in enumerate(document.pages):
            if "seal" in page.anchors:
                x1, y1, x2, y2 = (value * PX_TO_PT for value in page.anchors["seal"])
                height = page.height * PX_TO_PT
                return index, (x1, height - y2, x2, height - y1)
        raise LookupError("模板中没有印章位置（id=seal）")

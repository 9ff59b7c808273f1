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
from jinja2 import Environment, PackageLoader, select_autoescape

from documents.kinds import DocumentKind
from kernel.calendar import add_years

PX_TO_PT = 0.75
ATTACHMENT_NAME = "decision.json"
PDF_OPTIONS: dict[str, Any] = {"pdf_variant": "pdf/a-3b", "custom_metadata": True}
ACTIONS = {
    "new": ("赋码", "赋予统一社会信用代码"),
    "change": ("变更登记", "办理代码信息变更"),
    "cancel": ("注销", "注销统一社会信用代码"),
}


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


def _title(order: DocumentOrder) -> str:
    if order.kind.key == "institution_approval":
        return f"关于设立{order.facts['application']['name']}的批复"
    return order.kind.title


def _kind_context(order: DocumentOrder) -> dict[str, Any]:
    facts = order.facts
    matter = facts.get("matter", {})
    app = facts.get("application", {})
    code = (facts.get("credit_code") or {}).get("code") or matter.get("credit_code") or ""
    action = str(app.get("action") or "new")
    label, text = ACTIONS.get(action, ACTIONS["new"])
    unit_name = (facts.get("unit") or {}).get("name") or app.get("new_name") or matter.get("unit_name", "")
    return {
        "code": code,
        "unit_name": unit_name,
        "action_label": label,
        "action_text": text,
        "committee": order.issuer.replace("办公室", ""),
        "valid_until_text": chinese_date(add_years(order.issued_on, 5)),
    }


class DocumentRenderer:
    """One per worker: the font configuration and templates are built once."""

    def __init__(self, font_file: Path) -> None:
        # WeasyPrint loads here, in the worker that renders: the API imports this module for
        # DocumentOrder and never renders, so it never carries WeasyPrint's memory.
        from weasyprint.text.fonts import FontConfiguration

        self._font_url = font_file.resolve().as_uri()
        self._fonts = FontConfiguration()
        self._templates = Environment(
            loader=PackageLoader("documents", "templates"), autoescape=select_autoescape(["j2", "html"])
        )

    def html(self, order: DocumentOrder) -> str:
        template = self._templates.get_template(order.kind.template)
        return template.render(
            kind=order.kind,
            number=order.number,
            issuer=order.issuer,
            title=_title(order),
            facts=order.facts,
            issued_on_text=chinese_date(order.issued_on),
            verify_url=order.verify_url,
            qr_data_uri=_qr_data_uri(order.verify_url),
            font_url=self._font_url,
            **_kind_context(order),
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

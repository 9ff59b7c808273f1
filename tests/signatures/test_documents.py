"""Every document kind renders with real Chinese text, as PDF/A-3b with its
decision data attached, sealed and signed at B-T with validation data."""

from __future__ import annotations

import io
import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fontTools.ttLib import TTFont
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pypdf import PdfReader

from documents.pipeline import DocumentPipeline, development_pipeline
from documents.render import ATTACHMENT_NAME, DocumentOrder, attachment_bytes
from documents.samples import sample_facts
from processes import catalogue as matters
from signatures.fonts import document_characters
from signatures.seal import INK_OPACITY
from signatures.verification import verify_pdf
from storage import LocalAttachmentStore

TODAY = date(2026, 11, 23)
FORMS = matters.load().forms()
KINDS = matters.load().document_kinds()
ISSUER = "示范市机构编制委员会办公室"


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> DocumentPipeline:
    from onestop.settings import Settings

    data = tmp_path_factory.mktemp("documents")
    return development_pipeline(
        data_dir=data,
        font_dir=Settings().font_dir,
        store=LocalAttachmentStore(data / "store"),
        tsa_url=None,
        location="示范市",
    )


def order_for(kind: str, facts: dict[str, Any] | None = None, number: str | None = None) -> DocumentOrder:
    spec = KINDS[kind]
    return DocumentOrder(
        spec,
        number or spec.number("示", 2026, 7),
        ISSUER,
        TODAY,
        facts or sample_facts(KINDS[kind], TODAY, FORMS),
        "http://127.0.0.1:8000/verify/abcdefgh12345678",
    )


def page_text(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def embedded_characters(pdf: bytes) -> set[int]:
    """Every character some embedded font can draw (its cmap): what is not here is a tofu box."""
    reader = PdfReader(io.BytesIO(pdf))
    found: set[int] = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            for descendant in font.get("/DescendantFonts", []):
                stream = descendant.get_object()["/FontDescriptor"].get_object().get("/FontFile2")
                if stream is not None:
                    found |= set(TTFont(io.BytesIO(stream.get_object().get_data())).getBestCmap())
    return found


def expected_phrases(kind: str, facts: dict[str, Any]) -> list[str]:
    app = facts.get("application", {})
    phrases = {
        "institution_approval": [f"关于设立{app.get('name')}的批复", "此复", "核定编制"],
        "credit_code_notice": ["统一社会信用代码赋码通知书", "12141002MB1234562N", "特此通知"],
        "domain_confirmation": ["中文域名注册确认书", facts.get("domain", {}).get("name", ""), "有效期至"],
        "legal_person_certificate": ["事业单位法人证书", "法定代表人", "开办资金", "自2026年11月23日至2031年11月23日"],
        "staff_quota_notice": ["核准使用编制通知单", "郑晓雨", "先核准后列编"],
        "staff_entry_notice": ["入编通知单", "郑晓雨", "141002199804150027"],
        "staff_exit_notice": ["出编通知单", "陈静", "退休"],
        "leader_posts_opinion": ["领导职数事前沟通意见", "赵磊", "核定2名，已配备1名，已预留0名，空缺1名", "特此函复"],
        "appointment_notice": ["干部任免通知", "任命赵磊同志", "副主任（领导副职）"],
        "staff_plan_notice": ["用编计划核准通知", "编核〔2026〕1号", "数据分析专业技术岗", "自动释放"],
        "payroll_rectification_closure": [
            "人编经费比对问题整改销号通知",
            "比对发现你单位存在以下问题",
            "有编无薪",
            "并经财政部门核实工资统发调整",
        ],
        "unit_restructure_reply": [
            "关于示范市数据资源服务中心更名的批复",
            "经编委会签研究",
            "示范市数据资源服务中心更名为示范市大数据发展服务中心",
            "统一社会信用代码12141002MB1234562N不变",
        ],
        "staff_adjustment_reply": [
            "编制调整批复",
            "经编委会签研究",
            "核增事业编制（全额拨款）2名",
            "本地区",
            "特此批复",
        ],
        "legal_person_change_notice": [
            "事业单位法人变更登记通知书",
            "示范市尧都区鼓楼北街1号",
            "示范市尧都区解放路99号政务服务中心6层",
            "不动产权证书",
            "有效期至",
        ],
        "legal_person_cancel_notice": ["事业单位法人注销登记通知书", "示编〔2026〕8号", "12141002MB1234562N", "收缴"],
        "staff_transfer_notice": [
            "人员调动通知单",
            "孙伟",
            "示范市档案馆",
            "出编（调出）",
            "入编（调入）",
            "编核〔2026〕1号",
        ],
    }[kind]
    return [*phrases, ISSUER, "2026年11月23日", "扫码或访问以下地址核验本文书"]


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_kind_renders_its_chinese_text_without_tofu(pipeline: DocumentPipeline, kind: str) -> None:
    order = order_for(kind)
    rendered = pipeline.renderer.render(order)
    text = re.sub(r"\s+", "", page_text(rendered.pdf))
    for phrase in expected_phrases(kind, order.facts):
        assert re.sub(r"\s+", "", phrase) in text, (kind, phrase)
    assert order.number in text
    drawable = embedded_characters(rendered.pdf)
    missing = {c for c in text if ord(c) not in drawable}
    assert not missing, f"{kind}: no glyph for {sorted(missing)}"
    assert len(rendered.pdf) < 300 * 1024


def test_a_rare_character_falls_back_to_the_full_font(pipeline: DocumentPipeline) -> None:
    facts = sample_facts(KINDS["staff_exit_notice"], TODAY, FORMS)
    rare = "堃"  # in names, outside GB 2312: not in the prepared font
    assert ord(rare) not in document_characters()
    facts["exit"]["name"] = f"王{rare}"
    rendered = pipeline.renderer.render(order_for("staff_exit_notice", facts))
    assert f"王{rare}" in page_text(rendered.pdf)
    assert ord(rare) in embedded_characters(rendered.pdf)


def test_pdfa_identification_and_the_attached_decision(pipeline: DocumentPipeline) -> None:
    order = order_for("credit_code_notice")
    produced = pipeline.produce(order, seal_name=ISSUER)
    reader = PdfReader(io.BytesIO(produced.pdf))
    xmp = reader.xmp_metadata
    assert xmp is not None
    xml = xmp.stream.get_data().decode()
    assert re.search(r'pdfaid:part="3"|<pdfaid:part>3<', xml) and re.search(r'pdfaid:conformance="B"|>B<', xml)
    attached = reader.attachments[ATTACHMENT_NAME][0]
    assert attached == attachment_bytes(order.facts)
    assert json.loads(attached) == order.facts
    assert reader.metadata is not None and reader.metadata["/onestopdocnumber"] == order.number
    assert_pdf_a3_version(produced.pdf)


def assert_pdf_a3_version(pdf: bytes) -> None:
    """PDF/A-3 is PDF 1.7: neither the header nor the catalog of any revision may say 2.0 (ISO 19005-3)."""
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.pdf_header == "%PDF-1.7"
    assert str(reader.trailer["/Root"].get("/Version", "/1.7")) in ("/1.7", "1.7")
    esic = reader.trailer["/Root"].get("/Extensions", {}).get("/ESIC")
    assert esic is None or str(esic["/BaseVersion"]) in ("/1.7", "1.7")


def test_sealed_signed_at_b_t_with_validation_data(pipeline: DocumentPipeline, tmp_path: Path) -> None:
    order = order_for("staff_exit_notice")
    produced = pipeline.produce(order, seal_name=ISSUER)
    roots = list(pipeline.validation.trust_roots)
    report = verify_pdf(produced.pdf, roots)
    assert report.valid and report.document_number == order.number
    [signature] = report.signatures
    assert signature.signer == ISSUER and signature.trusted and signature.development
    assert signature.timestamp is not None and signature.timestamp.trusted and signature.timestamp.development
    assert any("开发测试时间戳" in note for note in signature.notes)
    embedded = PdfFileReader(io.BytesIO(produced.pdf)).embedded_signatures[0]
    assert embedded.sig_field.get_object()["/Rect"]  # the seal is the signature's visible widget
    dss = PdfFileReader(io.BytesIO(produced.pdf)).root["/DSS"]
    assert "/Certs" in dss and "/CRLs" in dss  # B-LT: verifiable offline
    assert pipeline.store.exists(produced.sha256)
    assert pipeline.store.path(produced.sha256).read_bytes() == produced.pdf


def test_one_changed_byte_or_anything_added_fails(pipeline: DocumentPipeline) -> None:
    produced = pipeline.produce(order_for("staff_exit_notice"), seal_name=ISSUER)
    roots = list(pipeline.validation.trust_roots)
    changed = bytearray(produced.pdf)
    at = produced.pdf.find(b"/MediaBox") + 12
    changed[at] = ord("9") if changed[at] != ord("9") else ord("8")
    report = verify_pdf(bytes(changed), roots)
    assert not report.valid and "改动" in (report.reason or "")

    from pyhanko.pdf_utils import generic

    writer = IncrementalPdfFileWriter(io.BytesIO(produced.pdf))
    writer.root[generic.NameObject("/Lang")] = generic.TextStringObject("en")
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    appended = verify_pdf(out.getvalue(), roots)
    assert not appended.valid and "追加" in (appended.reason or "")


def _page_texts(pdf: bytes) -> list[list[tuple[str, float]]]:
    """Each page's text runs with their x position (points from the left edge)."""
    pages = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        runs: list[tuple[str, float]] = []

        def visit(text: str, cm: Any, tm: Any, _font: Any, _size: Any, runs: list[tuple[str, float]] = runs) -> None:
            if text.strip():
                runs.append((text.strip(), float(cm[4]) + float(tm[4]) * float(cm[0])))

        page.extract_text(visitor_text=visit)
        pages.append(runs)
    return pages


def _long_facts() -> dict[str, Any]:
    """An approval whose duties run long, so the closing falls near a page end."""
    facts = sample_facts(KINDS["institution_approval"], TODAY, FORMS)
    facts["application"] = {**facts["application"], "duties": "承担全市公共数据开放平台建设和运行维护。" * 9}
    facts["document"] = {"copied_to": ["示范市组织部", "示范市财政局"]}
    return facts


@pytest.mark.parametrize("extra", [0, 3, 6, 9, 12])
def test_gbt_9704_layout(pipeline: DocumentPipeline, extra: int) -> None:
    """The seal's page has body text besides the closing line; page numbers sit on the outer side;
    the 版记 lists the departments copied and who printed it when; list numbers have no gaps."""
    facts = _long_facts()
    facts["application"]["duties"] += "开展数据开放目录编制。" * extra
    facts["application"]["internal_units"] = []  # no 内设机构: the numbering must close the gap
    rendered = pipeline.renderer.render(order_for("institution_approval", facts))
    pages = _page_texts(rendered.pdf)
    seal_page = [t for t, _ in pages[rendered.seal_page]]
    body_lines = [t for t in seal_page if re.match(r"^[一二三四五六七八九十]、", t)]
    assert body_lines, f"the seal's page holds only the closing: {seal_page}"
    width = float(PdfReader(io.BytesIO(rendered.pdf)).pages[0].mediabox.width)
    for number, runs in enumerate(pages, start=1):
        [x] = [x for t, x in runs if re.fullmatch(rf"—\s*{number}\s*—", t)]
        assert (x > width / 2) == (number % 2 == 1), (number, x)  # odd pages right, even pages left
    text = re.sub(r"\s+", "", "".join(t for page in pages for t, _ in page))
    assert "抄送：示范市组织部，示范市财政局。" in text and f"{ISSUER}2026年11月23日印发" in text
    numbers = re.findall(r"([一二三四五六七八九十])、", text)
    assert numbers == list("一二三四")[: len(numbers)] and len(numbers) == 4  # 内设机构 left out: no gap


def test_the_seal_ink_lets_the_signature_and_date_show_through(pipeline: DocumentPipeline) -> None:
    produced = pipeline.produce(order_for("staff_exit_notice"), seal_name=ISSUER)
    reader = PdfReader(io.BytesIO(produced.pdf))
    alphas = set()
    for field in reader.trailer["/Root"]["/AcroForm"]["/Fields"]:
        appearance = field.get_object()["/AP"]["/N"].get_object()
        stack = [appearance]
        while stack:
            xobject = stack.pop()
            resources = xobject.get("/Resources", {})
            for state in resources.get("/ExtGState", {}).values():
                alphas |= {float(state.get_object()[k]) for k in ("/ca", "/CA") if k in state.get_object()}
            stack += [x.get_object() for x in resources.get("/XObject", {}).values()]
    assert INK_OPACITY < 1 and INK_OPACITY in alphas  # translucent red: text under the seal stays legible

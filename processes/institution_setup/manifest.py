"""新设机构一件事: 编办 reviews, 编委 countersign, the other departments review in
parallel; the unit is created with its code, domain and 法人 registration."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from documents.kinds import DocumentKind
from documents.render import chinese_date
from documents.samples import example
from forms import FormRegistry
from kernel.calendar import add_years
from processes.catalogue import Matter
from registry import institution
from storage.archive import RetentionClass

# What the demo's code block gives the first new 事业单位: a new institution has a code of its own.
NEW_INSTITUTION_CODE = "12141002MB1234570H"


def _title(data: Mapping[str, Any]) -> str:
    return f"新设“{data['name']}”"


def _sample(today: date, forms: FormRegistry) -> dict[str, Any]:
    app = example(forms, "institution_setup_application")
    return {
        "application": app,
        "unit": {"code": "U20260001", "name": app["name"]},
        "credit_code": {"code": NEW_INSTITUTION_CODE},
    }


def _valid_until(facts: Mapping[str, Any], issued_on: date) -> date:
    """Five years from the 设立登记; a certificate reissued on a 变更登记 keeps the validity it had."""
    kept = (facts.get("certificate") or {}).get("valid_until")
    return date.fromisoformat(kept) if kept else add_years(issued_on, institution.CERTIFICATE_YEARS)


APPROVAL = DocumentKind(
    "institution_approval",
    "机构编制批复",
    "institution_approval.html.j2",
    "编",
    heading=lambda facts: f"关于设立{facts['application']['name']}的批复",
    sample=_sample,
)
CERTIFICATE = DocumentKind(
    "legal_person_certificate",
    "事业单位法人证书",
    "legal_person_certificate.html.j2",
    "编登",
    seal_line="登记管理专用章",
    header="",
    context=lambda facts, issued_on: {"valid_until_text": chinese_date(_valid_until(facts, issued_on))},
    sample=_sample,
)


MATTER = Matter(
    key="institution_setup",
    title="新设机构一件事",
    card="一次填报，编办、编委和组织部、人社局、财政局依次或并联办理",
    short_title="新设机构",
    display_title=_title,
    result_labels={
        "committee": "编委会签成员",
        "unit": "机构登记",
        "legal_person_registration": "事业单位法人设立登记",
        "credit_code": "统一社会信用代码",
        "domain": "中文域名",
        "correction_notice": "一次性告知",
        "documents_due": "应出具的文书",
    },
    archive_class="JGSL",
    retention=RetentionClass.PERMANENT,
    documents=(APPROVAL, CERTIFICATE),  # and the code's and the domain's, which those matters define
    document_retention={
        "institution_approval": RetentionClass.PERMANENT,
        "legal_person_certificate": RetentionClass.PERMANENT,
        "credit_code_notice": RetentionClass.PERMANENT,
        "domain_confirmation": RetentionClass.YEARS_10,
    },
    services=institution.SERVICES,
    demo_order=4,
    demo_changes={
        "name": "示范市大数据发展中心",
        "short_name": "市大数据中心",
        "domain_wish": {"name": "示范市大数据发展中心", "suffix": ".公益"},
    },
)

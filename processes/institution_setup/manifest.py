"""新设机构一件事: 编办 reviews, 编委 countersign, the other departments review in
parallel; the unit is created with its code, domain and 法人 registration."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from processes.catalogue import Matter
from registry import institution
from storage.archive import RetentionClass


def _title(data: Mapping[str, Any]) -> str:
    return f"新设“{data['name']}”"


MATTER = Matter(
    key="institution_setup",
    title="新设机构一件事",
    card="一次填报，编办、编委和组织部、人社局、财政局依次或并联办理",
    short_title="新设机构",
    display_title=_title,
    archive_class="JGSL",
    retention=RetentionClass.PERMANENT,
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

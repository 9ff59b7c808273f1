"""中文域名注册或续费 (.政务/.公益), approved by 编办 under the naming rules."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from documents.kinds import DocumentKind
from documents.samples import example
from forms import FormRegistry
from kernel.calendar import add_years
from processes.catalogue import Matter
from registry import domain_names
from storage.archive import RetentionClass


def _sample(today: date, forms: FormRegistry) -> dict[str, Any]:
    app = example(forms, "domain_name_application")
    domain = {
        "done": True,
        "action": "register",
        "name": f"{app['name']}{app['suffix']}",
        "registered_on": today.isoformat(),
        "expires_on": add_years(today, 1).isoformat(),
    }
    return {"application": app, "domain": domain}


CONFIRMATION = DocumentKind(
    "domain_confirmation", "中文域名注册确认书", "domain_confirmation.html.j2", "编域", sample=_sample
)


def _title(data: Mapping[str, Any]) -> str:
    verb = "续费" if data.get("action") == "renew" else "注册"
    return f"{verb}中文域名“{data['name']}{data.get('suffix', '')}”"


MATTER = Matter(
    key="domain_name",
    title="政务和公益机构域名注册",
    card=".政务、.公益中文域名的注册和续费",
    short_title="中文域名",
    display_title=_title,
    result_labels={"domain": "中文域名"},
    archive_class="YM",
    retention=RetentionClass.YEARS_10,
    documents=(CONFIRMATION,),
    document_retention={"domain_confirmation": RetentionClass.YEARS_10},
    services=domain_names.SERVICES,
    form_checks=domain_names.FORM_CHECKS,
    demo_order=3,
    demo_changes={"name": "市数据资源中心"},
)

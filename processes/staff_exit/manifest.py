"""出编: the unit reports a person leaving the establishment; 编办 writes the place off."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from documents.kinds import DocumentKind
from documents.samples import example
from forms import FormRegistry
from kernel import clock
from processes.catalogue import Matter
from registry import form_checks, process_services
from registry.models import Person
from storage.archive import RetentionClass


def _title(data: Mapping[str, Any]) -> str:
    reason = f"（{data['reason']}）" if data.get("reason") else ""
    return f"出编：{data['name']}{reason}"


def _demo_fill(session: Session, data: dict[str, Any]) -> dict[str, Any]:
    """The demo's person as the register holds them, leaving today."""
    person = session.scalars(select(Person).where(Person.name == data["name"])).one()
    return {**data, "id_number": person.id_number, "exit_date": clock.today().isoformat()}


def _sample(today: date, forms: FormRegistry) -> dict[str, Any]:
    app = example(forms, "staff_exit_application")
    exit_ = {
        "name": app["name"],
        "est_type": "事业编制（全额拨款）",
        "exit_date": app["exit_date"],
        "reason": app["reason"],
    }
    return {"application": app, "exit": exit_}


NOTICE = DocumentKind("staff_exit_notice", "出编通知单", "staff_exit_notice.html.j2", "编出", header="", sample=_sample)

MATTER = Matter(
    key="staff_exit",
    title="出编",
    card="人员调出、退休、辞职等出编登记",
    short_title="出编",
    display_title=_title,
    result_labels={"exit": "出编登记"},
    archive_class="CB",
    retention=RetentionClass.YEARS_30,
    documents=(NOTICE,),
    document_retention={"staff_exit_notice": RetentionClass.YEARS_30},
    services={"register.record_exit": process_services.record_exit},
    form_checks={"staff_exit_application": form_checks.check_exit},
    demo_order=1,
    demo_changes={"name": "王芳", "reason": "辞职", "doc_no": "", "remarks": "本人申请辞职，已办结离职手续。"},
    demo_fill=_demo_fill,
)

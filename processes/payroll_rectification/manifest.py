"""人编经费比对整改: 编办 compares 财政's payroll list and 人社's staff list with the 实名制 roster
and opens this matter for each finding; the unit rectifies and reports (its own step, waiting in
its inbox, even while it is on the negative list); 编办 reviews, sending it back when not done;
财政 checks the payroll where the finding touched it; the finding is closed (销号) with a notice.

Nobody starts it from the home page: 编办 opens it from the comparison's findings."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from documents.kinds import DocumentKind
from documents.samples import example
from forms import FormRegistry
from processes.catalogue import Matter
from processes.payroll_rectification import rules
from storage.archive import RetentionClass


def _title(data: Mapping[str, Any]) -> str:
    finding = data["finding"]
    return f"人编经费比对整改：{finding['kind']}" + (f"（{finding['name']}）" if finding.get("name") else "")


def _sample(today: date, forms: FormRegistry) -> dict[str, Any]:
    period = f"{today.year}-{today.month:02d}"
    finding = {
        "finding_id": 1,
        "period": period,
        "kind": "有编无薪",
        "name": "赵磊",
        "id_number_masked": "141002********0015",
        "detail": "事业编制（全额拨款）在编，财政统发名单中无此人",
        "payroll": True,
    }
    app = example(forms, "payroll_rectification_report")
    closure = {"done": True, "payroll_checked": True, "message": "有编无薪（赵磊）已整改销号"}
    return {"finding": finding, "application": app, "closure": closure}


CLOSURE = DocumentKind(
    "payroll_rectification_closure",
    "人编经费比对问题整改销号通知",
    "payroll_rectification_closure.html.j2",
    "编核",
    header="",
    sample=_sample,
)

MATTER = Matter(
    key="payroll_rectification",
    title="人编经费比对整改",
    card="人编经费比对发现的问题由单位整改：编办审核，涉及工资统发的财政核实，整改到位后销号",
    short_title="比对整改",
    display_title=_title,
    result_labels={"finding": "比对发现的问题", "closure": "整改销号"},
    archive_class="RBBD",
    retention=RetentionClass.YEARS_30,
    documents=(CLOSURE,),
    document_retention={"payroll_rectification_closure": RetentionClass.YEARS_30},
    services={"rectification.describe": rules.describe, "rectification.close": rules.close},
    startable=False,
    opened_for="reconciliation_finding",
)

"""编制调整: a unit applies for 核增, 核减 or 划转 of its places, or to borrow from or give back to
the region's 事业编制周转池; 编办 reviews the figures against the unit and the region's 总量; 编委
decides (by countersign or by the director, as the deployed process says); 编办 changes the
register in that step; 财政 moves the pay of persons moving with their places."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from documents.kinds import DocumentKind
from documents.samples import example
from forms import FormRegistry
from processes.catalogue import Matter
from processes.staff_adjustment import rules
from registry import institution
from storage.archive import RetentionClass


def _title(data: Mapping[str, Any]) -> str:
    if data["kind"] == "周转池归还":
        return f"编制调整：周转池归还（{data['loan_number']}）"
    return f"编制调整：{data['kind']}{data['est_type']}{data['places']}名"


def _sample(today: date, forms: FormRegistry) -> dict[str, Any]:
    app = example(forms, "staff_adjustment_application")
    check = {
        "allowed": True,
        "kind": app["kind"],
        "est_type": app["est_type"],
        "figures": [
            f"示范市数据资源服务中心：{app['est_type']}核定20名，实有18名，已预留1名，空缺1名",
            f"本地区：{app['est_type']}总量3000名，已核定到单位2800名，周转池100名（借出20名），未分配100名",
        ],
    }
    adjustment = {"done": True, "message": f"示范市数据资源服务中心核增{app['est_type']}{app['places']}名"}
    decision = {"mode": "countersign", "decided_by": "编委会签"}
    return {"application": app, "adjustment_check": check, "adjustment": adjustment, "committee_decision": decision}


REPLY = DocumentKind(
    "staff_adjustment_reply", "编制调整批复", "staff_adjustment_reply.html.j2", "编整", header="", sample=_sample
)

MATTER = Matter(
    key="staff_adjustment",
    title="编制调整",
    card="核增、核减、划转编制和周转池借用归还：编办审核编制总量，编委决定，台账和人员一次调整",
    short_title="编制调整",
    display_title=_title,
    result_labels={
        "adjustment_check": "编制数和编制总量核查",
        "committee_decision": "编委决定方式",
        "committee": "编委会签成员",
        "adjustment": "机构编制台账调整",
    },
    archive_class="BZTZ",
    retention=RetentionClass.PERMANENT,
    documents=(REPLY,),
    document_retention={"staff_adjustment_reply": RetentionClass.PERMANENT},
    services={
        "adjustment.check": rules.check,
        "adjustment.decision": institution.committee_decision,
        "adjustment.committee": institution.committee,
        "adjustment.carry_out": rules.carry_out,
    },
    form_checks={"staff_adjustment_application": rules.check_application},
    demo_order=8,
    proposed_by=frozenset({"bianban"}),  # 编办 may propose an adjustment for a unit, which confirms it
)

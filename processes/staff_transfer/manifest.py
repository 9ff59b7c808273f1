"""人员调动 (人编同调): the receiving unit applies, the unit left consents, 编办 checks and reserves a
place of the same type, 组织部 or 人社局 approves, 编办 moves the person in one change, 财政 moves the pay."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from documents.kinds import DocumentKind
from documents.samples import example
from forms import FormRegistry
from processes.catalogue import Matter
from processes.staff_transfer import rules
from registry import process_services
from storage.archive import RetentionClass


def _title(data: Mapping[str, Any]) -> str:
    return f"人员调动：{data['name']}（{data['from_unit']}调入）"


def _sample(today: date, forms: FormRegistry) -> dict[str, Any]:
    app = example(forms, "staff_transfer_application")
    transfer = {
        "name": app["name"],
        "id_number": app["id_number"],
        "est_type": "事业编制（全额拨款）",
        "category": app["category"],
        "from_unit": app["from_unit"],
        "to_unit": "示范市数据资源服务中心",
        "on": today.isoformat(),
        "notice": f"编核〔{today.year}〕1号",
    }
    return {"application": app, "transfer": transfer}


NOTICE = DocumentKind(
    "staff_transfer_notice", "人员调动通知单", "staff_transfer_notice.html.j2", "编调", header="", sample=_sample
)

MATTER = Matter(
    key="staff_transfer",
    title="人员调动",
    card="人编同调：调出、调入单位同意，编办核编，组织人社审批，出编入编和工资一次办",
    short_title="调动",
    display_title=_title,
    result_labels={
        "transfer_from": "在编情况核对",
        "vacancy": "空缺编制核查",
        "reservation": "核准使用编制通知单",
        "transfer": "出编入编登记",
    },
    archive_class="DD",
    retention=RetentionClass.YEARS_30,
    documents=(NOTICE,),
    document_retention={"staff_transfer_notice": RetentionClass.YEARS_30},
    services={
        "transfer.locate": rules.locate,
        "transfer.record": rules.record,
        "register.vacancy_check": process_services.vacancy_check,
        "register.reserve": process_services.reserve_places,
    },
    form_checks={"staff_transfer_application": rules.check_application},
    demo_order=5,
    demo_changes={
        "name": "马琳",
        "id_number": "141002199703270265",
        "post": "档案数字化专业技术岗",
        "reason": "工作需要，经双方单位协商一致，调入本单位从事档案数字化工作。",
    },
)

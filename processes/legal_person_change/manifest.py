"""事业单位法人变更、注销登记: a registered 事业单位 applies to change its registered items (名称,
住所, 宗旨和业务范围, 法定代表人, 开办资金, 举办单位, each with its evidence), or to cancel its
registration after 撤销 or 清算; the registry (登记管理局, part of 编办) decides within 30 days;
a change reissues the 法人证书, a cancellation marks the credit code cancelled for good."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from documents.kinds import DocumentKind
from documents.samples import example
from forms import FormRegistry
from processes.catalogue import Matter
from processes.legal_person_change import rules
from storage.archive import RetentionClass


def _title(data: Mapping[str, Any]) -> str:
    if data["kind"] == "注销登记":
        return f"法人注销登记（{data.get('cancel_reason') or '撤销'}）"
    return "法人变更登记：" + "、".join(str(c["item"]) for c in data["changes"])


def _sample(today: date, forms: FormRegistry) -> dict[str, Any]:
    app = example(forms, "legal_person_application")
    change = app["changes"][0]
    certificate = {
        "name": "示范市数据资源服务中心",
        "address": change["after"],
        "purpose": "承担全市政务数据资源归集、共享和开放的技术支撑工作",
        "representative": "李明",
        "funding_form": "全额拨款",
        "start_fund": "500",
        "sponsor": "示范市行政审批服务管理局",
        "valid_until": date(today.year + 3, 6, 30).isoformat(),
    }
    registration = {
        "done": True,
        "changes": [{"item": "住所", "before": "示范市尧都区鼓楼北街1号", **change}],
        "certificate": certificate,
        "message": f"已登记变更：住所由“示范市尧都区鼓楼北街1号”变更为“{change['after']}”",
    }
    return {"application": app, "registration": registration, "certificate": certificate}


def _cancel_sample(today: date, forms: FormRegistry) -> dict[str, Any]:
    app = {**example(forms, "legal_person_application"), "kind": "注销登记", "changes": []}
    app |= {"cancel_reason": "撤销", "cancel_basis": f"示编〔{today.year}〕8号"}
    message = "已注销示范市数据资源服务中心的事业单位法人登记，统一社会信用代码12141002MB1234562N同时注销，不再使用"
    return {"application": app, "registration": {"done": True, "code": "12141002MB1234562N", "message": message}}


CHANGE_NOTICE = DocumentKind(
    "legal_person_change_notice",
    "事业单位法人变更登记通知书",
    "legal_person_change_notice.html.j2",
    "编变",
    seal_line="登记管理专用章",
    header="",
    sample=_sample,
)
CANCEL_NOTICE = DocumentKind(
    "legal_person_cancel_notice",
    "事业单位法人注销登记通知书",
    "legal_person_cancel_notice.html.j2",
    "编注",
    seal_line="登记管理专用章",
    header="",
    sample=_cancel_sample,
)

MATTER = Matter(
    key="legal_person_change",
    title="事业单位法人变更、注销登记",
    card="法人登记事项变更（附证明材料）或撤销、清算后注销：登记管理局30日内决定，换发证书或注销代码",
    short_title="法人登记",
    display_title=_title,
    result_labels={"registration": "法人登记"},
    archive_class="FRDJ",
    retention=RetentionClass.PERMANENT,
    documents=(CHANGE_NOTICE, CANCEL_NOTICE),  # and the reissued 事业单位法人证书 新设机构 defines
    document_retention={
        "legal_person_change_notice": RetentionClass.PERMANENT,
        "legal_person_cancel_notice": RetentionClass.PERMANENT,
        "legal_person_certificate": RetentionClass.PERMANENT,
    },
    services={"legal_person.record": rules.record},
    form_checks={"legal_person_application": rules.check_application},
    demo_order=9,
    # The demo moves elsewhere than the form's example, which stays a change to make on a new demo.
    demo_changes={
        "changes": [{"item": "住所", "after": "示范市尧都区鼓楼南街8号", "evidence": "房屋租赁合同（2026年11月签订）"}],
        "reason": "原办公用房改造，单位临时搬迁，申请变更住所。",
    },
)

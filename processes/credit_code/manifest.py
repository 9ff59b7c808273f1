"""统一社会信用代码赋码: a new code, a change of name, or a cancellation, approved by 编办."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from documents.kinds import DocumentKind
from forms import FormRegistry
from processes.catalogue import Matter
from registry import form_checks, process_services
from storage.archive import RetentionClass

# What the notice says it did, by the application's action: (label, sentence).
ACTIONS = {
    "new": ("赋码", "赋予统一社会信用代码"),
    "change": ("变更登记", "办理代码信息变更"),
    "cancel": ("注销", "注销统一社会信用代码"),
}


def _action(facts: Mapping[str, Any], issued_on: date) -> dict[str, Any]:
    label, text = ACTIONS.get(str((facts.get("application") or {}).get("action") or "new"), ACTIONS["new"])
    return {"action_label": label, "action_text": text}


def _sample(today: date, forms: FormRegistry) -> dict[str, Any]:
    return {
        "application": {"action": "new", "approval_doc_no": "示编〔2026〕21号"},
        "credit_code": {"done": True, "code": "12141002MB1234562N"},
    }


NOTICE = DocumentKind(
    "credit_code_notice",
    "统一社会信用代码赋码通知书",
    "credit_code_notice.html.j2",
    "编码",
    context=_action,
    sample=_sample,
)


def _title(data: Mapping[str, Any]) -> str:
    action = data.get("action")
    if action == "change":
        return f"变更名称为“{data['new_name']}”"
    if action == "cancel":
        return "注销统一社会信用代码"
    return "统一社会信用代码赋码"


MATTER = Matter(
    key="credit_code",
    title="统一社会信用代码赋码",
    card="赋码、变更或注销，编办审核后即时生效",
    short_title="统一社会信用代码赋码",
    display_title=_title,
    result_labels={"credit_code": "统一社会信用代码"},
    archive_class="FM",
    retention=RetentionClass.PERMANENT,
    documents=(NOTICE,),
    document_retention={"credit_code_notice": RetentionClass.PERMANENT},
    services={"register.credit_code": process_services.credit_code},
    form_checks={"credit_code_application": form_checks.check_credit_code},
)

"""统一社会信用代码赋码: a new code, a change of name, or a cancellation, approved by 编办."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from processes.catalogue import Matter
from registry import form_checks, process_services
from storage.archive import RetentionClass


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
    archive_class="FM",
    retention=RetentionClass.PERMANENT,
    document_retention={"credit_code_notice": RetentionClass.PERMANENT},
    services={"register.credit_code": process_services.credit_code},
    form_checks={"credit_code_application": form_checks.check_credit_code},
)

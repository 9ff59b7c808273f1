"""用编计划 → 核准 → 招录: a unit's annual plan of places by type and post (no names yet); 编办
approves it against the vacancy and reserves the places on numbered notices with their validity;
组织部 or 人社局 runs the recruitment; the persons recruited then enter on those notices through 入编."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from documents.kinds import DocumentKind
from documents.samples import example
from forms import FormRegistry
from kernel import clock
from processes.catalogue import Matter
from processes.staff_plan import rules
from storage.archive import RetentionClass


def _title(data: Mapping[str, Any]) -> str:
    places = sum(int(line["places"]) for line in data["lines"])
    return f"{data.get('year') or clock.today().year}年度用编计划（{places}名）"


def _sample(today: date, forms: FormRegistry) -> dict[str, Any]:
    app = example(forms, "staff_plan_application")
    notices = [
        {"number": f"编核〔{today.year}〕{i}号", "est_type": line["est_type"], "places": line["places"],
         "expires_on": date(today.year + 1, 6, 1).isoformat()}
        for i, line in enumerate(app["lines"], start=1)
    ]  # fmt: skip
    return {"application": app, "plan_notices": {"reserved": True, "notices": notices, "year": today.year}}


NOTICE = DocumentKind(
    "staff_plan_notice", "用编计划核准通知", "staff_plan_notice.html.j2", "编计", header="", sample=_sample
)

MATTER = Matter(
    key="staff_plan",
    title="用编计划核准",
    card="年度用编计划：编办核准并核发通知单，组织人社组织招录，录用人员凭通知单入编",
    short_title="用编计划",
    display_title=_title,
    result_labels={"plan_check": "用编计划空缺核查", "plan_notices": "核准使用编制通知单"},
    archive_class="YBJH",
    retention=RetentionClass.YEARS_30,
    documents=(NOTICE,),
    document_retention={"staff_plan_notice": RetentionClass.YEARS_30},
    services={"plan.check": rules.check, "plan.reserve": rules.reserve},
    form_checks={"staff_plan_application": rules.check_application},
    demo_order=7,
)

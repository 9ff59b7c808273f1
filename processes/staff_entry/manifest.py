"""用编核准及入编: the vacancy is checked and reserved (核准使用编制通知单), then
the persons are placed (一人一编)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from documents.kinds import DocumentKind
from documents.samples import example
from forms import FormRegistry
from forms.identifiers import make_ric
from processes.catalogue import Matter
from registry import form_checks, process_services
from storage.archive import RetentionClass


def _title(data: Mapping[str, Any]) -> str:
    names = [str(p["name"]) for p in data.get("persons") or [] if p.get("name")]
    if not names:
        raise ValueError("no persons")
    return "入编：" + "、".join(names[:3]) + (f"等{len(names)}人" if len(names) > 3 else "")


def _person(name: str, sex: str, born: date, seq: int) -> dict[str, Any]:
    return {
        "name": name,
        "sex": sex,
        "id_number": make_ric("141002", born, seq, sex),
        "birth_date": born.isoformat(),
        "education": "大学本科",
        "entry_form": "招聘",
        "post_category": "专技",
    }


def _sample(today: date, forms: FormRegistry) -> dict[str, Any]:
    app = example(forms, "staff_entry_application")
    persons = app["persons"]
    return {
        "application": app,
        "reservation": {"reserved": True, "number": f"{today.year}-0001", "places": len(persons)},
        "entry": {
            "placed": [{"name": p["name"], "id_number": p["id_number"]} for p in persons],
            "notice": f"{today.year}-0001",
            "est_type": app["est_type"],
        },
    }


QUOTA_NOTICE = DocumentKind(
    "staff_quota_notice", "核准使用编制通知单", "staff_quota_notice.html.j2", "编核", header="", sample=_sample
)
ENTRY_NOTICE = DocumentKind(
    "staff_entry_notice", "入编通知单", "staff_entry_notice.html.j2", "编入", header="", sample=_sample
)

MATTER = Matter(
    key="staff_entry",
    title="入编",
    card="空缺编制核查、核准使用编制通知单和入编登记一次办",
    short_title="入编",
    display_title=_title,
    result_labels={
        "vacancy": "空缺编制核查",
        "efficiency": "空缺编制使用效益率",
        "reservation": "核准使用编制通知单",
        "posts": "领导职数核查",
        "entry": "入编登记",
    },
    archive_class="RB",
    retention=RetentionClass.YEARS_30,
    documents=(QUOTA_NOTICE, ENTRY_NOTICE),
    document_retention={
        "staff_quota_notice": RetentionClass.YEARS_30,
        "staff_entry_notice": RetentionClass.YEARS_30,
    },
    services={
        "register.vacancy_check": process_services.vacancy_check,
        "register.reserve": process_services.reserve_places,
        "register.record_entry": process_services.record_entry,
        "register.posts_check": process_services.posts_check,
        "register.efficiency": process_services.efficiency,
    },
    form_checks={"staff_entry_application": form_checks.check_entry},
    demo_order=2,
    demo_changes={
        "post": "数据安全专业技术岗",
        "persons": [_person("孙悦", "女", date(1997, 3, 8), 21), _person("周航", "男", date(1995, 10, 21), 22)],
    },
)

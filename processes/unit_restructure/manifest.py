"""机构撤并更名: a unit is renamed (更名), cancelled (撤销) or merged into another unit (合并) as
one bundle. 编办 reviews the places, persons, credit code, domain names and legal-person
registration at stake; 编委 decides (by countersign or by the director, as the deployed process
says); 编办 carries out everything in one step: places and persons moved to the receiving unit or
written off, the credit code kept for a new name or cancelled, the domain names moved or
cancelled, the legal person's certificate reissued or its registration cancelled; 财政 moves or
closes the budget and the payroll of a unit that ends."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from documents.kinds import DocumentKind
from documents.samples import example
from forms import FormRegistry
from processes.catalogue import Matter
from processes.unit_restructure import rules
from registry import institution
from storage.archive import RetentionClass


def _title(data: Mapping[str, Any]) -> str:
    if data["kind"] == "更名":
        return f"机构更名：{data['new_name']}"
    if data["kind"] == "合并":
        return f"机构合并：并入{data['to_unit']}"
    return "机构撤销" + (f"：编制和人员划入{data['to_unit']}" if data.get("to_unit") else "")


def _heading(facts: Mapping[str, Any]) -> str:
    app, unit = facts["application"], facts["matter"]["unit_name"]
    if app["kind"] == "更名":
        return f"关于{facts['restructure'].get('old_name') or unit}更名的批复"
    if app["kind"] == "合并":
        return f"关于{unit}并入{app['to_unit']}的批复"
    return f"关于撤销{unit}的批复"


def _sample(today: date, forms: FormRegistry) -> dict[str, Any]:
    app = {**example(forms, "unit_restructure_application"), "decision_basis": f"示发〔{today.year}〕5号"}
    old, new = "示范市数据资源服务中心", app["new_name"]
    check = {
        "allowed": True,
        "kind": "更名",
        "figures": [
            f"{old}：事业编制（全额拨款）核定20名、实有4名；事业工勤编制核定2名、实有1名",
            "统一社会信用代码：12141002MB1234562N",
            "中文域名：市数据资源中心.公益",
            "事业单位法人登记：已登记，法定代表人李明，证书有效期至2029-06-30",
        ],
    }
    effects = [
        f"{old}更名为{new}",
        "统一社会信用代码12141002MB1234562N不变，赋码信息变更为新名称",
        f"域名“市数据资源中心.公益”变更为“{app['new_short_name']}.公益”，有效期至{today.year + 1}-06-30",
        "事业单位法人证书按新名称换发，有效期不变",
    ]
    restructure = {"done": True, "old_name": old, "new_name": new, "effects": effects, "message": "；".join(effects)}
    decision = {"mode": "countersign", "decided_by": "编委会签"}
    return {
        "application": app,
        "restructure_check": check,
        "restructure": restructure,
        "committee_decision": decision,
    }


REPLY = DocumentKind(
    "unit_restructure_reply",
    "机构撤并更名批复",
    "unit_restructure_reply.html.j2",
    "编改",
    heading=_heading,
    sample=_sample,
)

MATTER = Matter(
    key="unit_restructure",
    title="机构撤并更名",
    card="机构更名、撤销或并入其他单位：编委决定，编制人员、信用代码、域名、法人登记和财政预算一次办理",
    short_title="撤并更名",
    display_title=_title,
    result_labels={
        "restructure_check": "编制、人员、代码和域名核查",
        "committee_decision": "编委决定方式",
        "committee": "编委会签成员",
        "restructure": "撤并更名办理",
    },
    archive_class="JGCB",
    retention=RetentionClass.PERMANENT,
    documents=(REPLY,),  # and, on a rename, the reissued 事业单位法人证书 新设机构 defines
    document_retention={
        "unit_restructure_reply": RetentionClass.PERMANENT,
        "legal_person_certificate": RetentionClass.PERMANENT,
    },
    services={
        "restructure.check": rules.check,
        "restructure.decision": institution.committee_decision,
        "restructure.committee": institution.committee,
        "restructure.carry_out": rules.carry_out,
    },
    form_checks={"unit_restructure_application": rules.check_application},
    demo_order=10,
    demo_applicant="clerk005",
    # The demo merges 示范市地方志研究室 into 示范市档案馆; the form's example (a rename of the
    # demo unit) stays a matter to try on a new demo.
    demo_changes={
        "kind": "合并",
        "new_name": "",
        "new_short_name": "",
        "to_unit": "示范市档案馆",
        "decision_basis": "示发〔2026〕5号",
        "reason": "按照机构改革方案，示范市地方志研究室并入示范市档案馆，不再保留。",
        "contact_person": "郭丽娟",
    },
)

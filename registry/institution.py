"""Service operations of 新设机构一件事: the committee, registering the new unit
with its establishment, its credit code and domain name, the one-time notice
(一次性告知) of the parallel stage, and the documents the matter must issue."""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from engine import step_context
from engine.restricted_scripts import reads_only
from engine.vocabulary import Decision
from forms.identifiers import check_ric
from kernel import clock
from kernel.accounts import User
from kernel.calendar import add_years
from kernel.sequences import next_number
from registry import domain_names, totals
from registry.credit_codes import issue_for_unit
from registry.domain_names import DomainRequest
from registry.models import LeadershipQuota, LegalPerson, Quota, Unit
from registry.vocabulary import UnitStatus

CERTIFICATE_YEARS = 5  # 事业单位法人证书 有效期
PUBLIC_INSTITUTION = "事业单位"
DEFAULT_REGION = "141002"  # a unit set up without a sponsor in the register (示范市)
STAGE_NAMES = {"zuzhi": "组织部", "renshe": "人社局", "caizheng": "财政局"}


@reads_only
def committee(_params: dict[str, Any]) -> list[str]:
    """The members of the establishment committee (编委) who countersign."""
    session = step_context.current().session
    users = session.scalars(select(User).where(User.active.is_(True)).order_by(User.username))
    members = [u.username for u in users if "bianwei" in (u.departments or [])]
    if not members:
        raise LookupError("未配置机构编制委员会成员（部门 bianwei）")
    return members


DECIDED_BY = {"countersign": "编委会签", "director": "编委主任审定"}


@reads_only
def committee_decision(params: dict[str, Any]) -> dict[str, Any]:
    """How 编委 decides: by every member's countersign, or by the director alone. The process says
    which by its ``mode`` parameter, a property of the deployed process rather than of the matter."""
    mode = str(params.get("mode") or "countersign")
    if mode not in DECIDED_BY:
        raise LookupError(f"编委决定方式应为{'、'.join(DECIDED_BY)}之一")
    return {"mode": mode, "decided_by": DECIDED_BY[mode]}


def create_unit(params: dict[str, Any]) -> dict[str, Any]:
    step = step_context.current()
    app: dict[str, Any] = params["application"]
    session = step.session
    if session.scalars(select(Unit.id).where(Unit.name == app["name"])).first() is not None:
        return {"done": False, "message": f"已有名称为“{app['name']}”的单位，不能重复设立"}
    sponsor = session.scalars(select(Unit).where(Unit.code == step.instance.unit_code)).first()
    region_code = sponsor.region_code if sponsor else DEFAULT_REGION
    totals.lock_region(session, region_code)
    wanted = Counter[str]()
    for line in app["establishment"]:
        wanted[str(line["est_type"])] += int(line["count"])
    problems = totals.shortfall(session, region_code, dict(wanted))
    if problems:
        return {"done": False, "message": "；".join(problems)}
    today = clock.today()
    code = f"U{today.year}{next_number(session, 'unit_code', today.year):04d}"
    unit = Unit(
        code=code,
        name=app["name"],
        short_name=app.get("short_name") or None,
        kind=app["kind"],
        region_code=region_code,
        parent_id=sponsor.id if sponsor else None,
        funding_form=app["funding_form"],
        status=UnitStatus.ACTIVE,
    )
    session.add(unit)
    session.flush()
    for line in app["establishment"]:
        session.add(Quota(unit_id=unit.id, est_type=line["est_type"], approved=int(line["count"])))
    for level, count in (app.get("leadership") or {}).items():
        session.add(LeadershipQuota(unit_id=unit.id, level=level, approved=int(count)))
    return {"done": True, "code": code, "name": unit.name, "message": f"已登记设立{unit.name}（{code}）"}


def register_legal_person(params: dict[str, Any]) -> dict[str, Any]:
    """设立登记, once the registry (登记管理局) approves: the items on the unit, the certificate's five
    years counted from today; its 举办单位 is the unit that applied for the 新设机构."""
    step = step_context.current()
    session, app = step.session, params["application"]
    unit = session.scalars(select(Unit).where(Unit.code == params["unit_code"])).one()
    if not app.get("legal_person"):
        return {"done": False, "message": "申请未填写事业单位法人登记事项，未办理设立登记"}
    sponsor = session.scalars(select(Unit).where(Unit.code == step.instance.unit_code)).first()
    registered = _legal_person(unit, app["legal_person"], sponsor.name if sponsor else "", clock.today())
    session.add(registered)
    until = registered.valid_until.isoformat()
    return {
        "done": True,
        "registered_on": registered.registered_on.isoformat(),
        "valid_until": until,
        "message": f"已办理{unit.name}事业单位法人设立登记，法人证书有效期至{until}",
    }


def _legal_person(unit: Unit, items: dict[str, Any], sponsor: str, today: date) -> LegalPerson:
    """设立登记: the registered items, as the 法人证书 states them (its 举办单位 is the applying unit)."""
    return LegalPerson(
        unit_id=unit.id,
        representative=str(items["representative"]),
        representative_id=check_ric(str(items["representative_id"])).normalized or str(items["representative_id"]),
        address=str(items["address"]),
        purpose=str(items["purpose"]),
        start_fund=Decimal(str(items["start_fund"])),
        sponsor=sponsor,
        registered_on=today,
        valid_until=add_years(today, CERTIFICATE_YEARS),
    )


def issue_unit_code(params: dict[str, Any]) -> dict[str, Any]:
    session = step_context.current().session
    unit = session.scalars(select(Unit).where(Unit.code == params["unit_code"])).one()
    issued = issue_for_unit(session, unit)
    return {"code": issued.code, "message": f"已赋统一社会信用代码{issued.code}"}


def record_domain(params: dict[str, Any]) -> dict[str, Any]:
    """The new unit's domain wish, under the same rules as the 中文域名 matter."""
    wish = params.get("wish") or {}
    if not wish.get("name"):
        return {"done": False, "message": "未申请中文域名"}
    session = step_context.current().session
    unit = session.scalars(select(Unit).where(Unit.code == params["unit_code"])).one()
    return domain_names.register_for(session, unit, DomainRequest.from_data({**wish, "action": "register"}))


@reads_only
def one_time_notice(params: dict[str, Any]) -> dict[str, Any]:
    """Every correction the parallel departments asked for, in one notice; the
    departments that returned are the ones that review again after it."""
    returned = [r for r in params.get("records") or [] if r.get("decision") == Decision.RETURN]
    order = list(STAGE_NAMES)
    returned.sort(key=lambda r: order.index(r["department"]) if r["department"] in order else len(order))
    items = [
        {
            "department": STAGE_NAMES.get(r["department"], r["department"]),
            "opinion": r.get("opinion", ""),
            "items": (r.get("data") or {}).get("correction_items", []),
        }
        for r in returned
    ]
    return {
        "returned": [i["department"] for i in items],
        "returned_codes": [r["department"] for r in returned],
        "items": items,
        "message": "；".join(f"{i['department']}：{i['opinion']}" for i in items) or "无需补正",
    }


@reads_only
def documents_due(params: dict[str, Any]) -> list[str]:
    """The document kinds the matter issues (see ``documents.kinds``)."""
    due = ["institution_approval", "credit_code_notice"]
    if (params.get("domain") or {}).get("done"):
        due.append("domain_confirmation")
    if params.get("kind") == "事业单位" and params.get("registered", True):  # 设立登记 done
        due.append("legal_person_certificate")
    return due


SERVICES = {
    "institution.committee": committee,
    "institution.create_unit": create_unit,
    "institution.register_legal_person": register_legal_person,
    "institution.issue_code": issue_unit_code,
    "institution.record_domain": record_domain,
    "institution.one_time_notice": one_time_notice,
    "institution.documents_due": documents_due,
}

"""事业单位法人 变更登记 and 注销登记: the registered items (法人登记) of a 事业单位 as the
registry (登记管理局, part of 编办) changes or cancels them.

One function says what stops an application (``problems``: the form's check and the re-check when
the registry decides); one carries the decision out (``record``) under the unit's lock. Each item
changed is a unit event with its evidence; a change of 名称 rests on a 批复 as a rename does
anywhere on the platform. 注销 waits until nobody is 在编 and no other matter of the unit is open;
the credit code is then marked cancelled and never issued again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy.orm import Session

from forms.identifiers import check_ric
from kernel import clock
from registry import unit_lifecycle
from registry.institution import PUBLIC_INSTITUTION
from registry.models import LegalPerson, Unit
from registry.reservations import lock_unit

CHANGE, CANCEL = "变更登记", "注销登记"
REGISTERED, CANCELLED = "registered", "cancelled"
# The registered items a 变更登记 may change, and the column each is kept in.
ITEMS = {
    "名称": "name",
    "住所": "address",
    "宗旨和业务范围": "purpose",
    "法定代表人": "representative",
    "开办资金": "start_fund",
    "举办单位": "sponsor",
}
MAX_FUND = Decimal("9999999999.99")


@dataclass(frozen=True)
class Problem:
    path: str
    message: str


def registered_items(unit: Unit, lp: LegalPerson) -> dict[str, str]:
    """The items as the certificate states them now."""
    return {
        "名称": unit.name,
        "住所": lp.address,
        "宗旨和业务范围": lp.purpose,
        "法定代表人": lp.representative,
        "开办资金": format_fund(lp.start_fund),
        "举办单位": lp.sponsor,
    }


def format_fund(amount: Decimal) -> str:
    return format(amount.normalize(), "f")


def _fund(text: str) -> Decimal | None:
    try:
        amount = Decimal(text)
    except InvalidOperation:
        return None
    return amount if amount.is_finite() and Decimal(0) <= amount <= MAX_FUND else None


def problems(session: Session, unit: Unit, app: Mapping[str, Any], *, matter_id: str | None = None) -> list[Problem]:
    """Everything that stops the application now (empty: it can be recorded as it stands)."""
    lp = session.get(LegalPerson, unit.id)
    if unit.kind != PUBLIC_INSTITUTION or lp is None:
        kind = app.get("kind") or "变更或注销登记"
        return [Problem("", f"{unit.name}未在本平台办理事业单位法人登记，不能申请{kind}")]
    if lp.status == CANCELLED:
        return [Problem("", f"{unit.name}已于{lp.cancelled_on}注销法人登记")]
    if app.get("kind") == CANCEL:
        found = []
        refusal = unit_lifecycle.cancel_refusal(session, unit, matter_id=matter_id)
        if refusal:
            found.append(Problem("/kind", refusal))
        if not str(app.get("cancel_basis") or "").strip():
            found.append(Problem("/cancel_basis", "请填写撤销批复文号或清算报告名称"))
        return found
    return _change_problems(session, unit, lp, app)


def _change_problems(session: Session, unit: Unit, lp: LegalPerson, app: Mapping[str, Any]) -> list[Problem]:
    changes = list(app.get("changes") or [])
    if not changes:
        return [Problem("/changes", "请填写变更事项")]
    now, found, seen = registered_items(unit, lp), [], set()
    for i, change in enumerate(changes):
        item, after = str(change.get("item", "")), str(change.get("after", "")).strip()
        path = f"/changes/{i}"
        if item in seen:
            found.append(Problem(f"{path}/item", f"“{item}”重复填写"))
        seen.add(item)
        if after == now.get(item):
            found.append(Problem(f"{path}/after", f"变更后的{item}与登记的相同"))
        if not str(change.get("evidence", "")).strip():
            found.append(Problem(f"{path}/evidence", f"请填写{item}变更的证明材料或批准文号"))
        if item == "开办资金" and _fund(after) is None:
            found.append(Problem(f"{path}/after", "开办资金应为不小于0的金额（万元）"))
        if item == "法定代表人" and check_ric(str(change.get("id_number", ""))).normalized is None:
            found.append(Problem(f"{path}/id_number", "变更法定代表人须填写新法定代表人的有效身份证号"))
        if item == "名称":
            found.extend(_rename_problems(session, unit, after, change, app, path))
    return found


def _rename_problems(
    session: Session, unit: Unit, after: str, change: Mapping[str, Any], app: Mapping[str, Any], path: str
) -> list[Problem]:
    refusal = unit_lifecycle.rename_refusal(session, unit, after)
    if refusal:
        return [Problem(f"{path}/after", refusal)]
    basis = _name_basis(session, change, app)
    if not unit_lifecycle.recorded(basis):
        message = "名称变更须依据本平台出具的机构编制批复；其他机关的批复请填写其文号并上传批复扫描件"
        return [Problem(f"{path}/evidence", message)]
    return []


def _name_basis(session: Session, change: Mapping[str, Any], app: Mapping[str, Any]) -> dict[str, Any]:
    scans = [a for a in app.get("attachments") or [] if a.get("sha256")]
    return unit_lifecycle.basis_of(session, str(change.get("evidence", "")).strip(), scans)


def record(
    session: Session, unit: Unit, app: Mapping[str, Any], *, instance_id: str, on: date, by: str
) -> dict[str, Any]:
    """The registry's decision carried out: every change, or (``done`` False, and why) none."""
    lock_unit(session, unit.id)
    found = problems(session, unit, app, matter_id=instance_id)
    if found:
        return {"done": False, "message": "；".join(p.message for p in found)}
    lp = session.get(LegalPerson, unit.id)
    assert lp is not None
    if app["kind"] == CANCEL:
        code = unit_lifecycle.cancel_unit(session, unit, basis=_cancel_basis(app), instance_id=instance_id, by=by)
        lp.status, lp.cancelled_on = CANCELLED, on
        return {
            "done": True,
            "code": code,
            "message": f"已注销{unit.name}的事业单位法人登记，统一社会信用代码{code or '—'}同时注销，不再使用",
        }
    before = registered_items(unit, lp)
    changed = []
    for change in app["changes"]:
        item, after = str(change["item"]), str(change["after"]).strip()
        basis = _name_basis(session, change, app) if item == "名称" else _evidence(change)
        _apply(unit, lp, item, after, change)
        unit_lifecycle.record_event(
            session, unit, event=f"法人变更登记：{item}", before=before[item], after=after, basis=basis,
            instance_id=instance_id, by=by,
        )  # fmt: skip
        changed.append({"item": item, "before": before[item], "after": after, "evidence": change["evidence"]})
    lp.updated_at = clock.now()
    session.flush()
    return {
        "done": True,
        "changes": changed,
        "certificate": certificate(unit, lp),
        "message": "已登记变更：" + "；".join(f"{c['item']}由“{c['before']}”变更为“{c['after']}”" for c in changed),
    }


def _evidence(change: Mapping[str, Any]) -> dict[str, Any]:
    return {"doc_no": str(change.get("evidence", "")).strip(), "source": "external"}


def _cancel_basis(app: Mapping[str, Any]) -> dict[str, Any]:
    return {"doc_no": str(app.get("cancel_basis", "")).strip(), "source": "external"}


def _apply(unit: Unit, lp: LegalPerson, item: str, after: str, change: Mapping[str, Any]) -> None:
    if item == "名称":
        unit.name = after
    elif item == "开办资金":
        fund = _fund(after)
        assert fund is not None  # checked under the same lock
        lp.start_fund = fund
    elif item == "法定代表人":
        lp.representative = after
        lp.representative_id = check_ric(str(change.get("id_number", ""))).normalized or ""
    else:
        setattr(lp, ITEMS[item], after)


def certificate(unit: Unit, lp: LegalPerson) -> dict[str, str]:
    """What the reissued 法人证书 states: the items now, its validity unchanged by a 变更登记."""
    return {
        "name": unit.name,
        "address": lp.address,
        "purpose": lp.purpose,
        "representative": lp.representative,
        "funding_form": unit.funding_form,
        "start_fund": format_fund(lp.start_fund),
        "sponsor": lp.sponsor,
        "valid_until": lp.valid_until.isoformat(),
    }

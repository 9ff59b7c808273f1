"""机构撤并更名: a unit renamed (更名), cancelled (撤销) or merged into another (合并), as one bundle.

One function says what stops the application (``problems``: the form's check, the figures 编办
and 编委 see, and the re-check when 编委's decision is carried out); one carries it out
(``carry_out``) under the region's and both units' locks, in the step's transaction:

- 更名: the name (and short name) changes; the credit code stays and is now the new name's; each
  Chinese domain name in force moves to the new name (same suffix, same paid period) when free,
  and is cancelled otherwise; a registered 事业单位法人 has its certificate reissued.
- 撤销 and 合并: every approved place moves to the receiving unit (承接单位; for 合并 the unit
  merged into) with the persons in place (as 非领导: a leadership post stays behind and lapses),
  or, for a 撤销 without a receiving unit and nobody in place, is written off back to the
  region; the unit is cancelled with its credit code (never issued again), its domain names and
  its legal-person registration. Unused notices, open 周转池 loans and other open matters stop it.

Places and persons are conserved: what the receiving unit gains is what the unit loses.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kernel import clock
from registry import totals, unit_lifecycle
from registry.adjustments import IN_PLACE, Problems, add_places, move_person, receiving_refusal, target_unit
from registry.domain_names import SUFFIXES, canonical, in_force
from registry.figures import LENT, unit_figures
from registry.legal_persons import CANCELLED as LP_CANCELLED
from registry.legal_persons import certificate
from registry.models import DomainName, LeadershipQuota, LegalPerson, Person, PoolLoan, Quota, Reservation, Unit
from registry.reservations import lock_unit
from registry.vocabulary import UnitStatus

RENAME, CANCEL, MERGE = "更名", "撤销", "合并"
KINDS = (RENAME, CANCEL, MERGE)
DOMAIN_CANCELLED = "cancelled"


def problems(session: Session, unit: Unit, app: Mapping[str, Any], *, matter_id: str | None = None) -> Problems:
    """Everything that stops the application now; empty when it can be carried out as it stands."""
    found = Problems()
    if unit.status == UnitStatus.CANCELLED:
        found.add("", f"{unit.name}已撤销")
        return found
    kind = app.get("kind")
    if kind == RENAME:
        refusal = unit_lifecycle.rename_refusal(session, unit, str(app.get("new_name") or "").strip())
        if refusal:
            found.add("/new_name", refusal)
        return found
    target = target_unit(session, app)
    if kind == MERGE or str(app.get("to_unit") or "").strip():
        _check_receiving(unit, target, app, found)
    persons = _persons_in_place(session, unit)
    if kind == CANCEL and target is None and persons and not found:
        found.add("/to_unit", f"{unit.name}尚有在编人员{len(persons)}名，撤销时须指定承接单位或先办理出编")
    _check_open_business(session, unit, matter_id, found)
    return found


def _check_receiving(unit: Unit, target: Unit | None, app: Mapping[str, Any], found: Problems) -> None:
    refusal = receiving_refusal(unit, target, app, role="承接单位或并入单位", doing="撤并")
    if refusal is None and target is not None and target.kind != unit.kind:
        refusal = f"{target.name}是{target.kind}，{unit.kind}的编制和人员不能整建制划入"
    if refusal:
        found.add("/to_unit", refusal)


def _check_open_business(session: Session, unit: Unit, matter_id: str | None, found: Problems) -> None:
    notices = session.scalars(
        select(Reservation.number).where(Reservation.unit_id == unit.id, Reservation.status == "issued")
    ).all()
    if notices:
        found.add("", f"尚有未使用的核准使用编制通知单{len(notices)}张（{'、'.join(notices)}），须待使用、注销或到期")
    loans = session.scalars(select(PoolLoan.number).where(PoolLoan.unit_id == unit.id, PoolLoan.status == LENT)).all()
    if loans:
        found.add("", f"尚有未归还的周转池借用{len(loans)}笔（{'、'.join(loans)}），须先归还")
    matters = unit_lifecycle.open_matter_count(session, unit, matter_id=matter_id)
    if matters:
        found.add("", f"尚有未办结事项{matters}件，须先办结或撤回")


def _persons_in_place(session: Session, unit: Unit) -> list[Person]:
    return list(
        session.scalars(select(Person).where(Person.unit_id == unit.id, Person.status == IN_PLACE).order_by(Person.id))
    )


def summary(session: Session, unit: Unit, app: Mapping[str, Any]) -> dict[str, Any]:
    """The figures 编办 and 编委 decide on: both units' places and persons, the code, the names."""
    lines = [f"{unit.name}：{_places_line(session, unit)}"]
    target = target_unit(session, app) if app.get("kind") != RENAME else None
    if target is not None:
        lines.append(f"{target.name}（承接单位）：{_places_line(session, target)}")
    lines.append(f"统一社会信用代码：{unit.credit_code or '未赋码'}")
    domains = [d.name for d in _domains(session, unit)]
    lines.append(f"中文域名：{'、'.join(domains) if domains else '无'}")
    lp = session.get(LegalPerson, unit.id)
    if lp is not None and lp.status != LP_CANCELLED:
        lines.append(
            f"事业单位法人登记：已登记，法定代表人{lp.representative}，证书有效期至{lp.valid_until.isoformat()}"
        )
    return {"kind": app.get("kind"), "figures": lines}


def _places_line(session: Session, unit: Unit) -> str:
    figures = [f for f in unit_figures(session, unit.id) if f.approved or f.actual]
    if not figures:
        return "未核定编制"
    return "；".join(f"{f.est_type}核定{f.approved}名、实有{f.actual}名" for f in figures)


def _domains(session: Session, unit: Unit) -> list[DomainName]:
    today = clock.today()
    rows = session.scalars(select(DomainName).where(DomainName.unit_id == unit.id).order_by(DomainName.name))
    return [d for d in rows if in_force(d, today)]


def carry_out(
    session: Session, unit: Unit, app: Mapping[str, Any], *, instance_id: str, basis: str, on: date, by: str
) -> dict[str, Any]:
    """编委's decision carried out, all of it or (with ``done`` False and the reason) none of it."""
    totals.lock_region(session, unit.region_code)
    target = target_unit(session, app) if app["kind"] != RENAME else None
    for unit_id in sorted({unit.id, *([target.id] if target else [])}):
        lock_unit(session, unit_id)
    found = problems(session, unit, app, matter_id=instance_id)
    if found:
        return {"done": False, "message": found.message}
    record = {"doc_no": basis, "source": "platform"}
    if app["kind"] == RENAME:
        return _rename(session, unit, app, record=record, instance_id=instance_id, on=on, by=by)
    return _close(session, unit, target, app, record=record, instance_id=instance_id, on=on, by=by)


def _rename(
    session: Session, unit: Unit, app: Mapping[str, Any], *, record: dict[str, Any], instance_id: str, on: date, by: str
) -> dict[str, Any]:
    old_name, new_name = unit.name, str(app["new_name"]).strip()
    new_short = str(app.get("new_short_name") or "").strip()
    domains, short_before = _domains(session, unit), canonical(unit.short_name or "")
    unit.name = new_name
    if new_short:
        unit.short_name = new_short
    session.flush()
    unit_lifecycle.record_event(
        session, unit, event=RENAME, before=old_name, after=new_name, basis=record, instance_id=instance_id, by=by
    )
    effects = [f"{old_name}更名为{new_name}"]
    if unit.credit_code:
        effects.append(f"统一社会信用代码{unit.credit_code}不变，赋码信息变更为新名称")
    moved = [_move_domain(session, unit, d, short_before=short_before, on=on) for d in domains]
    effects.extend(moved)
    result: dict[str, Any] = {"done": True, "old_name": old_name, "new_name": new_name, "effects": effects}
    lp = session.get(LegalPerson, unit.id)
    if lp is not None and lp.status != LP_CANCELLED:
        lp.updated_at = clock.now()
        result["certificate"] = certificate(unit, lp)
        effects.append("事业单位法人证书按新名称换发，有效期不变")
    result["message"] = "；".join(effects)
    return result


def _move_domain(session: Session, unit: Unit, domain: DomainName, *, short_before: str, on: date) -> str:
    """The unit's domain name under its new name, same suffix and paid period, if that name is
    free: a registered short name follows the new short name (when one is given), any other name
    becomes the new full name."""
    suffix = next(s for s in SUFFIXES if domain.name.endswith(s))
    was_short = bool(short_before) and domain.name == short_before + suffix
    stem = canonical(unit.short_name or "") if was_short and unit.short_name else canonical(unit.name)
    wanted = stem + suffix
    if wanted == domain.name:
        return f"域名“{domain.name}”不变"
    domain.status = DOMAIN_CANCELLED
    current = session.get(DomainName, wanted, with_for_update=True, populate_existing=True)
    if current is not None and in_force(current, on) and current.unit_id != unit.id:
        return f"原域名“{domain.name}”注销；新名称域名“{wanted}”已被其他单位注册，请另行申请域名"
    if current is None:
        session.add(
            DomainName(name=wanted, unit_id=unit.id, status="active", registered_on=on, expires_on=domain.expires_on)
        )
    else:
        current.unit_id, current.status, current.registered_on = unit.id, "active", on
        current.expires_on = domain.expires_on
    session.flush()
    return f"域名“{domain.name}”变更为“{wanted}”，有效期至{domain.expires_on.isoformat()}"


def _close(
    session: Session,
    unit: Unit,
    target: Unit | None,
    app: Mapping[str, Any],
    *,
    record: dict[str, Any],
    instance_id: str,
    on: date,
    by: str,
) -> dict[str, Any]:
    kind, basis_no = str(app["kind"]), str(record["doc_no"])
    quotas = list(session.scalars(select(Quota).where(Quota.unit_id == unit.id, Quota.approved > 0)))
    places = {q.est_type: q.approved for q in quotas}
    for quota in quotas:
        if target is not None:
            add_places(session, target, quota.est_type, quota.approved)
        quota.approved = 0
    for posts in session.scalars(select(LeadershipQuota).where(LeadershipQuota.unit_id == unit.id)):
        posts.approved = 0  # 领导职数 lapse with the unit; the receiving unit's stay as its 三定 set them
    persons = []
    if target is not None:
        for person in _persons_in_place(session, unit):
            move_person(session, person, target, doc_no=basis_no, on=on, by=by)
            persons.append(person.name)
    domains = _domains(session, unit)
    for domain in domains:
        domain.status = DOMAIN_CANCELLED
    lp = session.get(LegalPerson, unit.id)
    legal_person = lp is not None and lp.status != LP_CANCELLED
    if lp is not None and legal_person:
        lp.status, lp.cancelled_on = LP_CANCELLED, on
    code = unit_lifecycle.cancel_unit(session, unit, basis=record, instance_id=instance_id, by=by)
    session.flush()
    totals.ensure_within(session, unit.region_code)
    listed = "、".join(f"{t}{n}名" for t, n in places.items())
    effects = [f"{unit.name}{'并入' + target.name if kind == MERGE and target else kind}"]
    if places:
        effects.append(f"编制{listed}{'划入' + target.name if target else '收回本地区编制总量'}")
    if persons:
        effects.append(f"在编人员{'、'.join(persons)}随编制划入{target.name if target else ''}")
    if code:
        effects.append(f"统一社会信用代码{code}注销，不再使用")
    if domains:
        effects.append(f"域名{'、'.join(d.name for d in domains)}注销")
    if legal_person:
        effects.append("事业单位法人登记同时注销")
    return {
        "done": True,
        "places": places,
        "persons": persons,
        "to_unit": target.name if target else "",
        "code": code or "",
        "effects": effects,
        "message": "；".join(effects),
    }

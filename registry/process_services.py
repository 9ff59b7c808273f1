"""Register operations that BPMN service tasks call by name (each matter's
manifest says which it uses, under which name).

Each runs inside the step's transaction (``engine.step_context``) on the
matter's unit and returns plain data for gateways and the next approvers.
A rule that refuses is returned as data (``allowed``/``reserved`` false with
the Chinese explanation), so the process routes it; only unexpected failures
raise, and those become incidents.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from engine import step_context
from engine.restricted_scripts import reads_only
from forms.identifiers import check_ric, ric_birth_date
from kernel import clock
from kernel.errors import Conflict
from registry import notices, unit_lifecycle
from registry.figures import leadership_figures, posts_problems, posts_wanted
from registry.models import Person, Reservation, Unit
from registry.notices import DEFAULT_VALIDITY_MONTHS
from registry.plans import room_on_plan
from registry.reservations import check_vacancy, lock_unit, reserve
from registry.staff import record_history


def step_unit() -> Unit:
    """The unit of the matter whose step is running (an operation's subject)."""
    step = step_context.current()
    unit = step.session.scalars(select(Unit).where(Unit.code == step.instance.unit_code)).first()
    if unit is None:
        raise LookupError(f"机构编制台账中没有单位“{step.instance.unit_code}”")
    return unit


@reads_only
def vacancy_check(params: dict[str, Any]) -> dict[str, Any]:
    """The vacancy of the type, or, for persons recruited under a 用编计划, the room left on its notice
    (the plan holds those places already)."""
    unit, session = step_unit(), step_context.current().session
    est_type, places = str(params["est_type"]), int(params["places"])
    decision = check_vacancy(session, unit.id, est_type, places)
    number = str(params.get("notice_no") or "")
    if number:
        room = room_on_plan(
            session, unit_id=unit.id, number=number, est_type=est_type, persons=places, on=clock.today()
        )
        figures = decision.figures.as_dict()
        return {
            **room.as_dict(),
            "plan_notice": number,
            "figures": figures,
            "unit_kind": unit.kind,
            "unit_name": unit.name,
        }
    return {**decision.as_dict(), "unit_kind": unit.kind, "unit_name": unit.name}


def reserve_places(params: dict[str, Any], *, validity_months: int = DEFAULT_VALIDITY_MONTHS) -> dict[str, Any]:
    step = step_context.current()
    unit = step_unit()
    persons = list(params.get("persons") or [])
    if params.get("notice_no"):
        return _on_plan(unit, str(params["notice_no"]), str(params["est_type"]), int(params["places"]))
    try:
        made = reserve(
            step.session,
            unit_id=unit.id,
            est_type=str(params["est_type"]),
            places=int(params["places"]),
            instance_id=step.instance.id,
            on=clock.today(),
            posts=posts_wanted(persons),
            validity_months=validity_months,
        )
    except Conflict as refused:
        return {"reserved": False, "message": refused.message, "number": None, "code": refused.code}
    return {
        "reserved": True,
        "number": made.number,
        "places": made.places,
        "expires_on": made.expires_on.isoformat() if made.expires_on else None,
        "message": f"已核发核准使用编制通知单{made.number}，预留{made.est_type}{made.places}名，"
        f"有效期至{made.expires_on.isoformat() if made.expires_on else '—'}",
    }


def _on_plan(unit: Unit, number: str, est_type: str, places: int) -> dict[str, Any]:
    """编办's 核准 of persons recruited under a 用编计划: no new notice, the plan's one if it still has room."""
    session = step_context.current().session
    lock_unit(session, unit.id)
    room = room_on_plan(session, unit_id=unit.id, number=number, est_type=est_type, persons=places, on=clock.today())
    if not room.allowed or room.notice is None:
        return {"reserved": False, "message": room.message, "number": None, "code": "plan_notice_unavailable"}
    expires = room.notice.expires_on.isoformat() if room.notice.expires_on else None
    return {
        "reserved": True,
        "number": number,
        "places": places,
        "expires_on": expires,
        "plan": True,
        "message": room.message,
    }


def record_entry(params: dict[str, Any]) -> dict[str, Any]:
    """入编: place each person (一人一编) with their 人员分类, and use the notice's places."""
    step = step_context.current()
    unit = lock_unit(step.session, step_unit().id)
    notice = step.session.scalars(select(Reservation).where(Reservation.number == params["reservation"])).one()
    persons: list[dict[str, Any]] = list(params["persons"])
    if notice.unit_id != unit.id:
        raise ValueError(f"核准使用编制通知单{notice.number}不是{unit.name}的")
    today = clock.today()
    notices.use(notice, len(persons), today)
    placed = []
    for entry in persons:
        number = check_ric(str(entry["id_number"])).normalized
        if number is None:
            raise ValueError(f"身份证号码无效：{entry['id_number']}")
        person = step.session.scalars(select(Person).where(Person.id_number == number)).first()
        if person is not None and person.status == "在编":
            raise ValueError(f"{person.name}已在编，不能重复入编（一人一编）")
        if person is None:
            person = Person(
                id_number=number,
                name=str(entry["name"]),
                sex=str(entry["sex"]),
                birth_date=ric_birth_date(number),
                unit_id=unit.id,
                est_type=notice.est_type,
            )
            step.session.add(person)
        person.unit_id, person.est_type, person.status = unit.id, notice.est_type, "在编"
        person.category = str(entry.get("category") or "非领导")
        person.entry_form = str(entry.get("entry_form", ""))
        person.post_category = str(entry.get("post_category", ""))
        person.education = str(entry.get("education", ""))
        person.entry_date, person.notice_no = today, notice.number
        person.exit_date, person.exit_reason, person.exit_doc_no = None, "", ""
        step.session.flush()
        record_history(step.session, person, event="入编", on=today, doc_no=notice.number, by=step.actor)
        placed.append({"name": person.name, "id_number": number, "category": person.category})
    return {"placed": placed, "notice": notice.number, "est_type": notice.est_type}


def record_exit(params: dict[str, Any]) -> dict[str, Any]:
    """出编: write off the person's place; the history keeps where it was."""
    step = step_context.current()
    unit = lock_unit(step.session, step_unit().id)
    number = check_ric(str(params["id_number"])).normalized
    person = step.session.scalars(
        select(Person).where(Person.id_number == number, Person.unit_id == unit.id, Person.status == "在编")
    ).first()
    if person is None:
        raise ValueError(f"{unit.name}没有在编人员{params['id_number']}")
    on = date.fromisoformat(str(params["exit_date"]))
    person.status, person.exit_date = "出编", on
    person.exit_reason, person.exit_doc_no = str(params["reason"]), str(params.get("doc_no") or "")
    record_history(step.session, person, event="出编", on=on, doc_no=person.exit_doc_no, by=step.actor)
    return {"name": person.name, "est_type": person.est_type, "exit_date": on.isoformat(), "reason": person.exit_reason}


def credit_code(params: dict[str, Any]) -> dict[str, Any]:
    """赋码: issue (new), change the name, or cancel the unit's code (never reissued).

    A change rests on a 批复: one this platform issued, or another authority's
    文号 that 编办 records by attaching its scanned file to the review. A
    cancellation waits until nobody holds a place and no other matter is open.
    A refusal is returned as data (``done`` false with the reason), so the
    process ends the matter as refused.
    """
    from registry.credit_codes import issue_for_unit

    step = step_context.current()
    unit = lock_unit(step.session, step_unit().id)
    action = str(params["action"])
    doc_no = str(params.get("approval_doc_no") or "").strip()
    basis = unit_lifecycle.basis_of(step.session, doc_no, list(params.get("basis_files") or []))

    def record(event: str, before: str, after: str) -> None:
        unit_lifecycle.record_event(
            step.session, unit, event=event, before=before, after=after, basis=basis,
            instance_id=step.instance.id, by=step.actor,
        )  # fmt: skip

    if action == "new":
        if unit.credit_code:
            return {"done": False, "message": f"{unit.name}已有统一社会信用代码{unit.credit_code}"}
        issued = issue_for_unit(step.session, unit)
        record("赋码", "", issued.code)
        return {"done": True, "code": issued.code, "message": f"已赋码：{issued.code}"}
    if action == "cancel":
        refusal = unit_lifecycle.cancel_refusal(step.session, unit, matter_id=step.instance.id)
        if refusal:
            return {"done": False, "message": refusal}
        cancelled = unit_lifecycle.cancel_unit(
            step.session, unit, basis=basis, instance_id=step.instance.id, by=step.actor
        )
        return {"done": True, "code": cancelled, "message": f"已注销统一社会信用代码{cancelled}，该代码不再使用"}
    new_name = str(params.get("new_name") or "").strip()
    refusal = unit_lifecycle.rename_refusal(step.session, unit, new_name)
    if refusal:
        return {"done": False, "message": refusal}
    if not unit_lifecycle.recorded(basis):
        return {
            "done": False,
            "message": f"批准文号“{doc_no}”不是本平台出具的机构编制批复，编办也未上传该批复的扫描件，不能变更名称",
        }
    before, unit.name = unit.name, new_name
    record("名称变更", before, new_name)
    return {"done": True, "code": unit.credit_code, "message": f"已登记变更：{before}更名为{new_name}"}


@reads_only
def posts_check(params: dict[str, Any]) -> dict[str, Any]:
    """领导职数: the leaders among the persons must fit the posts still free by level
    (approved − held by persons in place − held on open notices)."""
    step = step_context.current()
    unit = step_unit()
    figures = leadership_figures(step.session, unit.id)
    problems = posts_problems(figures, posts_wanted(list(params.get("persons") or [])))
    shown = [f.as_dict() for f in figures]
    if problems:
        return {"allowed": False, "message": "超出核定领导职数：" + "；".join(problems), "figures": shown}
    return {"allowed": True, "message": "领导职数符合核定", "figures": shown}


@reads_only
def efficiency(params: dict[str, Any]) -> dict[str, Any]:
    """空缺编制使用效益率 as a decision aid for 编办 (the platform does not decide on it)."""
    from decimal import Decimal

    from registry.efficiency import compute
    from registry.models import Quota

    gain = params.get("gamma")
    if gain in (None, ""):
        return {"available": False, "message": "申请单位未填报效益提升值，未测算使用效益率"}
    step = step_context.current()
    unit = step_unit()
    total = sum(step.session.scalars(select(Quota.approved).where(Quota.unit_id == unit.id)))
    places = int(params["places"])
    exact = compute(Decimal(str(gain)), total, places)
    published = compute(Decimal(str(gain)), total, places, published=True)
    verdict = "达到" if exact.max_requestable >= places else "未达到"
    return {
        "available": True,
        "exact": exact.as_dict(),
        "published": published.as_dict(),
        "message": f"使用效益率{exact.epsilon_percent}%（文献算法{published.epsilon_percent}%），"
        f"{verdict}100%，按效益最多可使用{exact.max_requestable}名",
    }

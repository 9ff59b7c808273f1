"""Guards on a unit's standing: a code is cancelled only when nobody holds a
place and no matter is open; a name changes only on a 批复 (one this platform
issued, or another authority's that 编办 records with its scanned file).
Every change is a ``UnitEvent`` with its basis, and an audit event.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.models import Instance, Task
from engine.vocabulary import InstanceStatus, TaskStatus
from kernel import audit, clock
from registry.models import Person, Unit, UnitEvent
from registry.vocabulary import UnitStatus

OPEN_STATUSES = (InstanceStatus.RUNNING, InstanceStatus.RETURNED, InstanceStatus.INCIDENT)
APPROVAL_KIND = "institution_approval"  # 机构编制批复


def cancel_refusal(session: Session, unit: Unit, *, matter_id: str | None = None) -> str | None:
    """Why ``unit``'s code may not be cancelled now, with the figures; None when it may."""
    by_type = session.execute(
        select(Person.est_type, func.count())
        .where(Person.unit_id == unit.id, Person.status == "在编")
        .group_by(Person.est_type)
        .order_by(Person.est_type)
    ).all()
    matters = open_matter_count(session, unit, matter_id=matter_id)
    problems = []
    if by_type:
        total = sum(int(n) for _, n in by_type)
        detail = "、".join(f"{t}{n}名" for t, n in by_type)
        problems.append(f"尚有在编人员{total}名（{detail}），须先办理出编")
    if matters:
        problems.append(f"尚有未办结事项{matters}件，须先办结或撤回")
    if not problems:
        return None
    return f"{unit.name}{'；'.join(problems)}，不能注销"


def open_matter_count(session: Session, unit: Unit, *, matter_id: str | None = None) -> int:
    """The unit's open matters but ``matter_id``. A matter counts once submitted (one task done):
    the one being started right now does not."""
    open_matters = (
        select(func.count(func.distinct(Instance.id)))
        .join(Task, Task.instance_id == Instance.id)
        .where(Instance.unit_code == unit.code, Instance.status.in_(OPEN_STATUSES), Task.state == TaskStatus.COMPLETED)
    )
    if matter_id is not None:
        open_matters = open_matters.where(Instance.id != matter_id)
    return int(session.scalar(open_matters) or 0)


def cancel_unit(session: Session, unit: Unit, *, basis: dict[str, Any], instance_id: str | None, by: str) -> str | None:
    """Cancel the unit and mark its credit code cancelled (never issued again); the code, if any.
    The caller has checked ``cancel_refusal`` under the unit's lock."""
    from registry.models import IssuedCode

    code = session.get(IssuedCode, unit.credit_code) if unit.credit_code else None
    if code is not None:
        code.status = "cancelled"
    before, unit.status = unit.status, UnitStatus.CANCELLED
    record_event(
        session, unit, event="注销", before=before, after=UnitStatus.CANCELLED, basis=basis,
        instance_id=instance_id, by=by,
    )  # fmt: skip
    return unit.credit_code


def rename_refusal(session: Session, unit: Unit, new_name: str) -> str | None:
    """Why ``unit`` may not take ``new_name``; None when it may."""
    if not new_name:
        return "请填写“变更后名称”"
    if new_name == unit.name:
        return "变更后名称与现名称相同"
    if session.scalar(select(Unit.id).where(Unit.name == new_name, Unit.id != unit.id)) is not None:
        return f"名称“{new_name}”已由其他单位使用"
    return None


def basis_of(session: Session, doc_no: str, scans: list[dict[str, Any]]) -> dict[str, Any]:
    """The document a change cites: a 批复 this platform issued (``platform``), or another
    authority's 文号 (``external``), with the scan 编办 attached if any."""
    if doc_no and issued_approval(session, doc_no):
        return {"doc_no": doc_no, "source": "platform"}
    basis: dict[str, Any] = {"doc_no": doc_no, "source": "external"}
    if doc_no and scans:
        basis |= {"file": scans[0].get("name"), "sha256": scans[0].get("sha256")}
    return basis


def recorded(basis: dict[str, Any]) -> bool:
    """Whether a basis is on record: issued here, or scanned in by 编办."""
    return basis["source"] == "platform" or bool(basis.get("sha256"))


def issued_approval(session: Session, doc_no: str) -> bool:
    """Whether ``doc_no`` is a 机构编制批复 this platform issued."""
    from documents.models import ISSUED, Document

    found = session.scalar(
        select(Document.id).where(Document.number == doc_no, Document.kind == APPROVAL_KIND, Document.status == ISSUED)
    )
    return found is not None


def record_event(
    session: Session,
    unit: Unit,
    *,
    event: str,
    before: str,
    after: str,
    basis: dict[str, Any],
    instance_id: str | None,
    by: str,
) -> UnitEvent:
    row = UnitEvent(
        unit_id=unit.id,
        event=event,
        before=before[:200],
        after=after[:200],
        basis_doc_no=str(basis.get("doc_no") or "")[:60],
        basis_source=str(basis.get("source") or ""),
        basis_file=str(basis.get("file") or "")[:200],
        basis_sha256=str(basis.get("sha256") or ""),
        instance_id=instance_id,
        on=clock.today(),
        recorded_by=by,
    )
    session.add(row)
    audit.record(
        session,
        actor=by,
        action="unit_changed",
        instance_id=instance_id,
        details={"unit": unit.code, "event": event, "before": before, "after": after, "basis": basis},
    )
    return row


def events_of(session: Session, unit_id: int) -> list[dict[str, Any]]:
    rows = session.scalars(select(UnitEvent).where(UnitEvent.unit_id == unit_id).order_by(UnitEvent.id.desc()))
    return [
        {
            "event": e.event,
            "before": e.before,
            "after": e.after,
            "basis_doc_no": e.basis_doc_no,
            "basis_source": e.basis_source,
            "basis_file": e.basis_file,
            "instance_id": e.instance_id,
            "on": e.on.isoformat(),
            "by": e.recorded_by,
        }
        for e in rows
    ]

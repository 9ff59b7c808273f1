"""What 事业单位法人年度报告 checks and does beyond its process: who may report,
once a season, for which year, and what is published (公示) once 编办 approves."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import Instance
from engine.vocabulary import InstanceStatus
from kernel import clock
from kernel.actors import Actor
from kernel.errors import Conflict
from registry.models import Unit
from registry.process_services import step_unit
from registry.publicity import Notice, publish_from_step
from registry.vocabulary import UnitStatus

KEY = "annual_report"
PUBLIC_INSTITUTION = "事业单位"
# A report that stands (being handled or published) counts; a refused, withdrawn or cancelled one does not.
STANDING = (InstanceStatus.RUNNING, InstanceStatus.RETURNED, InstanceStatus.INCIDENT, InstanceStatus.COMPLETED)


def registered_institution(session: Session, actor: Actor, process_key: str) -> None:
    """Only a 事业单位 in the register (登记在册, not cancelled) reports."""
    unit = session.scalars(select(Unit).where(Unit.code == actor.unit_code)).first() if actor.unit_code else None
    if unit is None or unit.kind != PUBLIC_INSTITUTION or unit.status == UnitStatus.CANCELLED:
        raise Conflict(
            "not_a_registered_institution",
            "只有已登记的事业单位法人可以报送年度报告",
            {"unit_code": actor.unit_code, "kind": unit.kind if unit else None},
        )


def once_a_year(session: Session, actor: Actor, process_key: str) -> None:
    """One report a year: none may be started while this year's stands."""
    year_began = clock.start_of(clock.today().replace(month=1, day=1))
    standing = session.scalars(
        select(Instance.id).where(
            Instance.process_key == KEY,
            Instance.unit_code == actor.unit_code,
            Instance.created_at >= year_began,
            Instance.status.in_([s.value for s in STANDING]),
        )
    ).first()
    if standing is not None:
        raise Conflict(
            "annual_report_exists",
            "本单位本年度的年度报告已经报送（正在办理或已公示），不能重复报送",
            {"instance_id": standing},
        )


def check_report(session: Session, actor: Actor, data: dict[str, Any]) -> list[dict[str, str]]:
    """The report covers the year before this one."""
    expected = clock.today().year - 1
    if data.get("year") != expected:
        return [{"path": "/year", "field": "报告年度", "code": "register", "message": f"应报送{expected}年度的报告"}]
    return []


def publish(params: dict[str, Any]) -> dict[str, Any]:
    """公示: the report's public facts on the notice board, kept there (no end date)."""
    report = params["application"]
    unit = step_unit()
    facts = [
        ("统一社会信用代码", unit.credit_code or "—"),
        ("法定代表人", str(report["legal_representative"])),
        ("住所", str(report["address"])),
        ("开办资金", f"{report['funds']}万元"),
        ("净资产合计", f"年初{report['net_assets_start']}万元，年末{report['net_assets_end']}万元"),
        ("从业人数", f"{report['staff_count']}人"),
        ("开展业务活动情况", str(report["activities"])),
        ("相关资质认可或执业许可证明文件及有效期", str(report.get("qualifications") or "无")),
        ("绩效和受奖惩及诉讼投诉情况", str(report.get("performance") or "无")),
        ("接受捐赠资助及其使用情况", str(report.get("donations") or "无")),
    ]
    return publish_from_step(Notice(f"{unit.name}{report['year']}年度报告", facts), unit)

"""领导职务任免: the unit reports an appointment or a removal; 编办's 事前沟通 checks the approved
领导职数 by level and answers with the figures; 组织部 decides; the register records the person's
人员分类 and 职务, so the post counts (or is free again)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from documents.kinds import DocumentKind
from documents.samples import example
from forms import FormRegistry
from processes.catalogue import Matter
from processes.leader_appointment import rules
from registry.models import Person
from storage.archive import RetentionClass

ACTION_TEXT = {"appoint": "任职", "remove": "免职"}


def _title(data: Mapping[str, Any]) -> str:
    return f"{ACTION_TEXT[data['action']]}：{data['name']}（{data['position']}）"


def _sample(today: date, forms: FormRegistry) -> dict[str, Any]:
    app = example(forms, "leader_appointment_application")
    figures = [
        {"level": "正职", "approved": 1, "used": 1, "reserved": 0, "free": 0},
        {"level": "副职", "approved": 2, "used": 1, "reserved": 0, "free": 1},
    ]
    posts = {"allowed": True, "message": "副职尚有空缺职数1名，本次拟任1名，在核定职数内", "figures": figures}
    appointment = {
        "done": True,
        "message": f"已任命{app['name']}为{app['position']}（{app['level']}）",
        "on": today.isoformat(),
    }
    return {"application": app, "posts": posts, "appointment": appointment}


def _demo_fill(session: Session, data: dict[str, Any]) -> dict[str, Any]:
    """The demo appoints a person the demo's own 入编 placed: their number as the register holds it."""
    number = session.scalars(select(Person.id_number).where(Person.name == data["name"])).one()
    return {**data, "id_number": number}


POSTS_OPINION = DocumentKind(
    "leader_posts_opinion", "领导职数事前沟通意见", "leader_posts_opinion.html.j2", "编职", header="", sample=_sample
)
APPOINTMENT_NOTICE = DocumentKind(
    "appointment_notice",
    "干部任免通知",
    "appointment_notice.html.j2",
    "组任",
    department="zuzhi",
    header="",
    sample=_sample,
)

MATTER = Matter(
    key="leader_appointment",
    title="领导职务任免",
    card="单位报请任免领导班子成员：编办领导职数事前沟通，组织部审批，实名制同步更新",
    short_title="任免",
    display_title=_title,
    result_labels={"posts": "领导职数核查", "appointment": "任免登记"},
    archive_class="RM",
    retention=RetentionClass.PERMANENT,
    documents=(POSTS_OPINION, APPOINTMENT_NOTICE),
    document_retention={
        "leader_posts_opinion": RetentionClass.YEARS_30,
        "appointment_notice": RetentionClass.PERMANENT,
    },
    services={"leader.posts_check": rules.posts_check, "leader.record": rules.record},
    form_checks={"leader_appointment_application": rules.check_application},
    demo_order=6,
    demo_changes={
        "name": "孙悦",
        "position": "副主任",
        "reason": "经民主推荐、组织考察，拟任命为中心副主任，分管数据安全工作。",
    },
    demo_fill=_demo_fill,
)

"""Demo departments and accounts for the embedded default (never in production)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from kernel.accounts import Department, User, create_user
from onestop.demo_register import seed_register

DEMO_PASSWORD = "onestop-demo"
DEMO_UNIT = "demo-unit-001"

DEPARTMENTS = {
    "bianban": "机构编制委员会办公室",
    "zuzhi": "组织部",
    "renshe": "人力资源和社会保障局",
    "caizheng": "财政局",
    "archives": "档案管理",
    "bianwei": "机构编制委员会",
}

ACCOUNTS = [
    # username, the person's name (what pages show), roles, departments, unit
    ("applicant", "陈晓雯", ["applicant"], [], DEMO_UNIT),
    ("applicant_frozen", "刘海燕", ["applicant"], [], "demo-unit-004"),
    ("clerk003", "何雪梅", ["applicant"], [], "demo-unit-003"),  # 示范市档案馆: consents to a transfer out
    ("clerk005", "郭丽娟", ["applicant"], [], "demo-unit-005"),  # 示范市地方志研究室: merged into 示范市档案馆
    ("bianban", "王建国", ["approver"], ["bianban"], None),
    ("bianban2", "马晓东", ["approver"], ["bianban"], None),  # a colleague: 转办 needs one
    ("zuzhi", "李敏", ["approver"], ["zuzhi"], None),
    ("renshe", "张磊", ["approver"], ["renshe"], None),
    ("caizheng", "赵丽华", ["approver"], ["caizheng"], None),
    ("archivist", "孙静", ["archivist"], ["archives"], None),
    ("bianwei1", "周志刚", ["approver"], ["bianwei"], None),
    ("bianwei2", "吴秀兰", ["approver"], ["bianwei"], None),
    ("bianwei3", "郑伟", ["approver"], ["bianwei"], None),
    ("admin", "系统管理员", ["admin"], [], None),
]


def ensure_departments(session: Session) -> None:
    for code, name in DEPARTMENTS.items():
        if session.get(Department, code) is None:
            session.add(Department(code=code, name=name))


def seed_demo(session: Session) -> list[str]:
    """Create what is missing; return the usernames created."""
    ensure_departments(session)
    seed_register(session)
    existing = set(session.scalars(select(User.username)))
    created = []
    for username, display, roles, departments, unit in ACCOUNTS:
        if username not in existing:
            create_user(
                session,
                username=username,
                password=DEMO_PASSWORD,
                display_name=display,
                roles=roles,
                departments=departments,
                unit_code=unit,
            )
            created.append(username)
    return created

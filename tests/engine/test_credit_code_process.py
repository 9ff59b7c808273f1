"""赋码 through its BPMN process: new code from the block, change, cancel (never reissued)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine import services
from engine.errors import ValidationFailed
from forms.identifiers import check_uscc
from onestop.bootstrap import Platform
from registry.models import IssuedCode, Unit
from tests.conftest import actors_of
from tests.engine.helpers import add_clerk, decide, issue_documents

BASE = {"approval_doc_no": "示编〔2026〕21号", "contact_person": "刘洋", "contact_phone": "13900139000"}


def test_new_code_then_cancel(platform: Platform) -> None:
    ctx = platform.ctx
    add_clerk(platform, "bureau_clerk", "demo-unit-002")
    actors = actors_of(platform)
    iid = services.start(ctx, actors["bureau_clerk"], process_key="credit_code", data={**BASE, "action": "new"})["id"]
    assert decide(ctx, actors["bianban"], iid)["status"] == "running"  # until its documents are issued
    assert issue_documents(platform, iid) == "completed"
    result = services.get(ctx, actors["bureau_clerk"], iid)["data"]["results"]["credit_code"]
    code = result["code"]
    assert check_uscc(code).valid and code.startswith("11141002MB2000")  # 机构编制 / 机关 / region / block
    with pytest.raises(ValidationFailed) as twice:
        services.start(ctx, actors["bureau_clerk"], process_key="credit_code", data={**BASE, "action": "new"})
    assert "已有统一社会信用代码" in twice.value.details[0]["message"]
    iid = services.start(ctx, actors["bureau_clerk"], process_key="credit_code", data={**BASE, "action": "cancel"})[
        "id"
    ]
    decide(ctx, actors["bianban"], iid)
    with ctx.reading() as session:
        assert session.get(IssuedCode, code).status == "cancelled"
        assert session.scalars(select(Unit.status).where(Unit.code == "demo-unit-002")).one() == "cancelled"


def test_change_needs_the_new_name(sqlite_platform: Platform) -> None:
    ctx, actors = sqlite_platform.ctx, actors_of(sqlite_platform)
    with pytest.raises(ValidationFailed):
        services.start(ctx, actors["applicant"], process_key="credit_code", data={**BASE, "action": "change"})
    iid = services.start(
        ctx,
        actors["applicant"],
        process_key="credit_code",
        data={**BASE, "action": "change", "new_name": "示范市数据资源管理服务中心"},
    )["id"]
    decide(ctx, actors["bianban"], iid)
    with ctx.reading() as session:
        assert (
            session.scalars(select(Unit.name).where(Unit.code == "demo-unit-001")).one() == "示范市数据资源管理服务中心"
        )

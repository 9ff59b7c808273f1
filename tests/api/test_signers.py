"""加签 through HTTP, on SQLite and PostgreSQL: 前加签 holds the step until the signers have spoken,
后加签 holds the holder's approval until they agree, a disagreement gives the step back, and the
refusals."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from engine.models import Task
from kernel.records import AuditEvent
from tests.api.helpers import assert_error, instance, open_task, start
from tests.conftest import Api


def _add(api: Api, task_id: str, as_user: str, **body: Any) -> Any:
    return api.post(f"/api/v1/tasks/{task_id}/add-signers", as_user, json=body)


def _signer_task(api: Api, matter: str, username: str) -> dict[str, Any]:
    found = [t for t in instance(api, matter)["tasks"] if t["assignee"] == username and "加签" in t["step"]]
    assert len(found) == 1, instance(api, matter)["tasks"]
    return found[0]


def _sign(api: Api, task_id: str, as_user: str, decision: str, opinion: str | None = None) -> Any:
    """Complete a task by its id (a signer's, or the holder's own)."""
    body = {"decision": decision, **({"opinion": opinion} if opinion else {})}
    return api.post(f"/api/v1/tasks/{task_id}/complete", as_user, json=body)


def test_signers_before_speak_first_then_the_holder_decides(api: Api) -> None:
    matter = start(api)["id"]
    host = open_task(api, matter, "bianban")["id"]
    added = _add(api, host, "bianban", users=["zuzhi", "bianban2"], position="before", opinion="请先核实职数")
    assert added.status_code == 200, added.text
    assert added.json()["assignee"] == "bianban"
    # The holder waits; each signer finds the task in their inbox with what was asked.
    assert_error(_sign(api, host, "bianban", "approve"), 409, "awaiting_signers")
    seen = api.get(f"/api/v1/tasks/{_signer_task(api, matter, 'zuzhi')['id']}", "zuzhi").json()
    assert seen["signing"]["reason"] == "请先核实职数" and seen["signing"]["position"] == "before"
    assert seen["decisions"] == ["approve", "reject"] and seen["can_hand_over"] is False
    assert _sign(api, seen["id"], "zuzhi", "reject", "职数已满").status_code == 200
    assert_error(_sign(api, host, "bianban", "approve"), 409, "awaiting_signers")
    assert _sign(api, _signer_task(api, matter, "bianban2")["id"], "bianban2", "approve").status_code == 200
    # Both have spoken: the holder sees their words and decides.
    detail = api.get(f"/api/v1/tasks/{host}", "bianban").json()
    assert [(s["user"], s["decision"], s["opinion"]) for s in detail["signers"]] == [
        ("zuzhi", "reject", "职数已满"),
        ("bianban2", "approve", None),
    ]
    assert detail["can_complete"] is True and detail["awaiting_signers"] is None
    messages = [n["message"] for n in api.get("/api/v1/notifications?kind=task", "bianban").json()]
    assert any("加签人员已全部办理" in m for m in messages)
    assert _sign(api, host, "bianban", "return", "请补充职数说明").status_code == 200


def test_signers_after_countersign_the_approval_before_the_step_moves_on(api: Api) -> None:
    matter = start(api)["id"]
    host = open_task(api, matter, "bianban")["id"]
    added = _add(api, host, "bianban", users=["bianban2"], position="after", opinion="同意，请分管领导会签")
    assert added.status_code == 200, added.text
    assert_error(_sign(api, host, "bianban", "approve"), 409, "awaiting_signers")
    signed = _sign(api, _signer_task(api, matter, "bianban2")["id"], "bianban2", "approve", "同意")
    assert signed.status_code == 200, signed.text
    # The holder's approval went ahead: bianban's step is done, by bianban, with its opinion.
    assert sorted(t["department"] for t in signed.json()["tasks"]) == ["caizheng", "renshe", "zuzhi"]
    with api.platform.ctx.reading() as session:
        row = session.get(Task, host)
        assert row is not None
        assert (row.state, row.decision, row.opinion, row.awaiting) == (
            "completed",
            "approve",
            "同意，请分管领导会签",
            None,
        )
        actions = list(
            session.scalars(select(AuditEvent.action).where(AuditEvent.instance_id == matter).order_by(AuditEvent.id))
        )
    assert actions[-3:] == ["add_signers", "sign", "complete"]


def test_a_signer_after_who_disagrees_gives_the_step_back_to_its_holder(api: Api) -> None:
    matter = start(api)["id"]
    host = open_task(api, matter, "bianban")["id"]
    assert _add(api, host, "bianban", users=["bianban2", "zuzhi"], position="after", opinion="同意").status_code == 200
    assert_error(_sign(api, _signer_task(api, matter, "bianban2")["id"], "bianban2", "reject"), 422, "opinion_required")
    refused = _sign(api, _signer_task(api, matter, "bianban2")["id"], "bianban2", "reject", "编制来源不清")
    assert refused.status_code == 200, refused.text
    # zuzhi's signature is no longer asked for; bianban decides again.
    assert not [t for t in instance(api, matter)["tasks"] if "加签" in t["step"]]
    detail = api.get(f"/api/v1/tasks/{host}", "bianban").json()
    assert (detail["can_complete"], detail["awaiting_signers"], detail["decision"]) == (True, None, None)
    messages = [n["message"] for n in api.get("/api/v1/notifications?kind=task", "bianban").json()]
    assert any("不同意您的审批意见：编制来源不清" in m for m in messages)
    assert _sign(api, host, "bianban", "approve").status_code == 200


def test_add_signers_refusals(api: Api) -> None:
    matter = start(api)["id"]
    host = open_task(api, matter, "bianban")["id"]
    assert_error(_add(api, host, "bianban", users=["bianban"], position="before", opinion="x"), 422, "add_signer_self")
    assert_error(
        _add(api, host, "bianban", users=["applicant"], position="before", opinion="x"), 422, "signer_not_approver"
    )
    assert_error(_add(api, host, "bianban", users=["zuzhi"], position="before", opinion=""), 422, "opinion_required")
    assert_error(_add(api, host, "bianban", users=["zuzhi"], position="sideways", opinion="x"), 422, "request_invalid")
    assert_error(_add(api, host, "zuzhi", users=["renshe"], position="before", opinion="x"), 403, "not_your_task")
    assert _add(api, host, "bianban", users=["zuzhi"], position="before", opinion="请核实").status_code == 200
    assert_error(_add(api, host, "bianban", users=["renshe"], position="before", opinion="x"), 409, "awaiting_signers")
    signer = _signer_task(api, matter, "zuzhi")["id"]
    assert_error(_add(api, signer, "zuzhi", users=["renshe"], position="before", opinion="x"), 409, "added_signer")
    transfer = api.post(f"/api/v1/tasks/{signer}/transfer", "zuzhi", json={"to": "zuzhi"})
    assert_error(transfer, 409, "added_signer")
    assert_error(_sign(api, signer, "zuzhi", "return", "x"), 422, "decision_not_allowed")
    assert_error(api.post(f"/api/v1/tasks/{signer}/unclaim", "zuzhi"), 409, "added_signer")
    assert_error(api.post(f"/api/v1/tasks/{host}/unclaim", "bianban"), 409, "added_signer")


def test_a_signer_task_closes_with_the_matter(api: Api) -> None:
    matter = start(api)["id"]
    host = open_task(api, matter, "bianban")["id"]
    assert _add(api, host, "bianban", users=["zuzhi"], position="before", opinion="请核实").status_code == 200
    signer = _signer_task(api, matter, "zuzhi")["id"]
    assert api.post(f"/api/v1/instances/{matter}/cancel", "admin", json={"reason": "测试终止"}).status_code == 200
    assert api.get(f"/api/v1/tasks/{signer}", "zuzhi").json()["state"] == "cancelled"
    assert_error(_sign(api, signer, "zuzhi", "approve"), 409, "task_already_completed")

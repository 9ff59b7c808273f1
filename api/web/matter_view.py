"""How a matter reads to people: its steps (步骤条) with department, person and time, and its
handling record (办理记录) in plain Chinese."""

from __future__ import annotations

from typing import Any

from api.web.wording import ACTION_TEXT, DEPARTMENT_TEXT, STATUS_TEXT, opinion_text, step_label
from engine.vocabulary import Decision, InstanceStatus

STEP_STATE_TEXT = {"done": "已办理", "current": "办理中", "next": "下一步", "planned": "待办理"}


def step_list(steps: list[dict[str, Any]], detail: dict[str, Any]) -> list[dict[str, Any]]:
    """Each step on the path, with who decided it and when, or who holds it now. A step several
    people decide (并联, 会签) lists each of them once, with their latest decision."""
    decided: dict[str, dict[tuple[str, str], dict[str, Any]]] = {}
    for o in detail.get("opinions", []):  # in time order: a later round replaces an earlier one
        who = (o.get("department") or "", o.get("by") or "")
        decided.setdefault(o.get("name") or "", {})[who] = o
    holding: dict[str, list[dict[str, Any]]] = {}
    for t in detail.get("tasks", []):
        holding.setdefault(t.get("name") or "", []).append(t)
    rows = []
    for step in steps:
        done = list(decided.get(step["name"], {}).values())
        open_tasks = holding.get(step["name"], [])
        departments = {o["department"] for o in done} | {t["department"] for t in open_tasks}
        several = len(departments) > 1
        state = "current" if open_tasks else step["state"]
        rows.append(
            {
                **step,
                "state": state,
                "state_text": STEP_STATE_TEXT.get(state, ""),
                "label": step_label(step["title"], "" if several else next(iter(departments), step["department"])),
                "department_name": DEPARTMENT_TEXT.get(step["department"], step["department"]),
                "decisions": [_decision(o, several) for o in done],
                "holders": [_holder(t, several) for t in open_tasks],
            }
        )
    return rows


def _decision(o: dict[str, Any], with_department: bool) -> dict[str, Any]:
    who = o.get("by_name") or o.get("by") or ""
    if with_department:
        who = f"{DEPARTMENT_TEXT.get(o['department'], o['department'])} {who}"
    return {"who": who, "at": o.get("at"), "result": opinion_text(o.get("decision"), o.get("opinion"))}


def _holder(t: dict[str, Any], with_department: bool) -> dict[str, Any]:
    who = t.get("assignee_name") or "待签收"
    if with_department:
        who = f"{DEPARTMENT_TEXT.get(t['department'], t['department'])} {who}"
    return {"who": who, "due_at": t.get("due_at")}


def history_lines(detail: dict[str, Any]) -> list[dict[str, str]]:
    """The handling record: who (by name), what they did (their own decision, not the matter's
    new status), and the matter's status when it changed."""
    lines = []
    for e in detail.get("history", []):
        details = e.get("details") or {}
        what = ACTION_TEXT.get(e["action"], e["action"])
        if e["action"] == "complete" and details.get("task"):
            step = step_label(details["task"], details.get("department"))
            what = f"办理“{step}”：{opinion_text(details.get('decision'), e.get('opinion'))}"
        elif e.get("opinion"):
            what = f"{what}：{e['opinion']}"
        changed = e.get("status_after") and e.get("status_after") != e.get("status_before")
        status = STATUS_TEXT.get(e["status_after"], e["status_after"]) if changed else ""
        if (
            changed
            and e["status_after"] == InstanceStatus.RETURNED
            and details.get("decision") not in (None, Decision.RETURN)
        ):
            status += "（并联各部门办毕，按此前的退回意见退回申请单位）"
        lines.append({"at": e["at"], "who": e.get("actor_name") or e["actor"], "what": what, "status": status})
    return lines

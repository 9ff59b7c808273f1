"""Moving a running matter to another version of its process, on SpiffWorkflow's own
``SpiffWorkflow.bpmn.util.diff``: ``diff_workflow`` aligns the matter's tasks with the new
version's steps (by BPMN id first, then by position), ``migrate_workflow`` swaps the specs and
re-predicts what is still to come.

A matter may move only when nothing of it would be lost: every task it has, done or open, has a
counterpart in the new version, and an open step keeps its department and role (the person
holding it could otherwise no longer decide it). Steps the new version adds simply lie ahead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from SpiffWorkflow.bpmn.util.diff import diff_workflow, migrate_workflow
from SpiffWorkflow.util.task import TaskState

from engine.definitions import CompiledProcess
from engine.rewind import forget_dropped_events, step_info

PREDICTED = TaskState.PREDICTED_MASK


@dataclass
class Plan:
    """What moving one workflow to a new version would do."""

    mapped: list[dict[str, str]] = field(default_factory=list)  # open steps and where they go
    added: list[str] = field(default_factory=list)  # steps only the new version has
    removed: list[str] = field(default_factory=list)  # steps only the old version has
    lost: list[dict[str, str]] = field(default_factory=list)  # tasks with no counterpart, or a changed holder

    @property
    def possible(self) -> bool:
        return not self.lost

    def as_dict(self) -> dict[str, Any]:
        return {
            "mapped": self.mapped,
            "added": self.added,
            "removed": self.removed,
            "lost": self.lost,
            "can_migrate": self.possible,
        }


def _titles(compiled: CompiledProcess, names: set[str]) -> list[str]:
    return sorted(compiled.user_tasks[n].title for n in names if n in compiled.user_tasks)


def plan(registry: Any, workflow: Any, old: CompiledProcess, new: CompiledProcess) -> tuple[Plan, Any]:
    """The plan, and the diff it was made from (for ``apply``)."""
    top, subprocess_diffs = diff_workflow(registry, workflow, new.spec, new.subprocess_specs)
    found = Plan(
        added=_titles(new, set(new.user_tasks) - set(old.user_tasks)),
        removed=_titles(old, set(old.user_tasks) - set(new.user_tasks)),
    )
    if any(diff is None for diff in subprocess_diffs.values()) or workflow.subprocesses:
        found.lost.append({"step": "", "title": "子流程", "why": "含子流程的事项暂不支持迁移"})
    for task in top.removed:
        if task.state & PREDICTED:
            continue  # still to come: predicted afresh from the new version
        info = step_info(old, task)
        title = info.title if info else str(task.task_spec.bpmn_name or task.task_spec.name)
        state = "已办理" if task.state & TaskState.FINISHED_MASK else "办理中"
        found.lost.append({"step": task.task_spec.name, "title": title, "why": f"{state}，新版本中没有对应环节"})
    for task in workflow.get_tasks(state=TaskState.READY, manual=True):
        before = old.user_tasks[task.task_spec.name]
        target = top.alignment.get(task)
        after = new.user_tasks.get(target.name) if target is not None else None
        if after is None:
            continue  # reported above
        found.mapped.append({"step": before.name, "title": before.title, "to": after.title})
        if (after.department, after.role) != (before.department, before.role) and not before.department_item:
            found.lost.append({"step": before.name, "title": before.title, "why": "新版本改变了该环节的办理部门或角色"})
    return found, top


def apply(workflow: Any, new: CompiledProcess, diff: Any) -> None:
    """Move the workflow to the new version (the plan must be possible)."""
    migrate_workflow(diff, workflow, new.spec)
    forget_dropped_events(workflow)
    strays = [t for t in workflow.tasks.values() if new.spec.task_specs.get(t.task_spec.name) is not t.task_spec]
    if strays:
        raise ValueError(f"迁移后仍有任务指向旧版本的环节：{sorted({t.task_spec.name for t in strays})}")

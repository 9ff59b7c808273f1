"""Going back in a running workflow, on SpiffWorkflow's own ``reset_from_task_id``.

Two operations use it: 退回到任一环节 (a step returns the matter to a step
already done on its path) and 撤回 (an approver takes back a decision the
next step has not acted on). Both reset the workflow to a finished task: the
task is ready again with the data it had before it ran, and everything that
followed it is dropped and predicted afresh.

What may be reset to, read from the task tree:

* only a step on the current task's own path (an ancestor in the tree); a
  multi-instance step is reset as a whole (its parent task), never one seat;
* not into a parallel region that has already joined: after the join the
  path runs through one arbitrary branch, and resetting that branch alone
  would leave the others' result behind. Resetting to the step before the
  split re-enters every branch;
* not across a service task that wrote to the register (a notice reserved,
  a unit created, a code issued): those are not undone by going back.
  Operations that only read are marked with ``reads_only``.

A reset task gets a new id: its old id names the decision it made, which
stays in the task projection and the audit trail as history.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID, uuid4

from SpiffWorkflow.bpmn.specs.mixins.inclusive_gateway import InclusiveGateway
from SpiffWorkflow.bpmn.specs.mixins.parallel_gateway import ParallelGateway
from SpiffWorkflow.util.task import TaskState

from engine.definitions import CompiledProcess, UserTaskInfo
from engine.restricted_scripts import ServiceFunction, is_read_only


@dataclass(frozen=True)
class Step:
    """A finished step the matter may go back to."""

    name: str  # the BPMN element id: a user task, or a multi-instance task as a whole
    title: str
    department: str
    task: Any  # the SpiffWorkflow task to reset to
    blocked_by: str | None = None  # the register operation in the way, by its name

    @property
    def allowed(self) -> bool:
        return self.blocked_by is None


def step_info(compiled: CompiledProcess, task: Any) -> UserTaskInfo | None:
    """The user task a workflow task stands for: itself, or a multi-instance task's child."""
    spec = task.task_spec
    child = getattr(spec, "task_spec", None)  # a multi-instance task names its child's spec
    return compiled.user_tasks.get(child if isinstance(child, str) else spec.name)


def _ancestors(task: Any) -> Iterator[Any]:
    parent = task.parent
    while parent is not None:
        yield parent
        parent = parent.parent


def _joins_minus_splits(spec: Any) -> int:
    if not isinstance(spec, (ParallelGateway, InclusiveGateway)):
        return 0
    return (len(spec.inputs) > 1) - (len(spec.outputs) > 1)


def register_write_in(task: Any, services: Mapping[str, ServiceFunction]) -> str | None:
    """The first finished service task under ``task`` (itself included) that wrote to the register."""
    for done in task:  # a task iterates over its subtree
        operation = getattr(done.task_spec, "operation_name", None)
        if operation and done.state == TaskState.COMPLETED and not is_read_only(services.get(operation)):
            return str(done.task_spec.bpmn_name or done.task_spec.name)
    return None


def earlier_steps(compiled: CompiledProcess, task: Any, services: Mapping[str, ServiceFunction]) -> list[Step]:
    """The finished steps on ``task``'s path, nearest first, the latest round of each.

    A multi-instance child is the one seat of its step, so its own step is not
    one to return to from the seat."""
    steps: dict[str, Step] = {}
    seat_of = task.parent if isinstance(getattr(task.parent.task_spec, "task_spec", None), str) else None
    depth = 0
    for ancestor in _ancestors(task):
        depth += _joins_minus_splits(ancestor.task_spec)
        info = step_info(compiled, ancestor)
        name = ancestor.task_spec.name
        if info is None or ancestor is seat_of or name in steps or depth > 0:
            continue
        if ancestor.state != TaskState.COMPLETED or ancestor.task_spec.name == task.task_spec.name:
            continue
        steps[name] = Step(
            name=name,
            title=info.title,
            department=info.department,
            task=ancestor,
            blocked_by=register_write_in(ancestor, services),
        )
    return list(steps.values())


def reset_to(workflow: Any, task: Any) -> Any:
    """Reset the workflow to ``task`` and give it a new id; the task, ready or about to be."""
    workflow.reset_from_task_id(task.id)
    forget_dropped_events(workflow)
    if task.task_spec.manual:
        _rekey(workflow, task, uuid4())
    return task


def forget_dropped_events(workflow: Any) -> None:
    """SpiffWorkflow 3.2 leaves the waiting events (a step's timer) of tasks a reset or a migration
    dropped registered, and the next refresh of timers would reach a task without a parent."""
    manager = workflow.event_manager
    for stale in [task_id for task_id in manager.tasks if task_id not in workflow.tasks]:
        manager.tasks.pop(stale)


def _rekey(workflow: Any, task: Any, new_id: UUID) -> None:
    old_id = task.id
    workflow.tasks[new_id] = workflow.tasks.pop(old_id)
    task.id = new_id
    parent = task.parent
    if parent is not None:
        parent._children = [new_id if child == old_id else child for child in parent._children]
    for child in task.children:
        child._parent = new_id
    if workflow.last_task is not None and workflow.last_task.id == old_id:
        workflow.last_task = task

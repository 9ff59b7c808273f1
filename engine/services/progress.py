"""Where a matter stands on its process diagram: which steps are done, which
is current, which come next (as the engine predicts them), and each human
step's department."""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.task import TaskState

from engine.context import EngineContext
from engine.models import ProcessDefinition
from engine.services.access import visible_instance
from kernel.actors import Actor

RANK = {"current": 4, "done": 3, "next": 2, "planned": 1}
CHILD = " [child]"  # SpiffWorkflow's name for the task each instance of a multi-instance step runs


def _states(workflow: Any) -> dict[str, str]:
    states: dict[str, str] = {}

    def mark(name: str, state: str) -> None:
        if RANK[state] > RANK.get(states.get(name, ""), 0):
            states[name] = state

    for task in workflow.get_tasks():
        name = str(task.task_spec.name)
        if task.state in (TaskState.READY, TaskState.WAITING, TaskState.STARTED):
            mark(name, "current")
            for child in task.children:
                if child.state in (TaskState.FUTURE, TaskState.LIKELY):
                    mark(str(child.task_spec.name), "next")
        elif task.state == TaskState.COMPLETED:
            mark(name, "done")
        elif task.state in (TaskState.FUTURE, TaskState.LIKELY):
            mark(name, "planned")
    return states


def progress(ctx: EngineContext, actor: Actor, instance_id: str) -> dict[str, Any]:
    with ctx.reading() as session:
        instance = visible_instance(session, actor, instance_id)
        compiled = ctx.specs.get(session, instance.definition_id)
        live = ctx.store.load(session, instance, compiled)
        try:
            states = _states(live.workflow)
        finally:
            ctx.store.remember(instance.id, instance.row_version, live)  # only read: keep it cached
        definition = session.get(ProcessDefinition, instance.definition_id)
        departments = {name: info.department for name, info in compiled.user_tasks.items()}
        return {
            "bpmn_xml": definition.bpmn_xml if definition else "",
            "states": states,
            "departments": departments,
            "steps": _steps(live.workflow, compiled.user_tasks, states),
        }


def _steps(workflow: Any, user_tasks: dict[str, Any], states: dict[str, str]) -> list[dict[str, Any]]:
    """The human steps on the path taken, in the order the workflow met them, then the steps that
    may still come (the process graph walked on from where the matter stands; a step already done
    is not repeated)."""
    seen: list[str] = []
    for task in workflow.get_tasks():
        name = str(task.task_spec.name)
        if name in user_tasks and name in states and name not in seen:
            seen.append(name)
    human = {name: name for name in user_tasks} | {name.removesuffix(CHILD): name for name in user_tasks}
    ahead = list(dict.fromkeys(human[n] for n in _ahead(workflow, states) if n in human and human[n] not in seen))
    return [
        {"name": n, "title": user_tasks[n].title, "department": user_tasks[n].department, "state": states[n]}
        for n in seen
    ] + [
        {"name": n, "title": user_tasks[n].title, "department": user_tasks[n].department, "state": "planned"}
        for n in ahead
    ]


def _ahead(workflow: Any, states: dict[str, str], limit: int = 200) -> list[str]:
    """Task specs reachable from the current tasks, breadth first (the order a reader expects)."""
    current = [t.task_spec for t in workflow.get_tasks() if states.get(str(t.task_spec.name)) == "current"]
    queue, found, visited = list(current), [], {str(spec.name) for spec in current}
    while queue and len(visited) < limit:
        spec = queue.pop(0)
        for following in getattr(spec, "outputs", []):
            name = str(following.name)
            if name in visited or states.get(name) == "done":
                continue
            visited.add(name)
            found.append(name)
            queue.append(following)
    return found

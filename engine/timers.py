"""超时处理: BPMN timer boundary events on user tasks, counted in working days.

A process writes a step's time limit as a standard ``timeDate`` whose
expression asks the platform's working calendar: ``workdays_after(5)`` is the
end (China time) of the fifth working day after the step began, holidays and
调休 working weekends included. An interrupting timer takes the step away and
routes the matter as the process says (e.g. 逾期未反馈视为同意); a
non-interrupting one runs an escalation beside it (督办).

SpiffWorkflow decides whether a timer has fired; the engine only keeps each
matter's next timer in ``instances.wake_at`` so that a periodic job finds the
matters whose time has come without loading any other workflow.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.util.task import TaskState

from kernel import clock
from kernel.calendar import WorkCalendar, due_at


def script_helpers(calendar: WorkCalendar) -> dict[str, Callable[..., Any]]:
    """Functions a process's expressions may call."""

    def workdays_after(days: int) -> str:
        moment = due_at(calendar, clock.now(), int(days))
        assert moment is not None
        return moment.isoformat()

    return {"workdays_after": workdays_after}


def has_timers(spec: Any, subprocess_specs: dict[str, Any]) -> bool:
    """Whether a process has any timer event (else no step needs to look for one)."""
    return any(
        isinstance(getattr(task_spec, "event_definition", None), TimerEventDefinition)
        for process in [spec, *subprocess_specs.values()]
        for task_spec in process.task_specs.values()
    )


def waiting_timers(workflow: Any) -> list[Any]:
    """The timer events a workflow waits on."""
    return [
        task
        for task in workflow.get_tasks(state=TaskState.WAITING)
        if isinstance(getattr(task.task_spec, "event_definition", None), TimerEventDefinition)
    ]


def next_wake(workflow: Any) -> datetime | None:
    """When the earliest waiting timer fires (None: no timer waits, or its time is not set yet)."""
    moments = []
    for task in waiting_timers(workflow):
        value = task._get_internal_data("event_value")
        if isinstance(value, dict):  # a cycle: its next occurrence
            value = value.get("next")
        if isinstance(value, str):
            try:
                moments.append(TimerEventDefinition.parse_time_or_duration(value))
            except Exception:  # a duration not started yet: Spiff sets the moment when it first checks
                continue
    aware = [m if m.tzinfo else m.replace(tzinfo=clock.now().tzinfo) for m in moments if isinstance(m, datetime)]
    return min(aware) if aware else None


def fired(before: list[Any]) -> list[str]:
    """Which of the timers waited on before have now fired (by their BPMN names)."""
    return [
        str(task.task_spec.bpmn_name or task.task_spec.name)
        for task in before
        if task.state == TaskState.COMPLETED and task.workflow.tasks.get(task.id) is task
    ]

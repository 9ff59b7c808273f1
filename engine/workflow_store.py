"""Persisting SpiffWorkflow state without the spec and without rewriting history.

The naive way (``serialize_json`` with the embedded spec, every step) costs
time proportional to the process size and the instance's history. Here:

* the spec is never serialized: it comes from ``SpecCache`` by definition id;
* each task is one ``workflow_tasks`` row, and a step writes only the tasks
  whose state, children or trigger changed, plus their children (SpiffWorkflow
  stores task data as a delta against the parent's); a finished task's row
  never changes again;
* the top-level attributes (workflow data, root, subprocesses) are one small
  JSON column on the instance;
* a bounded per-process cache keeps the live workflow of recently touched
  instances, valid only while the instance's ``row_version`` is unchanged, so
  a warm step skips deserialization altogether. An entry is taken out of the
  cache while a transaction uses it and put back only after commit.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict, deque
from dataclasses import dataclass, field
from typing import Any, cast
from uuid import UUID

from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, TaskConverter
from SpiffWorkflow.bpmn.serializer.workflow import VERSION as SPIFF_SERIALIZER_VERSION
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import Table, bindparam, delete, insert, select, update
from sqlalchemy.orm import Session

from engine.definitions import CompiledProcess
from engine.models import Instance, WorkflowTask

SERIALIZER_VERSION = f"onestop-1/spiff-{SPIFF_SERIALIZER_VERSION}"

Snapshot = tuple[int, float, tuple[UUID, ...], bool, UUID | None]


class FinishedTaskConverter(TaskConverter):  # type: ignore[misc]
    """Restores a finished task's data with one shallow dict copy.

    SpiffWorkflow rebuilds every task's data by deep-merging its parent's data,
    so restoring an instance costs O(tasks x keys), and the keys grow with
    every decision. Finished tasks are never written again, so sharing nested
    values with their parent is safe; open and predicted tasks keep the
    library's own restore.
    """

    def from_dict(self, dct: dict[str, Any], workflow: Any) -> Any:
        delta = dct.get("delta")
        if not (dct["state"] & TaskState.FINISHED_MASK) or not delta or dct["parent"] is None:
            return super().from_dict(dct, workflow)
        restore = {**dct, "delta": {}, "data": {}}
        task = super().from_dict(restore, workflow)
        data = {**task.parent.data, **self.registry.restore(delta.get("updates", {}))}
        for key in delta.get("deletions", []):
            data.pop(key, None)
        task.data = data
        return task


def _snapshot(task: Any) -> Snapshot:
    return (task.state, task.last_state_change, tuple(task._children), task.triggered, task._parent)


@dataclass
class LiveWorkflow:
    """A workflow plus what its persisted rows looked like when loaded."""

    workflow: BpmnWorkflow
    persisted: dict[UUID, Snapshot] = field(default_factory=dict)


class WorkflowStore:
    def __init__(self, script_engine: Any, cache_size: int = 512) -> None:
        self._registry = BpmnWorkflowSerializer.configure(SPIFF_CONFIG)
        FinishedTaskConverter(Task, self._registry)  # replaces the default for Task
        self._converter = BpmnWorkflowConverter(BpmnWorkflow, self._registry)
        self._script_engine = script_engine
        self._cache: OrderedDict[str, tuple[int, LiveWorkflow]] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    @property
    def registry(self) -> Any:
        """The serializer registry (SpiffWorkflow's diff compares specs through it)."""
        return self._registry

    def rewrite_all(self, session: Session, instance: Instance, live: LiveWorkflow) -> None:
        """Forget what was stored of the workflow's tasks, so the next save writes every one
        (after a migration every task names a step of another version)."""
        table = cast(Table, WorkflowTask.__table__)
        session.execute(delete(table).where(table.c.instance_id == instance.id))
        live.persisted = {}

    # -- lifecycle -------------------------------------------------------
    def new(self, compiled: CompiledProcess) -> LiveWorkflow:
        workflow = BpmnWorkflow(compiled.spec, compiled.subprocess_specs, script_engine=self._script_engine)
        return LiveWorkflow(workflow)

    def load(self, session: Session, instance: Instance, compiled: CompiledProcess) -> LiveWorkflow:
        with self._lock:
            cached = self._cache.pop(instance.id, None)
        if cached is not None and cached[0] == instance.row_version:
            return cached[1]
        rows = session.execute(
            select(WorkflowTask.task_id, WorkflowTask.body).where(WorkflowTask.instance_id == instance.id)
        ).all()
        return self._restore(compiled, instance.workflow_meta, {r.task_id: r.body for r in rows})

    def save(self, session: Session, instance: Instance, live: LiveWorkflow) -> None:
        """Flush the session with the new top-level attributes, then write changed tasks."""
        workflow = live.workflow
        current = {task_id: _snapshot(task) for task_id, task in workflow.tasks.items()}
        changed = {task_id for task_id, snap in current.items() if live.persisted.get(task_id) != snap}
        # A row stores its data as a delta over the parent's data, so when a
        # parent changes, its children's rows must be rewritten too.
        dirty = changed | {child for task_id in changed for child in current[task_id][2]}
        new_rows: list[dict[str, str]] = []
        changed_rows: list[dict[str, str]] = []
        for task_id in dirty:
            if task_id not in current:
                continue
            before = live.persisted.get(task_id)
            body = json.dumps(self._registry.convert(workflow.tasks[task_id]), ensure_ascii=False)
            (new_rows if before is None else changed_rows).append({"task_id": str(task_id), "body": body})
        removed = [str(task_id) for task_id in live.persisted if task_id not in current]
        # Attributes first, then one flush (the instance row is written once,
        # and exists before its task rows), then the task statements.
        instance.workflow_meta = self._meta(workflow)
        instance.serializer_version = SERIALIZER_VERSION
        session.flush()
        table = cast(Table, WorkflowTask.__table__)
        if removed:
            session.execute(delete(table).where(table.c.instance_id == instance.id, table.c.task_id.in_(removed)))
        if new_rows:
            session.execute(insert(table), [{"instance_id": instance.id, **row} for row in new_rows])
        if changed_rows:
            session.execute(
                update(table)
                .where(table.c.instance_id == bindparam("b_instance"), table.c.task_id == bindparam("b_task"))
                .values(body=bindparam("b_body")),
                [{"b_instance": instance.id, "b_task": r["task_id"], "b_body": r["body"]} for r in changed_rows],
            )
        live.persisted = current

    def remember(self, instance_id: str, row_version: int, live: LiveWorkflow) -> None:
        """Keep a committed workflow for the next step of the same instance."""
        if self._cache_size <= 0:
            return
        with self._lock:
            self._cache[instance_id] = (row_version, live)
            self._cache.move_to_end(instance_id)
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)

    def cached(self, instance_id: str) -> tuple[int, LiveWorkflow] | None:
        """The cached (row version, workflow) of an instance, for diagnostics."""
        with self._lock:
            return self._cache.get(instance_id)

    def forget(self, instance_id: str) -> None:
        with self._lock:
            self._cache.pop(instance_id, None)

    def clear(self) -> None:
        with self._lock:
            self._cache.clear()

    # -- (de)serialization ----------------------------------------------
    def _meta(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        reg = self._registry
        meta: dict[str, Any] = {
            "data": reg.convert(reg.clean(workflow.data)),
            "correlations": workflow.correlations,
            "last_task": str(workflow.last_task.id) if workflow.last_task is not None else None,
            "success": workflow.success,
            "completed": workflow.completed,
            "root": str(workflow.task_tree.id),
            "subprocesses": {str(k): reg.convert(v) for k, v in workflow.subprocesses.items()},
            "bpmn_events": reg.convert(workflow.bpmn_events),
        }
        # Round-trip through JSON so the column holds exactly what a reload sees.
        loaded: dict[str, Any] = json.loads(json.dumps(meta, ensure_ascii=False))
        return loaded

    def _restore(self, compiled: CompiledProcess, meta: dict[str, Any], bodies: dict[str, str]) -> LiveWorkflow:
        workflow = BpmnWorkflow(compiled.spec, compiled.subprocess_specs, deserializing=True)
        workflow.script_engine = self._script_engine
        workflow.tasks = {}
        # Parents first: a task's data is a delta over its parent's.
        queue = deque([meta["root"]])
        while queue:
            task_id = queue.popleft()
            body = json.loads(bodies[task_id])
            task = self._registry.restore(body, workflow=workflow)
            workflow.tasks[task.id] = task
            queue.extend(body["children"])
        workflow.task_tree = workflow.tasks[UUID(meta["root"])]
        dct = {k: v for k, v in meta.items() if k not in ("subprocesses", "bpmn_events", "root")}
        self._converter.set_default_attributes(workflow, dct)
        self._converter.subprocesses_from_dict(dict(meta.get("subprocesses", {})), workflow)
        workflow.bpmn_events = self._registry.restore(meta.get("bpmn_events", []))
        persisted = {task_id: _snapshot(task) for task_id, task in workflow.tasks.items()}
        return LiveWorkflow(workflow, persisted)

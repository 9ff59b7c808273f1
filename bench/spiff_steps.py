"""Sections (a) and (b): SpiffWorkflow in memory, and the naive persisted step.

Both start an instance and submit its first (applicant) task outside the timed
region, like ``engine.services.start`` does, then time every later step.
"""

from __future__ import annotations

import time
import uuid
from datetime import UTC, date, datetime
from typing import Any

from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.task import TaskState
from sqlalchemy import Column, MetaData, String, Table, Text, insert, select, update
from sqlalchemy.engine import Engine

from bench.processes import Workload
from engine import timers
from engine.definitions import parse_process
from engine.restricted_scripts import make_script_engine
from kernel.db import make_engine

_METADATA = MetaData()
NAIVE_TABLE = Table(
    "bench_naive_workflows",
    _METADATA,
    Column("id", String(36), primary_key=True),
    Column("body", Text, nullable=False),
)


class _Weekdays:
    """The work calendar without the database: every Monday to Friday works."""

    def is_workday(self, day: date) -> bool:
        return day.weekday() < 5

    def announced(self, year: int) -> bool:
        return True


class SpiffRunner:
    """A parsed spec and a script engine, shared by every instance of one workload."""

    def __init__(self, workload: Workload) -> None:
        self.workload = workload
        self.spec, self.subprocess_specs = parse_process(
            workload.bpmn_path.read_bytes(), workload.bpmn_path.name, workload.process_key
        )
        # A process's timer asks the work calendar (``workdays_after``); in memory, Monday to Friday.
        self.script_engine = make_script_engine(helpers=timers.script_helpers(_Weekdays()))

    def new_submitted(self) -> BpmnWorkflow:
        """A new workflow whose applicant task is done."""
        workflow = BpmnWorkflow(self.spec, self.subprocess_specs, script_engine=self.script_engine)
        workflow.do_engine_steps()
        self.step(workflow)
        return workflow

    def step(self, workflow: BpmnWorkflow) -> None:
        """Complete one ready user task the way the service places data, then run engine steps."""
        ready = workflow.get_tasks(state=TaskState.READY, manual=True)
        if not ready:
            raise RuntimeError(f"{self.workload.label}: no ready user task, workflow stuck")
        task = ready[0]
        name = task.task_spec.name
        if name == "submit":
            task.data["application"] = dict(self.workload.application)
        else:
            department = task.task_spec.extensions.get("properties", {}).get("department", "")
            task.data[name] = {
                "decision": "approve",
                "opinion": "同意",
                "data": {},
                "by": department,
                "department": department,
                "at": datetime.now(UTC).isoformat(),
            }
        task.run()
        workflow.do_engine_steps()


def in_memory(workload: Workload, instances: int) -> list[float]:
    """(a) Seconds per step with no persistence at all."""
    runner = SpiffRunner(workload)
    samples: list[float] = []
    for _ in range(instances):
        workflow = runner.new_submitted()
        while not workflow.completed:
            t0 = time.perf_counter()
            runner.step(workflow)
            samples.append(time.perf_counter() - t0)
        _check_steps(workload, len(samples), instances)
    return samples


def naive_engine(url: str) -> Engine:
    """An engine (with the platform's SQLite pragmas) and the blob table."""
    db = make_engine(url)
    _METADATA.create_all(db)
    return db


def naive_persisted(db: Engine, workload: Workload, instances: int) -> tuple[list[float], int]:
    """(b) Seconds per step (load blob, deserialize with spec, step, serialize, update,
    commit) and the largest blob written, in bytes."""
    runner = SpiffRunner(workload)
    serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
    samples: list[float] = []
    largest = 0
    for _ in range(instances):
        row_id = str(uuid.uuid4())
        with db.begin() as conn:
            body = serializer.serialize_json(runner.new_submitted())
            conn.execute(insert(NAIVE_TABLE).values(id=row_id, body=body))
        completed = False
        while not completed:
            t0 = time.perf_counter()
            with db.begin() as conn:
                query = select(NAIVE_TABLE.c.body).where(NAIVE_TABLE.c.id == row_id)
                stored = conn.execute(query).scalar_one()
                workflow: Any = serializer.deserialize_json(stored)
                workflow.script_engine = runner.script_engine
                runner.step(workflow)
                body = serializer.serialize_json(workflow)
                conn.execute(update(NAIVE_TABLE).where(NAIVE_TABLE.c.id == row_id).values(body=body))
            samples.append(time.perf_counter() - t0)
            largest = max(largest, len(body))
            completed = bool(workflow.completed)
        _check_steps(workload, len(samples), instances)
    return samples, largest


def _check_steps(workload: Workload, samples: int, instances: int) -> None:
    if samples % len(workload.plan) != 0 or samples > instances * len(workload.plan):
        expected = len(workload.plan)
        raise RuntimeError(f"{workload.label}: {samples} steps timed, expected {expected} per instance")

"""The benchmark workloads: the demo process and generated linear processes."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.definitions import deploy_file
from onestop.bootstrap import Platform, deploy_processes
from processes import catalogue

DEMO_KEY = "demo_cross_department"
DEMO_MATTER = catalogue.load().get(DEMO_KEY)
if DEMO_MATTER is None:  # pragma: no cover - the demo matter is part of the source tree
    raise RuntimeError(f"processes/{DEMO_KEY}/ is missing")
DEMO_BPMN = DEMO_MATTER.bpmn
DEMO_FORM = DEMO_MATTER.forms_dir / "demo_application.json"
# Who decides the demo's parallel reviews, in the order the benchmark completes them.
DEMO_PLAN = ("bianban", "zuzhi", "renshe", "caizheng")

_HEADER = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"'
    ' xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"'
    ' id="definitions_{key}" targetNamespace="http://onestop.example/bench">\n'
    '  <bpmn:process id="{key}" name="Linear benchmark, {n} steps" isExecutable="true">\n'
)
_FOOTER = "  </bpmn:process>\n</bpmn:definitions>\n"


def linear_key(n: int) -> str:
    return f"linear_{n}"


def _properties(department: str, role: str) -> str:
    return (
        "<bpmn:extensionElements><spiffworkflow:properties>"
        f'<spiffworkflow:property name="department" value="{department}"/>'
        f'<spiffworkflow:property name="role" value="{role}"/>'
        "</spiffworkflow:properties></bpmn:extensionElements>"
    )


def linear_bpmn(n: int) -> str:
    """BPMN 2.0 XML of ``linear_<n>``: start, ``submit`` (applicant), n-1 bianban approvals, end."""
    if n < 1:
        raise ValueError("a linear process needs at least one user task")
    key = linear_key(n)
    names = ["submit", *(f"approve_{i}" for i in range(2, n + 1))]
    lines = [_HEADER.format(key=key, n=n)]
    lines.append('    <bpmn:startEvent id="start"><bpmn:outgoing>flow_0</bpmn:outgoing></bpmn:startEvent>\n')
    for i, name in enumerate(names):
        department, role, title = (
            ("applicant", "applicant", "Submit") if i == 0 else ("bianban", "approver", f"Approval {i + 1}")
        )
        lines.append(
            f'    <bpmn:userTask id="{name}" name="{title}">{_properties(department, role)}'
            f"<bpmn:incoming>flow_{i}</bpmn:incoming><bpmn:outgoing>flow_{i + 1}</bpmn:outgoing>"
            "</bpmn:userTask>\n"
        )
    lines.append(f'    <bpmn:endEvent id="end"><bpmn:incoming>flow_{n}</bpmn:incoming></bpmn:endEvent>\n')
    nodes = ["start", *names, "end"]
    for i in range(n + 1):
        source, target = nodes[i], nodes[i + 1]
        lines.append(f'    <bpmn:sequenceFlow id="flow_{i}" sourceRef="{source}" targetRef="{target}"/>\n')
    lines.append(_FOOTER)
    return "".join(lines)


def demo_application() -> dict[str, Any]:
    """The first example of the demo application form: valid start data."""
    examples: list[dict[str, Any]] = json.loads(DEMO_FORM.read_text(encoding="utf-8"))["examples"]
    return dict(examples[0])


@dataclass(frozen=True)
class Workload:
    """One process to benchmark; ``plan`` names who completes each timed (non-submit) step."""

    label: str
    process_key: str
    bpmn_path: Path
    plan: tuple[str, ...]
    application: dict[str, Any] = field(default_factory=dict)

    @property
    def user_tasks(self) -> int:
        return len(self.plan) + 1

    @property
    def is_demo(self) -> bool:
        return self.process_key == DEMO_KEY


def demo_workload() -> Workload:
    return Workload("demo", DEMO_KEY, DEMO_BPMN, DEMO_PLAN, demo_application())


def linear_workload(directory: Path, n: int) -> Workload:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{linear_key(n)}.bpmn"
    path.write_text(linear_bpmn(n), encoding="utf-8")
    return Workload(linear_key(n), linear_key(n), path, ("bianban",) * (n - 1))


def all_workloads(directory: Path, sizes: list[int]) -> list[Workload]:
    return [demo_workload(), *(linear_workload(directory, n) for n in sizes)]


def deploy_workloads(platform: Platform, workloads: list[Workload]) -> None:
    """Deploy ``processes/`` (the demo) and every generated linear process."""
    deploy_processes(platform)
    with platform.ctx.transaction() as session:
        for workload in workloads:
            if not workload.is_demo:
                deploy_file(session, workload.bpmn_path, deployed_by="bench")

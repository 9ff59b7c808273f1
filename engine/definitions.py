"""Deploying BPMN files and the per-process cache of parsed specs.

A file is parsed once at deploy (SpiffWorkflow's Spiff parser with its XSD
validator) and stored with its SHA-256; an unchanged file is no new version.
Each process parses a stored version at most once and keeps the spec.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnValidator
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine import signing_rules, timers
from engine.models import ProcessDefinition
from engine.signing_rules import SignRule
from engine.vocabulary import APPROVER_DECISIONS, Decision
from kernel.actors import APPLICANT, APPLICANT_DEPARTMENT, APPROVER, UNIT_DEPARTMENT, UNIT_ROLE
from kernel.errors import NotFound, ValidationFailed

_VALIDATOR = BpmnValidator()


@dataclass(frozen=True)
class UserTaskInfo:
    """What the platform needs to route a human task, from its extension properties."""

    name: str
    title: str
    department: str
    role: str
    form_key: str | None
    sla_days: int | None
    decisions: tuple[str, ...] = APPROVER_DECISIONS
    # Where the decision record goes in the task data: the task's id by default;
    # a multi-instance child names its output data item instead.
    result_key: str | None = None
    # A multi-instance child assigned to the user named by this input data item.
    assignee_item: str | None = None
    # A multi-instance child for the department named by this input data item
    # (one parallel stage, each department its own child).
    department_item: str | None = None
    # On an applicant's resubmission: drop "all" earlier decisions, or only the
    # "returned" ones (approvals stand, only the returning steps run again).
    resubmit_clears: str = "all"
    # A routine step may be approved in a batch from the inbox (property
    # ``routine``); by default, a step whose only decision is to approve.
    routine: bool = False
    # A multi-instance step's rule: 会签, 或签 or 票签 (property ``sign``); None: 会签 without a tally.
    sign: SignRule | None = None
    # A step another unit decides (department and role ``unit``): the data item, a dotted path,
    # holding that unit's code (e.g. ``transfer_from.unit_code``, the 调出单位 of a transfer).
    unit_item: str | None = None

    @property
    def is_applicant_task(self) -> bool:
        """The matter's one submission (and its corrections), as opposed to a unit's decision."""
        return self.department == APPLICANT_DEPARTMENT


@dataclass(frozen=True)
class CompiledProcess:
    definition_id: int
    key: str
    version: int
    name: str
    spec: Any
    subprocess_specs: dict[str, Any]
    user_tasks: dict[str, UserTaskInfo]
    service_results: dict[str, str]  # service task name -> result variable
    promised_days: int | None = None  # 承诺时限, start event property ``promised_days``
    has_timers: bool = False  # 超时处理: a timer event somewhere (the step then keeps ``wake_at``)


@dataclass(frozen=True)
class DeployResult:
    key: str
    version: int
    name: str
    sha256: str
    created: bool


def _parser_for(xml: bytes, filename: str) -> SpiffBpmnParser:
    parser = SpiffBpmnParser(validator=_VALIDATOR)
    try:
        parser.add_bpmn_xml(etree.fromstring(xml), filename=filename)
    except (ValidationException, etree.XMLSyntaxError) as exc:
        raise ValidationFailed("invalid_bpmn", f"流程文件 {filename} 无效：{exc}") from exc
    return parser


def _user_tasks(spec: Any, subprocess_specs: dict[str, Any]) -> dict[str, UserTaskInfo]:
    tasks: dict[str, UserTaskInfo] = {}
    for process_spec in [spec, *subprocess_specs.values()]:
        for name, task_spec in process_spec.task_specs.items():
            if not getattr(task_spec, "manual", False):
                continue
            props = (getattr(task_spec, "extensions", None) or {}).get("properties", {})
            department = props.get("department")
            if not department:
                raise ValidationFailed("invalid_bpmn", f"用户任务 {name} 缺少 department 扩展属性")
            sla = props.get("sla_days")
            decisions = _decisions(name, props.get("decisions"))
            unit_item = props.get("unit_item")
            if (department == UNIT_DEPARTMENT) != bool(unit_item):
                raise ValidationFailed(
                    "invalid_bpmn", f"用户任务 {name}：由其他单位办理的环节（department=unit）须以 unit_item 指明单位"
                )
            tasks[name] = UserTaskInfo(
                name=name,
                title=task_spec.bpmn_name or name,
                department=department,
                role=UNIT_ROLE if unit_item else props.get("role") or _default_role(department),
                form_key=props.get("form_key"),
                sla_days=int(sla) if sla else None,
                decisions=decisions,
                result_key=props.get("result_key"),
                assignee_item=props.get("assignee_item"),
                department_item=props.get("department_item"),
                resubmit_clears=props.get("resubmit_clears") or "all",
                routine=_routine(name, props.get("routine"), decisions, applicant=department == APPLICANT_DEPARTMENT),
                sign=_sign_rule(process_spec, name, props.get("sign")),
                unit_item=unit_item or None,
            )
    return tasks


def _default_role(department: str) -> str:
    return APPLICANT if department == APPLICANT_DEPARTMENT else APPROVER


def _sign_rule(process_spec: Any, name: str, value: str | None) -> SignRule | None:
    """The ``sign`` property, only on a multi-instance step; 或签 and 票签 need the BPMN's own
    completion condition to end the step early."""
    rule = signing_rules.parse(name, value)
    if rule is None:
        return None
    parent = next((s for s in process_spec.task_specs.values() if getattr(s, "task_spec", None) == name), None)
    if parent is None:
        raise ValidationFailed("invalid_bpmn", f"用户任务 {name} 不是多实例任务，不能设置 sign（会签/或签/票签）")
    if rule.needs_completion_condition and not getattr(parent, "condition", None):
        raise ValidationFailed(
            "invalid_bpmn",
            f"多实例任务 {parent.name} 设为{rule.label}，"
            "须在 BPMN 中写明 completionCondition（如 vote_tally['settled']）",
        )
    return rule


def _decisions(task: str, value: str | None) -> tuple[str, ...]:
    """The decisions a task offers (property ``decisions``, comma separated)."""
    if not value:
        return APPROVER_DECISIONS
    chosen = tuple(d.strip() for d in value.split(",") if d.strip())
    if not chosen or set(chosen) - set(APPROVER_DECISIONS):
        raise ValidationFailed("invalid_bpmn", f"用户任务 {task} 的 decisions 属性应取自 approve、return、reject")
    return chosen


def _routine(task: str, value: str | None, decisions: tuple[str, ...], *, applicant: bool) -> bool:
    if value is None:
        return decisions == (Decision.APPROVE,) and not applicant
    if value not in ("true", "false"):
        raise ValidationFailed("invalid_bpmn", f"用户任务 {task} 的 routine 属性应为 true 或 false")
    if value == "true" and (applicant or Decision.APPROVE not in decisions):
        raise ValidationFailed("invalid_bpmn", f"用户任务 {task} 不能同意，不能设为可批量办理")
    return value == "true"


def _promised_days(spec: Any) -> int | None:
    for task_spec in spec.task_specs.values():
        value = (getattr(task_spec, "extensions", None) or {}).get("properties", {}).get("promised_days")
        if value:
            return int(value)
    return None


def _service_results(spec: Any) -> dict[str, str]:
    return {
        name: str(task_spec.result_variable)
        for name, task_spec in spec.task_specs.items()
        if getattr(task_spec, "operation_name", None) and getattr(task_spec, "result_variable", None)
    }


def parse_process(xml: bytes, filename: str, key: str) -> tuple[Any, dict[str, Any]]:
    parser = _parser_for(xml, filename)
    try:
        return parser.get_spec(key), parser.get_subprocess_specs(key)
    except ValidationException as exc:
        raise ValidationFailed("invalid_bpmn", f"流程 {key} 无效：{exc}") from exc


def inspect_file(xml: bytes, filename: str) -> list[tuple[str, str, dict[str, UserTaskInfo]]]:
    """(key, name, user tasks) of each executable process in a BPMN file."""
    parser = _parser_for(xml, filename)
    found = []
    for key in parser.get_process_ids():
        try:
            spec = parser.get_spec(key)
            subprocess_specs = parser.get_subprocess_specs(key)
        except ValidationException as exc:
            raise ValidationFailed("invalid_bpmn", f"流程 {key} 无效：{exc}") from exc
        found.append((key, spec.description or key, _user_tasks(spec, subprocess_specs)))
    return found


def deploy_file(session: Session, path: Path, *, deployed_by: str = "system") -> list[DeployResult]:
    xml = path.read_bytes()
    digest = hashlib.sha256(xml).hexdigest()
    results = []
    for key, name, _tasks in inspect_file(xml, path.name):
        existing = session.scalars(
            select(ProcessDefinition).where(ProcessDefinition.key == key, ProcessDefinition.sha256 == digest)
        ).first()
        if existing is not None:
            results.append(DeployResult(key, existing.version, existing.name, digest, created=False))
            continue
        latest = session.scalar(select(func.max(ProcessDefinition.version)).where(ProcessDefinition.key == key))
        version = (latest or 0) + 1
        session.add(
            ProcessDefinition(
                key=key,
                version=version,
                name=name,
                sha256=digest,
                filename=path.name,
                bpmn_xml=xml.decode("utf-8"),
                deployed_by=deployed_by,
            )
        )
        session.flush()
        results.append(DeployResult(key, version, name, digest, created=True))
    return results


def deploy_directory(session: Session, directory: Path, *, deployed_by: str = "system") -> list[DeployResult]:
    """Every BPMN file under ``directory``, its matter folders included."""
    results = []
    for path in sorted(directory.rglob("*.bpmn")):
        results.extend(deploy_file(session, path, deployed_by=deployed_by))
    return results


def latest_definitions(session: Session) -> list[ProcessDefinition]:
    newest = (
        select(ProcessDefinition.key, func.max(ProcessDefinition.version).label("version"))
        .group_by(ProcessDefinition.key)
        .subquery()
    )
    query = (
        select(ProcessDefinition)
        .join(
            newest,
            (ProcessDefinition.key == newest.c.key) & (ProcessDefinition.version == newest.c.version),
        )
        .order_by(ProcessDefinition.key)
    )
    return list(session.scalars(query))


def latest_definition(session: Session, key: str) -> ProcessDefinition:
    definition = session.scalars(
        select(ProcessDefinition).where(ProcessDefinition.key == key).order_by(ProcessDefinition.version.desc())
    ).first()
    if definition is None:
        raise NotFound("process_not_found", f"流程“{key}”不存在或尚未部署")
    return definition


class SpecCache:
    """Parsed specs per definition id, built once per process, shared by threads."""

    def __init__(self) -> None:
        self._compiled: dict[int, CompiledProcess] = {}
        self._lock = threading.Lock()

    def get(self, session: Session, definition_id: int) -> CompiledProcess:
        compiled = self._compiled.get(definition_id)
        if compiled is not None:
            return compiled
        definition = session.get(ProcessDefinition, definition_id)
        if definition is None:
            raise NotFound("process_not_found", "流程定义不存在")
        spec, subprocess_specs = parse_process(definition.bpmn_xml.encode("utf-8"), definition.filename, definition.key)
        compiled = CompiledProcess(
            definition_id=definition.id,
            key=definition.key,
            version=definition.version,
            name=definition.name,
            spec=spec,
            subprocess_specs=subprocess_specs,
            user_tasks=_user_tasks(spec, subprocess_specs),
            service_results=_service_results(spec),
            promised_days=_promised_days(spec),
            has_timers=timers.has_timers(spec, subprocess_specs),
        )
        with self._lock:
            return self._compiled.setdefault(definition_id, compiled)

"""Completing one human task: checks, data placement, the step, the record.

Where data goes in the workflow (the contract BPMN conditions rely on):

* an applicant task's form data replaces ``application`` (the one submission,
  prefilled again when a matter is returned for correction), and starts a new
  review round: earlier decisions leave the workflow data (they stay in the
  task rows and the history). Otherwise a parallel branch would carry a stale
  decision of another branch into the join, where top-level keys overwrite;
* any other task writes ``<task id>`` = {"decision", "opinion", "data", "by",
  "department", "at"}: one top-level key per task, so parallel branches never
  overwrite each other at a join.
"""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.task import TaskState
from sqlalchemy.orm import Session

from engine import step_context
from engine.context import EngineContext
from engine.definitions import UserTaskInfo
from engine.models import Instance, Task
from engine.services import attachments, stepping
from engine.services.access import check_recusal, check_unit
from engine.vocabulary import APPROVER_DECISIONS, Decision, TaskStatus
from kernel import audit
from kernel.actors import Actor
from kernel.db import utcnow
from kernel.errors import Conflict, Forbidden, ValidationFailed


def check_may_complete(actor: Actor, task: Task, instance: Instance) -> None:
    if task.state == TaskStatus.CANCELLED:  # e.g. 或签: a colleague's decision ended the step
        raise Conflict("task_already_completed", "该环节已结束（已由他人作出决定或事项已变化），无需再办理")
    if task.state != TaskStatus.OPEN:
        raise Conflict("task_already_completed", "该任务已办理完毕")
    if not actor.can_act_for(task.department, task.role):
        raise Forbidden("not_your_task", "该任务不属于您所在的部门或角色")
    check_unit(actor, task)
    check_recusal(actor, task, instance)
    if task.owner_id is not None:
        raise Conflict("task_delegated", "该任务已委派他人办理，待受托人交回后再作决定")
    if task.awaiting is not None:
        raise Conflict("awaiting_signers", "该任务已加签，待加签人员全部办理后再继续")
    if task.assignee_id is not None and task.assignee_id != actor.user_id:
        raise Conflict("task_claimed_by_other", "该任务已由他人签收")


def normalise_decision(info: UserTaskInfo, decision: str | None, opinion: str | None) -> str:
    if info.is_applicant_task:
        if decision not in (None, Decision.SUBMIT, Decision.APPROVE):
            raise ValidationFailed("invalid_decision", "申请人任务只能提交")
        return Decision.SUBMIT
    if decision not in APPROVER_DECISIONS:
        raise ValidationFailed(
            "invalid_decision", "审批结论应为同意（approve）、退回补正（return）或不予批准（reject）"
        )
    if decision not in info.decisions:
        offered = "、".join(Decision(d).label for d in info.decisions)
        raise ValidationFailed("decision_not_allowed", f"“{info.title}”环节只能选择：{offered}")
    if decision in (Decision.RETURN, Decision.REJECT) and not (opinion or "").strip():
        raise ValidationFailed("opinion_required", "退回或不予批准时必须填写审批意见")
    return decision


def validate_form(
    ctx: EngineContext, session: Session, actor: Actor, info: UserTaskInfo, data: dict[str, Any], instance: Instance
) -> None:
    """The form's schema, then the matter's own check against the register; the check may ask
    ``step_context`` which matter is being submitted (e.g. to leave itself out of a search for duplicates)."""
    if info.form_key is None:
        return
    form = ctx.forms.get(info.form_key)
    if form is None:
        raise ValidationFailed("form_not_found", f"表单“{info.form_key}”不存在")
    errors = [e.as_dict() for e in form.validate(data)]
    check = ctx.form_checks.get(info.form_key)
    if not errors and check is not None:
        with step_context.bound(session, instance, actor.username):
            errors = check(session, actor, data)
    if errors:
        raise ValidationFailed("form_invalid", "表单填写有误，请按提示修改", errors)


def _with_attachments(
    ctx: EngineContext,
    session: Session,
    actor: Actor,
    loaded: stepping.Loaded,
    info: UserTaskInfo,
    data: dict[str, Any],
    uploads: list[dict[str, Any]],
) -> dict[str, Any]:
    form = ctx.forms.get(info.form_key) if info.form_key else None
    accepts = form is not None and "attachments" in form.schema.get("properties", {})
    if not accepts:
        if uploads:
            raise ValidationFailed("attachments_not_accepted", f"“{info.title}”环节不接收附件")
        return data
    if "attachments" not in data and not uploads:
        return data
    refs = attachments.resolve(session, loaded.instance, actor, data.get("attachments"), uploads)
    return {**data, "attachments": refs}


def _tally(info: UserTaskInfo, spiff_task: Any, decision: str) -> dict[str, Any]:
    """The votes of this multi-instance step so far, this one last (see ``engine.signing_rules``)."""
    assert info.sign is not None
    key = info.result_key or info.name
    siblings = [c for c in spiff_task.parent.children if c.task_spec is spiff_task.task_spec]
    done = sorted(
        (c.data[key] for c in siblings if c is not spiff_task and c.state == TaskState.COMPLETED and key in c.data),
        key=lambda r: str(r.get("at", "")),
    )
    return info.sign.tally([*(str(r.get("decision")) for r in done), decision], len(siblings))


def complete_task(
    ctx: EngineContext,
    session: Session,
    actor: Actor,
    loaded: stepping.Loaded,
    task: Task,
    *,
    decision: str | None,
    opinion: str | None,
    data: dict[str, Any],
    uploads: list[dict[str, Any]] | None = None,
    action: str = "complete",
) -> list[Task]:
    info = loaded.compiled.user_tasks[task.spec_name]
    decision = normalise_decision(info, decision, opinion)
    data = _with_attachments(ctx, session, actor, loaded, info, data, uploads or [])
    validate_form(ctx, session, actor, info, data, loaded.instance)
    spiff_task = stepping.ready_spiff_task(loaded, task.id)
    now = utcnow()
    instance = loaded.instance
    if info.is_applicant_task:
        for other in loaded.compiled.user_tasks.values():
            key = other.result_key or other.name
            record = spiff_task.data.get(key)
            returned = isinstance(record, dict) and record.get("decision") == Decision.RETURN
            if not other.is_applicant_task and (info.resubmit_clears == "all" or returned):
                spiff_task.data.pop(key, None)
        spiff_task.data["application"] = data
        instance.application = data
    else:
        record = {
            "decision": decision,
            "opinion": opinion or "",
            "data": data,
            "by": actor.username,
            "department": task.department,
            "at": now.isoformat(),
        }
        if info.sign is not None:  # 会签/或签/票签: the tally with this vote, for the BPMN's completion condition
            record["tally"] = spiff_task.data["vote_tally"] = _tally(info, spiff_task, decision)
        spiff_task.data[info.result_key or info.name] = record
    spiff_task.run()
    task.state, task.completed_at, task.completed_by = TaskStatus.COMPLETED, now, actor.user_id
    task.assignee_id = task.assignee_id or actor.user_id
    task.decision, task.opinion, task.form_data = decision, opinion, data
    status_before = instance.status
    created = stepping.advance(ctx, session, loaded, actor=actor.username)
    audit.record(
        session,
        actor=actor.username,
        action=action,
        instance_id=instance.id,
        task_id=task.id,
        status_before=status_before,
        status_after=instance.status,
        opinion=opinion,
        details={
            "decision": decision,
            "task": info.title,
            "department": task.department,
            **({"unit": task.unit_code} if info.unit_item else {}),  # another unit's decision: which unit
        },
    )
    return created

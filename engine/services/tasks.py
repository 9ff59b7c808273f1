"""Task use cases: inbox, read, claim, unclaim, complete, and batch approval
of routine steps."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select, func, or_, select, update

from engine.context import EngineContext
from engine.models import Instance, Task
from engine.services import handover, signers, stepping, views
from engine.services.access import lock_task_instance, must_recuse, of_actors_unit, task_inbox_condition, visible_task
from engine.services.completion import check_may_complete, complete_task
from engine.vocabulary import FINAL_STATUSES, Decision, TaskStatus
from kernel import audit, clock
from kernel.actors import APPLICANT, UNIT_ROLE, Actor
from kernel.errors import Conflict, DomainError, Forbidden, ValidationFailed

CLAIM_FILTERS = ("mine", "unclaimed")
MAX_ATTEMPTS = 4
MAX_BATCH = 50
ROUTINE_OPINION = "同意"


@dataclass(frozen=True)
class InboxFilter:
    """What narrows an inbox; ``search`` matches the 受理编号 or the matter's title, and any of
    ``unit_codes`` (the edge resolves a unit's name to its codes)."""

    state: str = TaskStatus.OPEN
    process_key: str | None = None
    due_before: date | None = None
    overdue: bool = False
    claimed: str | None = None
    search: str | None = None
    unit_codes: tuple[str, ...] = ()

    def checked(self) -> InboxFilter:
        if self.state not in set(TaskStatus):
            raise ValidationFailed("invalid_filter", f"任务状态应为：{'、'.join(TaskStatus)}")
        if self.claimed is not None and self.claimed not in CLAIM_FILTERS:
            raise ValidationFailed("invalid_filter", "签收状态应为 mine（我签收的）或 unclaimed（未签收）")
        return self


def _inbox_query(actor: Actor, wanted: InboxFilter) -> Select[Task, Instance]:
    query = (
        select(Task, Instance)
        .join(Instance, Instance.id == Task.instance_id)
        .where(Task.state == wanted.state, task_inbox_condition(actor))
    )
    if wanted.process_key:
        query = query.where(Task.process_key == wanted.process_key)
    if wanted.due_before is not None:
        end_of_day = clock.start_of(wanted.due_before + timedelta(days=1))
        query = query.where(Task.due_at < end_of_day)
    if wanted.overdue:
        query = query.where(Task.overdue_at.is_not(None))
    if wanted.claimed == "mine":
        query = query.where(Task.assignee_id == actor.user_id)
    elif wanted.claimed == "unclaimed":
        query = query.where(Task.assignee_id.is_(None))
    if wanted.search:
        word = wanted.search.strip()
        matches = [Instance.number.contains(word, autoescape=True), Instance.title.contains(word, autoescape=True)]
        if wanted.unit_codes:
            matches.append(Instance.unit_code.in_(wanted.unit_codes))
        query = query.where(or_(*matches))
    return query


def inbox(
    ctx: EngineContext,
    actor: Actor,
    *,
    state: str = TaskStatus.OPEN,
    process_key: str | None = None,
    due_before: date | None = None,
    overdue: bool = False,
    claimed: str | None = None,
    search: str | None = None,
    unit_codes: tuple[str, ...] = (),
    limit: int = 50,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """The actor's tasks, overdue first and then by due date; each says whether
    it is a routine step that may be approved in a batch."""
    wanted = InboxFilter(state, process_key, due_before, overdue, claimed, search, unit_codes)
    return find_tasks(ctx, actor, wanted, limit=limit, offset=offset)


def find_tasks(
    ctx: EngineContext, actor: Actor, wanted: InboxFilter, *, limit: int = 50, offset: int = 0
) -> list[dict[str, Any]]:
    """One page of the inbox ``wanted`` narrows (see ``inbox``)."""
    wanted = wanted.checked()
    with ctx.reading() as session:
        query = (
            _inbox_query(actor, wanted)
            .order_by(Task.overdue_at.is_(None), Task.due_at.is_(None), Task.due_at, Task.created_at, Task.id)
            .limit(limit)
            .offset(offset)
        )
        rows = session.execute(query).tuples().all()
        names = views.task_people(session, (task for task, _ in rows))
        summaries = []
        for task, matter in rows:
            summary = views.task_summary(task, matter, names, ctx.calendar)
            info = ctx.specs.get(session, matter.definition_id).user_tasks.get(task.spec_name)
            summary["routine"] = bool(info and info.routine)
            summaries.append(summary)
        return summaries


def inbox_total(ctx: EngineContext, actor: Actor, wanted: InboxFilter) -> int:
    """How many tasks the same filter finds, for a paged list."""
    with ctx.reading() as session:
        query = _inbox_query(actor, wanted.checked())
        return session.scalar(select(func.count()).select_from(query.subquery())) or 0


def get_task(ctx: EngineContext, actor: Actor, task_id: str) -> dict[str, Any]:
    with ctx.reading() as session:
        task, instance = visible_task(session, actor, task_id)
        form = ctx.forms.get(task.form_key) if task.form_key else None
        detail = views.task_summaries(session, [task], ctx.calendar, instance)[0]
        dossier = views.dossier(session, instance)
        info = ctx.specs.get(session, instance.definition_id).user_tasks.get(task.spec_name)
        recusal = must_recuse(actor, task, instance)
        signer = task.host_task_id is not None  # 加签: this task asks for an opinion on another
        can_complete = (
            task.state == TaskStatus.OPEN
            and task.owner_id is None
            and task.awaiting is None
            and actor.can_act_for(task.department, task.role)
            and task.assignee_id in (None, actor.user_id)
            and recusal is None
            and of_actors_unit(actor, task)
        )
        passable = task.role not in (APPLICANT, UNIT_ROLE) and not signer  # a department's own step
        return {
            **detail,
            "instance": views.instance_summary(instance, ctx.calendar),
            "data": dossier,
            # the unit's application; before its first submission, what a department proposed (if any)
            "prefill": (instance.application or task.form_data or {}) if task.role == "applicant" else {},
            "form_schema": form.schema if form else None,
            "decisions": [Decision.SUBMIT]
            if task.role == "applicant"
            else list(signers.SIGNER_DECISIONS if signer else info.decisions if info else ()),
            "opinions": views.opinions(session, instance.id),
            "changes": views.resubmission_changes(session, instance.id) if task.role != "applicant" else None,
            "can_complete": can_complete,
            # 转办, 委派, 抄送: whoever may decide the step may pass it on instead (not the applicant's own step)
            "can_hand_over": can_complete and passable,
            # 加签: the holder may add signers before or after themselves (not on a seat, not a signer)
            "can_add_signers": can_complete and passable and not (info is not None and info.assignee_item),
            "awaiting_signers": task.awaiting,
            "signers": signers.signers_of(session, task) if not signer else [],
            "signing": signers.signing_of(session, task),
            # a seat meant for one person (an 编委 vote) may be copied to others, not passed on
            "personal_seat": bool(info is not None and info.assignee_item),
            # a delegate gives the task back with their opinion (委派 → 交回)
            "can_resolve": task.state == TaskStatus.OPEN
            and task.owner_id is not None
            and task.assignee_id == actor.user_id,
            "delegation": handover.delegation_of(session, task),
            # 会签/或签/票签: the rule and the votes so far
            "vote": views.vote_of(session, task, info.sign) if info is not None and info.sign is not None else None,
            "recusal": recusal,
            # 退回到任一环节: whoever may decide a reviewing step (not a personal seat) may send it back
            "can_return": can_complete and passable and not (info is not None and info.assignee_item),
            # 撤回: one's own decision while the matter runs (whether what followed has acted is checked then)
            "can_recall": task.state == TaskStatus.COMPLETED
            and task.completed_by == actor.user_id
            and task.role != "applicant"
            and not signer
            and task.decision != Decision.RETURN_TO
            and instance.status not in FINAL_STATUSES,
        }


def claim(ctx: EngineContext, actor: Actor, task_id: str) -> dict[str, Any]:
    with ctx.transaction() as session:
        task, instance = visible_task(session, actor, task_id)
        check_may_complete(actor, task, instance)
        if task.assignee_id == actor.user_id:
            return views.task_summaries(session, [task], ctx.calendar, instance)[0]
        claimed = session.execute(
            update(Task)
            .where(Task.id == task.id, Task.assignee_id.is_(None), Task.state == TaskStatus.OPEN)
            .values(assignee_id=actor.user_id)
        )
        if getattr(claimed, "rowcount", 0) != 1:
            raise Conflict("task_claimed_by_other", "该任务已由他人签收")
        session.refresh(task)
        audit.record_unchanged(session, actor=actor.username, action="claim", instance=instance, task_id=task.id)
        return views.task_summaries(session, [task], ctx.calendar, instance)[0]


def unclaim(ctx: EngineContext, actor: Actor, task_id: str) -> dict[str, Any]:
    with ctx.transaction() as session:
        task, instance = visible_task(session, actor, task_id)
        if task.state != TaskStatus.OPEN:
            raise Conflict("task_already_completed", "该任务已办理完毕")
        if task.assignee_id is None:
            raise Conflict("task_not_claimed", "该任务尚未签收")
        if task.owner_id is not None:
            raise Conflict("task_delegated", "该任务已委派他人办理，待受托人交回")
        if task.host_task_id is not None or task.awaiting is not None:
            raise Conflict("added_signer", "加签任务由被加签人本人办理；已加签的任务待加签人员办理后再继续")
        if task.assignee_id != actor.user_id and not actor.is_admin:
            raise Forbidden("not_your_task", "只能退回本人签收的任务")
        task.assignee_id = None
        audit.record_unchanged(session, actor=actor.username, action="unclaim", instance=instance, task_id=task.id)
        return views.task_summaries(session, [task], ctx.calendar, instance)[0]


def complete(
    ctx: EngineContext,
    actor: Actor,
    task_id: str,
    *,
    decision: str | None,
    opinion: str | None = None,
    data: dict[str, Any] | None = None,
    uploads: list[dict[str, Any]] | None = None,
    routine_only: bool = False,
) -> dict[str, Any]:
    """Complete a task (with ``routine_only``, refuse one that is not a routine
    step). Losing a race to another task of the same instance is
    retried (the other task's step does not invalidate this decision); losing
    it to a completion of this very task ends in ``task_already_completed``."""
    for attempt in range(MAX_ATTEMPTS):
        try:
            return _complete_once(
                ctx,
                actor,
                task_id,
                decision=decision,
                opinion=opinion,
                data=data,
                uploads=uploads,
                routine_only=routine_only,
            )
        except Conflict as exc:
            if exc.code != "instance_changed" or attempt == MAX_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def _complete_once(
    ctx: EngineContext,
    actor: Actor,
    task_id: str,
    *,
    decision: str | None,
    opinion: str | None,
    data: dict[str, Any] | None,
    uploads: list[dict[str, Any]] | None,
    routine_only: bool,
) -> dict[str, Any]:
    with ctx.transaction() as session:
        task, instance, open_rows = lock_task_instance(session, actor, task_id)
        check_may_complete(actor, task, instance)
        if instance.status in FINAL_STATUSES:
            raise Conflict("instance_finished", "该事项已办结，不能再办理")
        if task.host_task_id is not None:  # 加签: a signer's word, not a workflow step
            if routine_only:
                raise ValidationFailed("task_not_routine", "加签任务须逐件办理")
            return signers.sign(ctx, session, actor, task, instance, open_rows, decision=decision, opinion=opinion)
        loaded = stepping.load(ctx, session, instance)
        loaded.open_rows = open_rows
        info = loaded.compiled.user_tasks[task.spec_name]
        if routine_only and not info.routine:
            raise ValidationFailed("task_not_routine", "该任务不是常规事项，须逐件审核办理")
        complete_task(
            ctx,
            session,
            actor,
            loaded,
            task,
            decision=decision,
            opinion=opinion,
            data=data or {},
            uploads=uploads,
            action="submit" if task.role == "applicant" else "complete",
        )
        return views.step_result(session, loaded, ctx.calendar)


def approve_routine(
    ctx: EngineContext, actor: Actor, task_ids: list[str], *, opinion: str | None = None
) -> dict[str, Any]:
    """Approve several routine steps at once. Each task is its own transaction,
    so one refused task (not routine, taken by a colleague, already done) leaves
    the others approved; the answer lists both."""
    unique = list(dict.fromkeys(task_ids))
    if not unique:
        raise ValidationFailed("batch_empty", "请选择要批量办理的任务")
    if len(unique) > MAX_BATCH:
        raise ValidationFailed("batch_too_large", f"一次最多批量办理 {MAX_BATCH} 件")
    approved: list[dict[str, Any]] = []
    refused: list[dict[str, Any]] = []
    for task_id in unique:
        try:
            result = complete(
                ctx, actor, task_id, decision=Decision.APPROVE, opinion=opinion or ROUTINE_OPINION, routine_only=True
            )
        except DomainError as error:
            refused.append({"task_id": task_id, "code": error.code, "message": error.message})
        else:
            approved.append({"task_id": task_id, "instance_id": result["id"]})
    return {"approved": approved, "refused": refused}

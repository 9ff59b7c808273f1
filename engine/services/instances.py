"""Instance use cases: start (or open for a unit), read, list, withdraw, cancel."""

from __future__ import annotations

import uuid
from typing import Any

from SpiffWorkflow.util.task import TaskState
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine import step_context
from engine.context import EngineContext
from engine.definitions import latest_definition
from engine.models import Instance, ProcessDefinition, Task
from engine.services import stepping, views
from engine.services.access import instance_visibility, lock_instance, visible_instance
from engine.services.completion import complete_task
from engine.services.processes import first_form, refuse_opened
from engine.vocabulary import FINAL_STATUSES, Decision, TaskStatus
from engine.workflow_store import SERIALIZER_VERSION
from kernel import audit, clock
from kernel.actors import APPLICANT, APPROVER, Actor
from kernel.errors import Conflict, DomainError, Forbidden, NotFound, ValidationFailed
from kernel.sequences import next_number

ACCEPTANCE_SEQUENCE = "acceptance"


def start_refusal(ctx: EngineContext, actor: Actor, process_key: str = "") -> DomainError | None:
    """Why this actor may not start ``process_key`` now (with no key: why their unit may start
    nothing, 负面清单 or a cancelled unit), asked of the very guards a start asks; None when
    they may."""
    with ctx.reading() as session:
        for guard in ctx.guards_for(process_key):
            try:
                guard(session, actor, process_key)
            except DomainError as refused:
                return refused
    return None


def check_may_start(actor: Actor) -> None:
    """Only a unit's clerk starts matters (asked before any upload is stored)."""
    if not actor.is_applicant:
        raise Forbidden("applicant_only", "只有申请单位的经办人可以发起事项")


def start(
    ctx: EngineContext,
    actor: Actor,
    *,
    process_key: str,
    data: dict[str, Any],
    uploads: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Create a matter and submit its first (applicant) task with ``data``."""
    check_may_start(actor)
    refuse_opened(ctx, process_key)
    with ctx.transaction() as session:
        for guard in ctx.guards_for(process_key):
            guard(session, actor, process_key)
        definition = latest_definition(session, process_key)
        compiled = ctx.specs.get(session, definition.id)
        instance = _new_instance(ctx, session, definition, data, unit_code=actor.unit_code or "", by=actor)
        loaded = stepping.Loaded(instance, compiled, ctx.store.new(compiled))
        created = stepping.advance(ctx, session, loaded, actor=actor.username, notify=False)
        first = [t for t in created if t.role == "applicant"]
        if len(first) != 1:
            raise ValidationFailed("process_not_startable", "该流程没有唯一的申请人填报环节，不能发起")
        audit.record(
            session,
            actor=actor.username,
            action="start",
            instance_id=instance.id,
            status_after=instance.status,
            details={"process_key": definition.key, "version": definition.version},
        )
        complete_task(
            ctx,
            session,
            actor,
            loaded,
            first[0],
            decision=Decision.SUBMIT,
            opinion=None,
            data=data,
            uploads=uploads,
            action="submit",
        )
        return views.instance_detail(session, instance, ctx.calendar)


def propose(
    ctx: EngineContext, actor: Actor, *, process_key: str, unit_code: str, data: dict[str, Any]
) -> dict[str, Any]:
    """A department proposes a matter for a unit (编办's 编制调整): the unit's first step waits in
    its inbox with the proposal filled in, for the unit to correct or confirm and submit; the rest
    of the process follows as if the unit had applied, and the proposer's colleagues decide it
    (回避). Only departments the matter names may propose it; the proposal must fit its form."""
    if not may_propose(ctx, actor, process_key):
        raise Forbidden("proposer_only", "该事项只能由单位申请，或由指定部门代为提出")
    form = first_form(ctx, process_key)
    errors = [e.as_dict() for e in form.validate(data)]
    if errors:
        raise ValidationFailed("form_invalid", "表单填写有误，请按提示修改", errors)
    with ctx.transaction() as session:
        if ctx.unit_known is not None and not ctx.unit_known(session, unit_code):
            raise NotFound("unit_not_found", "单位不存在")
        opened = {"proposal": data, "proposed_by": actor.username}
        instance_id = open_for_unit(
            ctx, session, actor, process_key=process_key, unit_code=unit_code, data=opened, prefill=data
        )
        instance = session.get(Instance, instance_id)
        assert instance is not None
        check = ctx.form_checks.get(form.key)  # the matter's own check, against the unit proposed for
        if check is not None:
            with step_context.bound(session, instance, actor.username):
                errors = check(session, actor, data)
            if errors:
                raise ValidationFailed("form_invalid", "表单填写有误，请按提示修改", errors)
        return views.instance_detail(session, instance, ctx.calendar)


def may_propose(ctx: EngineContext, actor: Actor, process_key: str) -> bool:
    """Whether the actor's department may propose ``process_key`` for a unit."""
    return APPROVER in actor.roles and bool(actor.departments & ctx.proposers.get(process_key, frozenset()))


def open_for_unit(
    ctx: EngineContext,
    session: Session,
    actor: Actor,
    *,
    process_key: str,
    unit_code: str,
    data: dict[str, Any],
    prefill: dict[str, Any] | None = None,
) -> str:
    """A department opens a matter for a unit (编办's 整改 after a comparison); the matter's id.

    The matter's first step, the unit's own, waits in the unit's inbox instead of being submitted
    at once; ``data`` is the opener's, which the process reads as ``opened_with`` (the unit's
    answer becomes its ``application`` as usual); ``prefill`` fills the unit's form in (a
    proposal). Runs in the caller's transaction; the caller decides who may open it, and no start
    rule applies: a unit on the negative list must still answer."""
    definition = latest_definition(session, process_key)
    compiled = ctx.specs.get(session, definition.id)
    instance = _new_instance(ctx, session, definition, prefill or data, unit_code=unit_code, by=actor)
    live = ctx.store.new(compiled)
    for ready in live.workflow.get_tasks(state=TaskState.READY):
        ready.data["opened_with"] = data
    created = stepping.advance(ctx, session, stepping.Loaded(instance, compiled, live), actor=actor.username)
    if [t.role for t in created] != [APPLICANT]:
        raise ValidationFailed("process_not_openable", "该流程的第一个环节不是单位办理环节，不能向单位下达")
    created[0].form_data = prefill  # shown filled in on the unit's step until it submits its own
    audit.record(
        session,
        actor=actor.username,
        action="open_for_unit",
        instance_id=instance.id,
        status_after=instance.status,
        details={"process_key": definition.key, "version": definition.version, "unit_code": unit_code},
    )
    return instance.id


def _new_instance(
    ctx: EngineContext,
    session: Session,
    definition: ProcessDefinition,
    data: dict[str, Any],
    *,
    unit_code: str,
    by: Actor,
) -> Instance:
    instance = Instance(
        id=str(uuid.uuid4()),
        definition_id=definition.id,
        process_key=definition.key,
        process_version=definition.version,
        number=acceptance_number(session),
        title=_title(ctx, definition, data),
        status=stepping.RUNNING,
        unit_code=unit_code,
        created_by=by.user_id,
        serializer_version=SERIALIZER_VERSION,
        workflow_meta={},
        application={},
        results={},
    )
    session.add(instance)
    return instance


def acceptance_number(session: Session) -> str:
    """受理编号: per year (China time) and gap-free, as the sequences table hands numbers out in
    commit order; a refused start rolls its number back."""
    year = clock.today().year
    return format_number(year, next_number(session, ACCEPTANCE_SEQUENCE, year))


def format_number(year: int, serial: int) -> str:
    return f"{year}-{serial:06d}"


def _title(ctx: EngineContext, definition: ProcessDefinition, data: dict[str, Any]) -> str:
    """The matter's title from its data as its manifest words it, else the process's name."""
    title = ctx.matter_title(definition.key, data) if ctx.matter_title else None
    return (title or definition.name)[:300]


def get(ctx: EngineContext, actor: Actor, instance_id: str) -> dict[str, Any]:
    with ctx.reading() as session:
        return views.instance_detail(session, visible_instance(session, actor, instance_id), ctx.calendar)


def list_instances(
    ctx: EngineContext,
    actor: Actor,
    *,
    status: str | None = None,
    process_key: str | None = None,
    search: str | None = None,
    unit_codes: tuple[str, ...] = (),
    limit: int = 50,
    offset: int = 0,
) -> dict[str, Any]:
    """One page of the matters the actor sees, newest first; ``search`` matches the 受理编号 or title
    (or the matter is of one of ``unit_codes``), and each item names the steps it stands at."""
    with ctx.reading() as session:
        query = select(Instance).where(instance_visibility(actor))
        if status:
            query = query.where(Instance.status == status)
        if process_key:
            query = query.where(Instance.process_key == process_key)
        if search and search.strip():
            word = search.strip()
            query = query.where(
                Instance.number.contains(word, autoescape=True) | Instance.title.contains(word, autoescape=True)
            )
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = list(
            session.scalars(query.order_by(Instance.created_at.desc(), Instance.id).limit(limit).offset(offset))
        )
        steps = views.current_steps(session, [i.id for i in rows])
        return {
            "total": total,
            "items": [{**views.instance_summary(i, ctx.calendar), "steps": steps.get(i.id, [])} for i in rows],
        }


def withdraw(ctx: EngineContext, actor: Actor, instance_id: str, *, reason: str | None = None) -> dict[str, Any]:
    """The applicant takes a matter back before any department has decided."""
    with ctx.transaction() as session:
        instance = visible_instance(session, actor, instance_id)
        lock_instance(session, instance)
        if not (actor.is_applicant and instance.unit_code == actor.unit_code):
            raise Forbidden("applicant_only", "只有申请单位可以撤回本单位的事项")
        decided = session.scalar(
            select(func.count()).where(
                Task.instance_id == instance.id, Task.state == TaskStatus.COMPLETED, Task.role != "applicant"
            )
        )
        if instance.status in FINAL_STATUSES:
            raise Conflict("instance_finished", "该事项已结束，不能撤回")
        if decided:
            raise Conflict("already_decided", "已有部门作出审批决定，不能撤回")
        return _stop(ctx, session, actor, instance, stepping.WITHDRAWN, "withdraw", reason)


def cancel(ctx: EngineContext, actor: Actor, instance_id: str, *, reason: str) -> dict[str, Any]:
    """An administrator ends a matter (e.g. entered in error), with a stated reason."""
    if not actor.is_admin:
        raise Forbidden("admin_only", "只有管理员可以终止事项")
    if not reason.strip():
        raise ValidationFailed("reason_required", "终止事项必须填写原因")
    with ctx.transaction() as session:
        instance = visible_instance(session, actor, instance_id)
        lock_instance(session, instance)
        if instance.status in FINAL_STATUSES:
            raise Conflict("instance_finished", "该事项已结束")
        return _stop(ctx, session, actor, instance, stepping.CANCELLED, "cancel", reason)


def _stop(
    ctx: EngineContext, session: Any, actor: Actor, instance: Instance, status: str, action: str, reason: str | None
) -> dict[str, Any]:
    loaded = stepping.load(ctx, session, instance)
    loaded.workflow.cancel()
    before = instance.status
    stepping.sync_projection(ctx, session, loaded)
    stepping.finish(ctx, session, instance, status)
    stepping.save(ctx, session, loaded)
    audit.record(
        session,
        actor=actor.username,
        action=action,
        instance_id=instance.id,
        status_before=before,
        status_after=status,
        opinion=reason,
    )
    return views.instance_detail(session, instance, ctx.calendar)

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Path, Query, Request

from api.bodies import openapi_submission, submit
from api.deps import Attachments, Config, Ctx, CurrentActor, Day
from api.schemas import (
    ERRORS,
    AddSignersJson,
    BatchApproveJson,
    BatchApproveOut,
    CompleteJson,
    CopyJson,
    CopyOut,
    HandOverJson,
    InstanceOut,
    Open,
    RecallJson,
    ResolveJson,
    ReturnStepOut,
    ReturnToJson,
    TaskOut,
)
from engine import services
from engine.services import handover, rewinding, signers
from engine.vocabulary import TaskStatus

router = APIRouter(prefix="/api/v1/tasks", tags=["待办"], responses=ERRORS)

TaskId = Path(min_length=1, max_length=36)

COMPLETE_BODY = openapi_submission(
    CompleteJson, {"decision": {"type": "string"}, "opinion": {"type": "string"}}, ["decision"]
)


@router.get("", response_model=list[TaskOut], summary="我的待办（本部门、本角色及签收给我的任务）")
def inbox(
    ctx: Ctx,
    actor: CurrentActor,
    state: TaskStatus = TaskStatus.OPEN,
    process_key: str | None = Query(default=None, max_length=100),
    due_before: Day | None = None,
    overdue: bool = False,
    claimed: Literal["mine", "unclaimed"] | None = None,
    q: str | None = Query(default=None, max_length=100, description="受理编号或事项名称中的文字"),
    limit: int = Query(default=50, ge=1, le=200),
    offset: int = Query(default=0, ge=0, le=1_000_000),
) -> list[dict[str, Any]]:
    return services.inbox(
        ctx,
        actor,
        state=state,
        process_key=process_key,
        due_before=due_before,
        overdue=overdue,
        claimed=claimed,
        search=q,
        limit=limit,
        offset=offset,
    )


@router.post("/batch-approve", response_model=BatchApproveOut, summary="批量同意常规任务（逐件办理，逐件报告结果）")
def batch_approve(ctx: Ctx, actor: CurrentActor, body: BatchApproveJson) -> dict[str, Any]:
    return services.approve_routine(ctx, actor, body.task_ids, opinion=body.opinion)


@router.get("/{task_id}", response_model=Open, summary="任务详情：事项数据、表单、历次意见")
def get_task(ctx: Ctx, actor: CurrentActor, task_id: str = TaskId) -> dict[str, Any]:
    return services.get_task(ctx, actor, task_id)


@router.post("/{task_id}/claim", response_model=TaskOut, summary="签收任务")
def claim(ctx: Ctx, actor: CurrentActor, task_id: str = TaskId) -> dict[str, Any]:
    return services.claim(ctx, actor, task_id)


@router.post("/{task_id}/unclaim", response_model=TaskOut, summary="退回签收")
def unclaim(ctx: Ctx, actor: CurrentActor, task_id: str = TaskId) -> dict[str, Any]:
    return services.unclaim(ctx, actor, task_id)


@router.post(
    "/{task_id}/complete",
    response_model=InstanceOut,
    summary="办理任务：同意、退回补正或不予批准",
    openapi_extra={"requestBody": COMPLETE_BODY},
)
async def complete(
    request: Request, ctx: Ctx, config: Config, store: Attachments, actor: CurrentActor, task_id: str = TaskId
) -> dict[str, Any]:
    return await submit(
        request,
        ctx,
        config,
        store,
        CompleteJson,
        ("decision", "opinion"),
        lambda body, uploads: services.complete(
            ctx, actor, task_id, decision=body.decision, opinion=body.opinion, data=body.data, uploads=uploads
        ),
    )


@router.post("/{task_id}/transfer", response_model=TaskOut, summary="转办：交给本部门的另一位审批人员，由其办理")
def transfer(ctx: Ctx, actor: CurrentActor, body: HandOverJson, task_id: str = TaskId) -> dict[str, Any]:
    return handover.transfer(ctx, actor, task_id, to=body.to, opinion=body.opinion)


@router.post("/{task_id}/delegate", response_model=TaskOut, summary="委派：请他人办理，交回后仍由本人决定")
def delegate(ctx: Ctx, actor: CurrentActor, body: HandOverJson, task_id: str = TaskId) -> dict[str, Any]:
    return handover.delegate(ctx, actor, task_id, to=body.to, opinion=body.opinion)


@router.post("/{task_id}/resolve", response_model=TaskOut, summary="受托人办理委派并交回委派人")
def resolve(ctx: Ctx, actor: CurrentActor, body: ResolveJson, task_id: str = TaskId) -> dict[str, Any]:
    return handover.resolve(ctx, actor, task_id, opinion=body.opinion)


@router.post("/{task_id}/copy", response_model=CopyOut, summary="抄送/知会：人员或部门可查阅该事项，不产生待办")
def copy(ctx: Ctx, actor: CurrentActor, body: CopyJson, task_id: str = TaskId) -> dict[str, Any]:
    return handover.copy(ctx, actor, task_id, users=body.users, departments=body.departments)


@router.get(
    "/{task_id}/return-steps", response_model=list[ReturnStepOut], summary="可退回的环节（本事项已办理过的前序环节）"
)
def return_steps(ctx: Ctx, actor: CurrentActor, task_id: str = TaskId) -> list[dict[str, Any]]:
    return rewinding.return_steps(ctx, actor, task_id)


@router.post("/{task_id}/return-to", response_model=InstanceOut, summary="退回到任一已办理的环节，从该环节重新办理")
def return_to(ctx: Ctx, actor: CurrentActor, body: ReturnToJson, task_id: str = TaskId) -> dict[str, Any]:
    return rewinding.return_to(ctx, actor, task_id, step=body.step, opinion=body.opinion)


@router.post("/{task_id}/recall", response_model=TaskOut, summary="撤回本人的决定（下一环节尚未办理时）")
def recall(ctx: Ctx, actor: CurrentActor, body: RecallJson, task_id: str = TaskId) -> dict[str, Any]:
    return rewinding.recall(ctx, actor, task_id, opinion=body.opinion)


@router.post(
    "/{task_id}/add-signers", response_model=TaskOut, summary="加签：在本人之前（前加签）或之后（后加签）增加办理人"
)
def add_signers(ctx: Ctx, actor: CurrentActor, body: AddSignersJson, task_id: str = TaskId) -> dict[str, Any]:
    return signers.add_signers(ctx, actor, task_id, users=body.users, position=body.position, opinion=body.opinion)

"""Response and request shapes as they appear in the OpenAPI document."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from api.deps import Day
from engine.vocabulary import Decision


class Open(BaseModel):
    """Documented fields; anything else the service adds passes through."""

    model_config = ConfigDict(extra="allow")


class ErrorOut(BaseModel):
    code: str = Field(description="稳定的机器可读错误码")
    message: str = Field(description="中文说明")
    details: Any = None


class TokenOut(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"


class HealthOut(BaseModel):
    status: Literal["ok"]


class ProcessOut(BaseModel):
    key: str
    version: int
    name: str
    opened_by_department: bool = False  # a department opens it for a unit; nobody starts it


class TaskOut(Open):
    """A task carries its matter's 受理编号 (``number``) and title (``title``); ``step`` names the step."""

    id: str
    instance_id: str
    number: str
    title: str
    step: str
    process_key: str
    department: str
    role: str
    state: str
    acting_unit: str | None = None  # a unit's task: the unit whose clerks act on it (调出单位)
    form_key: str | None = None
    assignee: str | None = None
    created_at: str | None = None
    due_at: str | None = None
    overdue: bool = False
    routine: bool = False


class InstanceOut(Open):
    id: str
    number: str
    status: str
    process_key: str
    version: int
    title: str
    tasks: list[TaskOut] = []


class InstancePage(BaseModel):
    total: int
    items: list[Open]


class StartJson(BaseModel):
    process_key: str = Field(min_length=1, max_length=100)
    data: dict[str, Any] = Field(default_factory=dict)


class ProposalJson(BaseModel):
    process_key: str = Field(min_length=1, max_length=100)
    unit_code: str = Field(min_length=1, max_length=64, description="代为提出的单位")
    data: dict[str, Any] = Field(default_factory=dict)


class CompleteJson(BaseModel):
    decision: Decision
    opinion: str | None = Field(default=None, max_length=2000)
    data: dict[str, Any] = Field(default_factory=dict)


Username = Annotated[str, Field(min_length=1, max_length=64)]
DepartmentCode = Annotated[str, Field(min_length=1, max_length=40)]


class HandOverJson(BaseModel):
    """转办 or 委派: to whom (a username), and why."""

    to: Username
    opinion: str | None = Field(default=None, max_length=500)


class ResolveJson(BaseModel):
    """委派 given back: what the delegate found."""

    opinion: str = Field(min_length=1, max_length=500)


class ReturnToJson(BaseModel):
    """退回到任一环节: the step (its BPMN id, from ``return-steps``) and the reason."""

    step: str = Field(min_length=1, max_length=100)
    opinion: str | None = Field(default=None, max_length=500)


class ReturnStepOut(BaseModel):
    step: str
    title: str
    department: str
    allowed: bool
    reason: str | None


class AddSignersJson(BaseModel):
    """加签: who (usernames), before (前加签) or after (后加签) the holder, and why (with ``after``: the
    holder's approval opinion)."""

    users: list[Username] = Field(min_length=1, max_length=10)
    position: Literal["before", "after"]
    opinion: str | None = Field(default=None, max_length=500)


class MigrateJson(BaseModel):
    """Move the running matters of ``from_version`` (or only ``instance_ids``) to ``to_version``
    (default: the latest)."""

    from_version: int = Field(ge=1, le=100_000)
    to_version: int | None = Field(default=None, ge=1, le=100_000)
    instance_ids: list[str] | None = Field(default=None, max_length=500)


class RecallJson(BaseModel):
    """撤回: why, optionally."""

    opinion: str | None = Field(default=None, max_length=500)


class CopyJson(BaseModel):
    """抄送/知会: usernames and department codes (at least one of them)."""

    users: list[Username] = Field(default_factory=list, max_length=20)
    departments: list[DepartmentCode] = Field(default_factory=list, max_length=20)


class CopyOut(BaseModel):
    task_id: str
    copied: list[str]
    already: list[str]


class DeputyJson(BaseModel):
    """代理: who, and the China dates away (both included)."""

    model_config = ConfigDict(populate_by_name=True)

    deputy: Username
    from_: Day = Field(alias="from")
    to: Day


class DeputyOut(BaseModel):
    deputy: str
    deputy_name: str
    from_: str = Field(alias="from")
    to: str
    active: bool

    model_config = ConfigDict(populate_by_name=True)  # answered by alias ("from"), FastAPI's default


class UrgeJson(BaseModel):
    opinion: str | None = Field(default=None, max_length=500)


class UrgeOut(BaseModel):
    instance_id: str
    urged: list[str]


class BatchApproveJson(BaseModel):
    task_ids: list[str] = Field(min_length=1, max_length=50)
    opinion: str | None = Field(default=None, max_length=2000)


class BatchRefusal(BaseModel):
    task_id: str
    code: str
    message: str


class BatchApprovedTask(BaseModel):
    task_id: str
    instance_id: str


class BatchApproveOut(BaseModel):
    approved: list[BatchApprovedTask]
    refused: list[BatchRefusal]


class ReasonJson(BaseModel):
    reason: str | None = Field(default=None, max_length=2000)


ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorOut} for status in (400, 401, 403, 404, 409, 413, 415, 422, 429, 503)
}

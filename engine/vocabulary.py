"""The workflow's words, once: what is stored (the enum's value) and what people read (its label).

Every module compares and stores these members, never the raw strings; the
pages, the notifications and the refusals take the Chinese from ``label``.
"""

from __future__ import annotations

from enum import StrEnum


class InstanceStatus(StrEnum):
    RUNNING = "running"
    RETURNED = "returned"
    INCIDENT = "incident"
    COMPLETED = "completed"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return _INSTANCE_LABELS[self]


_INSTANCE_LABELS = {
    InstanceStatus.RUNNING: "办理中",
    InstanceStatus.RETURNED: "退回补正",
    InstanceStatus.INCIDENT: "异常",
    InstanceStatus.COMPLETED: "已办结",
    InstanceStatus.REJECTED: "不予批准",
    InstanceStatus.WITHDRAWN: "已撤回",
    InstanceStatus.CANCELLED: "已终止",
}

# A matter in one of these has ended: nothing more happens to it.
FINAL_STATUSES = frozenset(
    {InstanceStatus.COMPLETED, InstanceStatus.REJECTED, InstanceStatus.WITHDRAWN, InstanceStatus.CANCELLED}
)


class TaskStatus(StrEnum):
    """A human task's row: waiting in an inbox, done, or dropped (the matter moved on without it)."""

    OPEN = "open"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    RECALLED = "recalled"  # 撤回: the decision was taken back; the task reopened under a new id

    @property
    def label(self) -> str:
        return _TASK_LABELS[self]


_TASK_LABELS = {
    TaskStatus.OPEN: "待办",
    TaskStatus.COMPLETED: "已办",
    TaskStatus.CANCELLED: "已取消",
    TaskStatus.RECALLED: "已撤回",
}


class Decision(StrEnum):
    SUBMIT = "submit"
    APPROVE = "approve"
    RETURN = "return"
    REJECT = "reject"
    RETURN_TO = "return_to"  # 退回到任一环节: the step sent the matter back to an earlier one

    @property
    def label(self) -> str:
        return _DECISION_LABELS[self]


_DECISION_LABELS = {
    Decision.SUBMIT: "提交",
    Decision.APPROVE: "同意",
    Decision.RETURN: "退回补正",
    Decision.REJECT: "不予批准",
    Decision.RETURN_TO: "退回",
}

APPROVER_DECISIONS = (Decision.APPROVE, Decision.RETURN, Decision.REJECT)


def labels(words: type[InstanceStatus] | type[TaskStatus] | type[Decision]) -> dict[str, str]:
    """Value → label, for templates."""
    return {word.value: word.label for word in words}

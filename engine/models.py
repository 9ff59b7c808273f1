"""Workflow tables: definitions, instances, their serialized tasks, the human
task projection and incidents."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from kernel.db import Base, utcnow


class ProcessDefinition(Base):
    """One deployed version of a BPMN process; never changed after insert."""

    __tablename__ = "process_definitions"
    __table_args__ = (
        UniqueConstraint("key", "version"),
        UniqueConstraint("key", "sha256", name="uq_process_definitions_key_sha256"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100), index=True)
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(300))
    bpmn_xml: Mapped[str] = mapped_column(Text)
    deployed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    deployed_by: Mapped[str] = mapped_column(String(100), default="system")


class Instance(Base):
    """A running or finished matter. ``row_version`` is the optimistic lock."""

    __tablename__ = "instances"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    definition_id: Mapped[int] = mapped_column(ForeignKey("process_definitions.id"), index=True)
    process_key: Mapped[str] = mapped_column(String(100), index=True)
    process_version: Mapped[int] = mapped_column(Integer)
    # 受理编号: year and a gap-free sequence, e.g. 2026-000123, given in the start's transaction.
    number: Mapped[str] = mapped_column(String(20), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(20), index=True)
    unit_code: Mapped[str] = mapped_column(String(64), index=True)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    wake_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    # 承诺时限: working days promised from submission; time with the applicant
    # for correction (between a return and the resubmission) does not count.
    promised_days: Mapped[int | None] = mapped_column(Integer)
    clock_started_on: Mapped[date | None] = mapped_column(Date)
    paused_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    paused_workdays: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    due_on: Mapped[date | None] = mapped_column(Date)
    serializer_version: Mapped[str] = mapped_column(String(40))
    # The one submission, readable without loading the workflow. Decisions
    # live on their task rows, so a step never rewrites a growing document.
    application: Mapped[dict[str, Any]] = mapped_column(JSON)
    # What service tasks computed (vacancy figures, notice numbers...), by result variable.
    results: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, server_default=text("'{}'"))
    # The name of the end event reached, e.g. 办结 or 空缺不足，不予受理.
    outcome: Mapped[str | None] = mapped_column(String(200))
    # Top-level workflow attributes (data, root, last task, subprocesses):
    # small, rewritten each step. Tasks live in ``workflow_tasks``.
    workflow_meta: Mapped[dict[str, Any]] = mapped_column(JSON)
    row_version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": row_version}  # noqa: RUF012


class WorkflowTask(Base):
    """One serialized SpiffWorkflow task. Only tasks changed by a step are written."""

    __tablename__ = "workflow_tasks"

    instance_id: Mapped[str] = mapped_column(ForeignKey("instances.id", ondelete="CASCADE"), primary_key=True)
    task_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    body: Mapped[str] = mapped_column(Text)


class Task(Base):
    """Projection of a human task for inboxes: never requires loading a workflow."""

    __tablename__ = "tasks"
    __table_args__ = (
        Index("ix_tasks_inbox", "state", "department", "role"),
        Index("ix_tasks_instance_state", "instance_id", "state"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    instance_id: Mapped[str] = mapped_column(ForeignKey("instances.id", ondelete="CASCADE"))
    process_key: Mapped[str] = mapped_column(String(100))
    spec_name: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(200))
    department: Mapped[str] = mapped_column(String(40))
    role: Mapped[str] = mapped_column(String(40))
    # A unit's task: the unit whose clerks act on it. The matter's own unit for its submission and
    # corrections (department ``applicant``); another unit for a step it decides (``unit``: 调出单位同意调出).
    unit_code: Mapped[str | None] = mapped_column(String(64), index=True)
    form_key: Mapped[str | None] = mapped_column(String(100))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # 委派: while set, the assignee is the person asked to handle the task and ``owner_id`` the one
    # who decides once it comes back.
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # 代理: the person this task was meant for, while they are away and the assignee stands in
    on_behalf_of: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # 加签: a signer's row names the task it was added to (its host) and whether it signs before the
    # host decides (前加签) or after (后加签). It is not a workflow task: it never moves the workflow.
    host_task_id: Mapped[str | None] = mapped_column(String(36), index=True)
    sign_position: Mapped[str | None] = mapped_column(String(10))
    # On the host, while its signers have not all signed: "before" or "after". After 后加签 the host's
    # decision waits in ``decision``/``opinion``/``form_data`` until every signer agrees.
    awaiting: Mapped[str | None] = mapped_column(String(10))
    state: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    overdue_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    completed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decision: Mapped[str | None] = mapped_column(String(20))
    opinion: Mapped[str | None] = mapped_column(Text)
    form_data: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class Absence(Base):
    """代理: an approver away from ``starts_on`` to ``ends_on`` (China dates, both included); the tasks
    meant for them in that time go to ``deputy_id``. One per person: setting it again replaces it."""

    __tablename__ = "absences"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    deputy_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    set_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CarbonCopy(Base):
    """抄送/知会: a person or a department informed of a matter; they may read it, without a task."""

    __tablename__ = "carbon_copies"
    __table_args__ = (UniqueConstraint("instance_id", "recipient"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[str] = mapped_column(ForeignKey("instances.id", ondelete="CASCADE"), index=True)
    # "user:<id>" or "department:<code>", as notifications name recipients
    recipient: Mapped[str] = mapped_column(String(60), index=True)
    task_id: Mapped[str | None] = mapped_column(String(36))
    copied_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    copied_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Attachment(Base):
    """A file uploaded to a matter. The metadata here, checked at upload, is the
    only one trusted: what a client writes into form data is never served."""

    __tablename__ = "attachments"
    __table_args__ = (UniqueConstraint("instance_id", "sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[str] = mapped_column(ForeignKey("instances.id", ondelete="CASCADE"))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    uploaded_by: Mapped[str] = mapped_column(String(100))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Draft(Base):
    """A form saved before it is submitted: a new matter's application or a correction, with the
    files already chosen (stored, not yet a matter's). One per person and form."""

    __tablename__ = "drafts"
    __table_args__ = (UniqueConstraint("owner_id", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # "start:<process key>" or "task:<task id>"
    subject: Mapped[str] = mapped_column(String(150))
    title: Mapped[str] = mapped_column(String(300))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    files: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

"""Outbox handlers that write notification records (待办提醒, 办结通知)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import Instance, Task
from engine.vocabulary import InstanceStatus
from kernel.actors import APPLICANT_DEPARTMENT, UNIT_DEPARTMENT, UNITS_DEPARTMENTS, Actor
from kernel.outbox import Handler, route
from kernel.records import Notification, OutboxMessage

# What a notification is about; the page header counts the unread ones by kind.
TASK_KIND = "task"  # a new task in a department's inbox
RETURNED_KIND = "returned"  # the applicant is asked to correct and resubmit
FINISHED_KIND = "finished"  # the matter has ended
URGE_KIND = "urge"  # a task is past its time limit, or someone urges it (催办)
COPY_KIND = "copy"  # a matter is copied to a person or department for information (抄送/知会)


def holder_of(task: Task, instance: Instance) -> str:
    """Who holds an open task, as a recipient: the unit whose task it is, else its assignee, else its department."""
    if task.department in UNITS_DEPARTMENTS:
        return f"unit:{task.unit_code or instance.unit_code}"
    return f"user:{task.assignee_id}" if task.assignee_id else f"department:{task.department}"


def notify(session: Session, recipient: str, instance_id: str, kind: str, text: str) -> None:
    """A message written in the caller's transaction (an action's own reminder, not an outbox event)."""
    session.add(Notification(recipient=recipient, instance_id=instance_id, kind=kind, message=text))


def add_notification_once(session: Session, message: OutboxMessage, recipient: str, kind: str, text: str) -> None:
    exists = session.scalar(
        select(Notification.id).where(Notification.outbox_id == message.id, Notification.recipient == recipient)
    )
    if exists is None:
        session.add(
            Notification(
                outbox_id=message.id,
                recipient=recipient,
                instance_id=message.payload.get("instance_id"),
                kind=kind,
                message=text,
            )
        )


def matter_name(title: str, number: str | None) -> str:
    """A matter as a message names it: its 受理编号 and its title, which quotes what it needs to
    (新设“示范市大数据发展中心”); messages queued before numbers had none."""
    return f"{number} {title}" if number else title


def on_task_created(session: Session, message: OutboxMessage) -> None:
    p = message.payload
    matter = matter_name(p["instance_title"], p.get("number"))
    if p["department"] == UNIT_DEPARTMENT:  # another unit's decision asked
        add_notification_once(
            session, message, f"unit:{p['task_unit_code']}", TASK_KIND, f"新的待办：{p['title']}（{matter}）"
        )
    elif p["department"] == APPLICANT_DEPARTMENT:
        add_notification_once(
            session, message, f"unit:{p['unit_code']}", RETURNED_KIND, f"您的事项 {matter} 需要补正材料后重新提交"
        )
    else:
        add_notification_once(
            session, message, f"department:{p['department']}", TASK_KIND, f"新的待办：{p['title']}（{matter}）"
        )


def on_instance_finished(session: Session, message: OutboxMessage) -> None:
    p = message.payload
    text = f"您的事项 {matter_name(p['title'], p.get('number'))} {InstanceStatus(p['status']).label}"
    add_notification_once(session, message, f"unit:{p['unit_code']}", FINISHED_KIND, text)


route("task.created", "notifications")
route("instance.finished", "notifications")

HANDLERS: dict[str, Handler] = {
    "task.created": on_task_created,
    "instance.finished": on_instance_finished,
}


def recipients_of(actor: Actor) -> list[str]:
    found = [f"user:{actor.user_id}", *(f"department:{d}" for d in sorted(actor.departments))]
    if actor.is_applicant:
        found.append(f"unit:{actor.unit_code}")
    return found

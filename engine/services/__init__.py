"""Use cases of the engine. Each opens one transaction and returns plain data.

``complete`` is the hot path: load the instance (row-version checked), step
the cached spec's workflow, save changed tasks, projection, audit, outbox.
"""

from engine.services.incidents import list_incidents, retry
from engine.services.instances import cancel, get, list_instances, open_for_unit, propose, start, withdraw
from engine.services.notices import list_notifications, mark_read, notification_counts, notifications_total
from engine.services.processes import deploy, list_processes, start_form
from engine.services.sessions import login, logout
from engine.services.tasks import (
    InboxFilter,
    approve_routine,
    claim,
    complete,
    find_tasks,
    get_task,
    inbox,
    inbox_total,
    unclaim,
)

__all__ = [
    "InboxFilter",
    "approve_routine",
    "cancel",
    "claim",
    "complete",
    "deploy",
    "find_tasks",
    "get",
    "get_task",
    "inbox",
    "inbox_total",
    "list_incidents",
    "list_instances",
    "list_notifications",
    "list_processes",
    "login",
    "logout",
    "mark_read",
    "notification_counts",
    "notifications_total",
    "open_for_unit",
    "propose",
    "retry",
    "start",
    "start_form",
    "unclaim",
    "withdraw",
]

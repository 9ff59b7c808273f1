"""Use cases of the engine. Each opens one transaction and returns plain data.

``complete`` is the hot path: load the instance (row-version checked), step
the cached spec's workflow, save changed tasks, projection, audit, outbox.
"""

from engine.services.incidents import list_incidents, retry
from engine.services.instances import cancel, get, list_instances, start, withdraw
from engine.services.notices import list_notifications
from engine.services.processes import deploy, list_processes, start_form
from engine.services.sessions import login, logout
from engine.services.tasks import approve_routine, claim, complete, get_task, inbox, unclaim

__all__ = [
    "approve_routine",
    "cancel",
    "claim",
    "complete",
    "deploy",
    "get",
    "get_task",
    "inbox",
    "list_incidents",
    "list_instances",
    "list_notifications",
    "list_processes",
    "login",
    "logout",
    "retry",
    "start",
    "start_form",
    "unclaim",
    "withdraw",
]

"""Messages from the platform's own back office into a waiting workflow.

A process that must wait for work done outside it (documents issued by the
worker) models the wait as a BPMN message catch event. The worker delivers
the message inside its own transaction; a matter that is not (or no longer)
waiting for that message is left alone, so a redelivered message changes
nothing.
"""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.util.event import BpmnEvent
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition as SpiffMessage
from SpiffWorkflow.task import TaskState
from sqlalchemy.orm import Session

from engine.context import EngineContext
from engine.models import Instance
from engine.services import stepping
from engine.services.access import lock_instance
from engine.vocabulary import FINAL_STATUSES
from kernel import audit

SYSTEM_ACTOR = "system"


def _waits_for(loaded: stepping.Loaded, name: str) -> bool:
    for task in loaded.workflow.get_tasks(state=TaskState.WAITING):
        definition = getattr(task.task_spec, "event_definition", None)
        if isinstance(definition, MessageEventDefinition) and definition.name == name:
            return True
    return False


def deliver(
    ctx: EngineContext, session: Session, instance_id: str, name: str, payload: dict[str, Any], *, label: str
) -> bool:
    """Deliver message ``name`` to the instance if it waits for it; True when it moved on."""
    instance = session.get(Instance, instance_id)
    if instance is None or instance.status in FINAL_STATUSES:
        return False
    lock_instance(session, instance)
    loaded = stepping.load(ctx, session, instance)
    if not _waits_for(loaded, name):
        return False
    loaded.workflow.catch(BpmnEvent(SpiffMessage(name), payload))
    status_before = instance.status
    stepping.advance(ctx, session, loaded, actor=SYSTEM_ACTOR)
    audit.record(
        session,
        actor=SYSTEM_ACTOR,
        action="message",
        instance_id=instance.id,
        status_before=status_before,
        status_after=instance.status,
        details={"message": name, "label": label},
    )
    return True

"""★ 案卷回放 for the people who inspect matters: administrators (any matter) and archivists (a
matter that has ended). Each look is recorded on the viewer's audit chain."""

from __future__ import annotations

from typing import Any

from engine import replay
from engine.context import EngineContext
from engine.models import Instance, ProcessDefinition
from engine.services.progress import CHILD
from engine.vocabulary import FINAL_STATUSES
from kernel import audit
from kernel.actors import ARCHIVIST, Actor
from kernel.errors import Forbidden, NotFound


def replay_of(ctx: EngineContext, actor: Actor, instance_id: str) -> dict[str, Any]:
    if not (actor.is_admin or ARCHIVIST in actor.roles):
        raise Forbidden("replay_forbidden", "案卷回放仅供管理员和档案管理人员查阅")
    with ctx.transaction() as session:
        instance = session.get(Instance, instance_id)
        if instance is None:
            raise NotFound("instance_not_found", "事项不存在或无权查看")
        if not actor.is_admin and instance.status not in FINAL_STATUSES:
            raise Forbidden("replay_forbidden", "档案管理人员只能回放已办结的事项")
        definition = session.get_one(ProcessDefinition, instance.definition_id)
        compiled = ctx.specs.get(session, instance.definition_id)
        audit.access(session, actor=actor.username, action="replay_view", instance_id=instance.id)
        return {
            "instance_id": instance.id,
            "number": instance.number,
            "title": instance.title,
            "status": instance.status,
            "version": instance.process_version,
            "process_key": instance.process_key,
            "bpmn_xml": definition.bpmn_xml,
            "departments": {name.removesuffix(CHILD): info.department for name, info in compiled.user_tasks.items()},
            "frames": replay.frames(session, instance.id),
        }

"""Process versions and the running matters on them: how many run on each version, what moving
them to another version would do (a preview), and the move itself (see ``engine.migration``).

Administrators only. Each matter moves in its own transaction, under its row lock, with its
audit event; a matter that cannot move is reported with the reason and left as it was.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine import migration
from engine.context import EngineContext
from engine.models import Instance, ProcessDefinition, Task
from engine.services import stepping
from engine.services.access import lock_instance
from engine.services.stepping import iso
from engine.vocabulary import FINAL_STATUSES, TaskStatus
from kernel import audit
from kernel.actors import Actor
from kernel.errors import Conflict, Forbidden, NotFound, ValidationFailed

MAX_MATTERS = 500


def _admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise Forbidden("admin_only", "只有管理员可以管理流程版本")


def _definition(session: Session, key: str, version: int | None) -> ProcessDefinition:
    query = select(ProcessDefinition).where(ProcessDefinition.key == key)
    query = (
        query.where(ProcessDefinition.version == version)
        if version
        else query.order_by(ProcessDefinition.version.desc())
    )
    found = session.scalars(query.limit(1)).first()
    if found is None:
        what = f"第 {version} 版" if version else "任何版本"
        raise NotFound("process_version_not_found", f"流程“{key}”没有{what}")
    return found


def versions(ctx: EngineContext, actor: Actor, key: str) -> list[dict[str, Any]]:
    """Every deployed version of a process, newest first, with how many matters run or ended on it."""
    _admin(actor)
    with ctx.reading() as session:
        definitions = list(
            session.scalars(
                select(ProcessDefinition).where(ProcessDefinition.key == key).order_by(ProcessDefinition.version.desc())
            )
        )
        if not definitions:
            raise NotFound("process_not_found", f"流程“{key}”不存在或尚未部署")
        counts: dict[tuple[int, bool], int] = {}
        rows = session.execute(
            select(Instance.definition_id, Instance.status, func.count())
            .where(Instance.process_key == key)
            .group_by(Instance.definition_id, Instance.status)
        ).tuples()
        for definition_id, status, count in rows:
            ended = status in FINAL_STATUSES
            counts[(definition_id, ended)] = counts.get((definition_id, ended), 0) + int(count)
        return [
            {
                "version": d.version,
                "name": d.name,
                "sha256": d.sha256,
                "deployed_at": iso(d.deployed_at),
                "deployed_by": d.deployed_by,
                "running": counts.get((d.id, False), 0),
                "finished": counts.get((d.id, True), 0),
                "latest": d is definitions[0],
            }
            for d in definitions
        ]


def _running(session: Session, definition: ProcessDefinition, instance_ids: list[str] | None) -> list[str]:
    query = select(Instance.id).where(Instance.definition_id == definition.id, Instance.status.not_in(FINAL_STATUSES))
    if instance_ids:
        query = query.where(Instance.id.in_(instance_ids))
    return list(session.scalars(query.order_by(Instance.created_at).limit(MAX_MATTERS)))


def _versions(session: Session, key: str, source: int, target: int | None) -> tuple[ProcessDefinition, ...]:
    old, new = _definition(session, key, source), _definition(session, key, target)
    if old.id == new.id:
        raise ValidationFailed("same_version", "迁移的目标版本与原版本相同")
    return old, new


def preview(
    ctx: EngineContext,
    actor: Actor,
    key: str,
    *,
    source: int,
    target: int | None = None,
    instance_ids: list[str] | None = None,
) -> dict[str, Any]:
    """What moving the running matters of version ``source`` to ``target`` (default: the latest) would do."""
    _admin(actor)
    with ctx.reading() as session:
        old, new = _versions(session, key, source, target)
        matters = []
        for instance_id in _running(session, old, instance_ids):
            instance = session.get_one(Instance, instance_id)
            loaded = stepping.load(ctx, session, instance)
            try:
                plan, _diff = migration.plan(
                    ctx.store.registry, loaded.workflow, loaded.compiled, ctx.specs.get(session, new.id)
                )
            finally:
                ctx.store.forget(instance.id)  # the diff looked at it: load it afresh next time
            matters.append(_matter(instance) | plan.as_dict())
        return {"key": key, "from": old.version, "to": new.version, "matters": matters}


def _matter(instance: Instance) -> dict[str, Any]:
    return {"instance_id": instance.id, "number": instance.number, "title": instance.title, "status": instance.status}


def migrate(
    ctx: EngineContext,
    actor: Actor,
    key: str,
    *,
    source: int,
    target: int | None = None,
    instance_ids: list[str] | None = None,
) -> dict[str, Any]:
    """Move the running matters of version ``source`` (or the listed ones) to ``target``; each one that
    would lose a task is refused and stays where it was."""
    _admin(actor)
    with ctx.reading() as session:
        old, new = _versions(session, key, source, target)
        wanted = _running(session, old, instance_ids)
        old_id, new_id, old_version, new_version = old.id, new.id, old.version, new.version
    moved: list[dict[str, Any]] = []
    refused: list[dict[str, Any]] = []
    for instance_id in wanted:
        try:
            moved.append(_migrate_one(ctx, actor, instance_id, old_id, new_id, (old_version, new_version)))
        except Conflict as error:
            refused.append(
                {
                    "instance_id": instance_id,
                    "code": error.code,
                    "message": error.message,
                    "lost": (error.details or {}).get("lost", []),
                }
            )
    return {"key": key, "from": old_version, "to": new_version, "migrated": moved, "refused": refused}


def _migrate_one(
    ctx: EngineContext, actor: Actor, instance_id: str, old_id: int, new_id: int, numbers: tuple[int, int]
) -> dict[str, Any]:
    with ctx.transaction() as session:
        instance = session.get_one(Instance, instance_id)
        lock_instance(session, instance)
        if instance.definition_id != old_id or instance.status in FINAL_STATUSES:
            raise Conflict("instance_changed", "该事项已不在原版本上运行（已迁移或已办结）")
        loaded = stepping.load(ctx, session, instance)
        new = ctx.specs.get(session, new_id)
        plan, diff = migration.plan(ctx.store.registry, loaded.workflow, loaded.compiled, new)
        if not plan.possible:
            ctx.store.forget(instance.id)
            reasons = "；".join(f"“{lost['title']}”{lost['why']}" for lost in plan.lost)
            raise Conflict("migration_would_lose", f"{instance.number} 不能迁移：{reasons}", {"lost": plan.lost})
        migration.apply(loaded.workflow, new, diff)
        ctx.store.rewrite_all(session, instance, loaded.live)
        loaded.compiled = new
        instance.definition_id, instance.process_version = new_id, numbers[1]
        _refresh_open_tasks(session, instance, new)
        status_before = instance.status
        stepping.advance(ctx, session, loaded, actor=actor.username, notify=False)
        audit.record(
            session,
            actor=actor.username,
            action="migrate",
            instance_id=instance.id,
            status_before=status_before,
            status_after=instance.status,
            details={"from": numbers[0], "to": numbers[1], "mapped": plan.mapped, "added": plan.added},
        )
        return _matter(instance) | plan.as_dict()


def _refresh_open_tasks(session: Session, instance: Instance, new: Any) -> None:
    """Open steps take the new version's wording (their department and role are unchanged)."""
    for row in session.scalars(select(Task).where(Task.instance_id == instance.id, Task.state == TaskStatus.OPEN)):
        info = new.user_tasks.get(row.spec_name)
        if info is not None and row.host_task_id is None and not info.department_item:
            row.title, row.form_key = info.title, info.form_key

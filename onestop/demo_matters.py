"""Finished demo matters of every kind the manifests ask for (``demo_order``), their
documents issued and archived, so an archivist has something real to find the
first time they log in.

Each matter is started by the demo unit's clerk (or the clerk its manifest names) and approved by whoever holds
each step, exactly as people would through the API; then one worker pass issues
and archives the documents. Runs once: nothing happens when the archive already
holds records.

The demo's matters are not the forms' examples: each manifest's ``demo_changes``
name other persons, another institution and the unit's short name, so that
every example still posts on a fresh demo (a test posts each one). The
credit-code example is a rename, which needs a 批复 and 编办's scan of it: the
demo leaves it for people to try.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select

from archive.models import ArchiveRecord
from engine import services
from engine.vocabulary import Decision
from kernel.accounts import User
from kernel.actors import Actor
from kernel.errors import DomainError
from kernel.outbox import drain
from onestop.bootstrap import Platform
from onestop.demo_reconciliation import seed_reconciliation

log = logging.getLogger(__name__)
CLERK = "applicant"
DEPARTMENT_USERS = {"bianban": "bianban", "zuzhi": "zuzhi", "renshe": "renshe", "caizheng": "caizheng"}


def _actors(platform: Platform) -> dict[str, Actor]:
    with platform.ctx.reading() as session:
        return {u.username: u.to_actor() for u in session.scalars(select(User))}


def demo_data(platform: Platform, process_key: str) -> dict[str, Any]:
    """The demo matter's filling: the form's example with what the matter's manifest changes
    (the demo's own persons, names and dates)."""
    matter = platform.catalogue.get(process_key)
    data = {**services.start_form(platform.ctx, process_key)["examples"][0], **(matter.demo_changes if matter else {})}
    if matter is not None and matter.demo_fill is not None:
        with platform.ctx.reading() as session:
            data = matter.demo_fill(session, data)
    return data


def _drive(platform: Platform, actors: dict[str, Actor], process_key: str) -> str:
    ctx = platform.ctx
    data = demo_data(platform, process_key)
    matter = platform.catalogue.get(process_key)
    clerk = (matter.demo_applicant if matter else None) or CLERK
    instance_id = str(services.start(ctx, actors[clerk], process_key=process_key, data=data)["id"])
    for _ in range(30):
        detail = services.get(ctx, actors["admin"], instance_id)
        if not detail["tasks"]:
            break
        task = detail["tasks"][0]
        username = task["assignee"] or _holder(actors, task)
        services.complete(ctx, actors[str(username)], task["id"], decision=Decision.APPROVE, opinion="同意", data={})
    return instance_id


def _holder(actors: dict[str, Actor], task: dict[str, Any]) -> str:
    """Who acts on a step: the department's demo user, or a clerk of the unit asked (调出单位)."""
    if task.get("acting_unit"):
        return next(
            name for name, actor in actors.items() if actor.is_applicant and actor.unit_code == task["acting_unit"]
        )
    return DEPARTMENT_USERS[task["department"]]


def seed_finished_matters(platform: Platform) -> list[str]:
    """Start, approve and finish one matter of each kind; returns their ids ([] if already seeded)."""
    with platform.ctx.reading() as session:
        if session.scalar(select(ArchiveRecord.id).limit(1)) is not None:
            return []
    actors = _actors(platform)
    finished = []
    for matter in platform.catalogue.seeded_in_demo():
        try:
            finished.append(_drive(platform, actors, matter.key))
        except DomainError as refused:  # a changed example must not stop the platform from starting
            log.warning("demo matter %s not seeded: %s %s", matter.key, refused.message, refused.details)
    try:  # 人编经费比对: its 整改 matters are opened by 编办, not started by a unit
        finished.append(seed_reconciliation(platform, actors, DEPARTMENT_USERS))
    except DomainError as refused:
        log.warning("demo comparison not seeded: %s %s", refused.message, refused.details)
    drain(platform.ctx.session_factory, platform.ctx.outbox_handlers)  # documents, then the archive
    return finished

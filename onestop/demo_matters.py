"""Finished demo matters of every kind, their documents issued and archived,
so an archivist has something real to find the first time they log in.

Each matter is started by the demo unit's clerk with its form's example and
approved by whoever holds each step, exactly as people would through the API;
then one worker pass issues and archives the documents. Runs once: nothing
happens when the archive already holds records.
"""

from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy import select

from archive.models import ArchiveRecord
from engine import services
from engine.accounts import User
from engine.actors import Actor
from engine.errors import DomainError
from engine.outbox import drain
from onestop.bootstrap import Platform

# In this order the examples fit the demo register: the domain name is the unit's
# name before the credit-code change renames it.
log = logging.getLogger(__name__)
MATTERS = ("staff_exit", "staff_entry", "domain_name", "credit_code", "institution_setup")
CLERK = "applicant"
DEPARTMENT_USERS = {"bianban": "bianban", "zuzhi": "zuzhi", "renshe": "renshe", "caizheng": "caizheng"}


def _actors(platform: Platform) -> dict[str, Actor]:
    with platform.ctx.reading() as session:
        return {u.username: u.to_actor() for u in session.scalars(select(User))}


def _drive(platform: Platform, actors: dict[str, Actor], process_key: str) -> str:
    ctx = platform.ctx
    example = dict(services.start_form(ctx, process_key)["examples"][0])
    instance_id = str(services.start(ctx, actors[CLERK], process_key=process_key, data=example)["id"])
    for _ in range(30):
        detail = services.get(ctx, actors["admin"], instance_id)
        if not detail["tasks"]:
            break
        task = detail["tasks"][0]
        username = task["assignee"] or DEPARTMENT_USERS[task["department"]]
        services.complete(ctx, actors[str(username)], task["id"], decision="approve", opinion="同意", data={})
    return instance_id


def seed_finished_matters(platform: Platform) -> list[str]:
    """Start, approve and finish one matter of each kind; returns their ids ([] if already seeded)."""
    with platform.ctx.reading() as session:
        if session.scalar(select(ArchiveRecord.id).limit(1)) is not None:
            return []
    actors = _actors(platform)
    finished = []
    for key in MATTERS:
        if not Path(platform.settings.processes_dir, f"{key}.bpmn").exists():
            continue
        try:
            finished.append(_drive(platform, actors, key))
        except DomainError as refused:  # a changed example must not stop the platform from starting
            log.warning("demo matter %s not seeded: %s %s", key, refused.message, refused.details)
    drain(platform.ctx.session_factory, platform.ctx.outbox_handlers)  # documents, then the archive
    return finished

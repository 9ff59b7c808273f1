"""Finished demo matters of every kind, their documents issued and archived,
so an archivist has something real to find the first time they log in.

Each matter is started by the demo unit's clerk and approved by whoever holds
each step, exactly as people would through the API; then one worker pass issues
and archives the documents. Runs once: nothing happens when the archive already
holds records.

The demo's matters are not the forms' examples: they name other persons, another
institution and the unit's short name, so that every example still posts on a
fresh demo (a test posts each one). The credit-code example is a rename, which
needs a 批复 and 编办's scan of it: the demo leaves it for people to try.
"""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select

from archive.models import ArchiveRecord
from engine import clock, services
from engine.accounts import User
from engine.actors import Actor
from engine.errors import DomainError
from engine.outbox import drain
from engine.vocabulary import Decision
from onestop.bootstrap import Platform
from onestop.demo_register import make_ric
from registry.models import Person

log = logging.getLogger(__name__)
MATTERS = ("staff_exit", "staff_entry", "domain_name", "institution_setup")


def _person(name: str, sex: str, born: date, seq: int) -> dict[str, Any]:
    return {
        "name": name,
        "sex": sex,
        "id_number": make_ric("141002", born, seq, sex),
        "birth_date": born.isoformat(),
        "education": "大学本科",
        "entry_form": "招聘",
        "post_category": "专技",
    }


# What the demo changes, over each form's first example.
DEMO_CHANGES: dict[str, dict[str, Any]] = {
    "staff_exit": {"name": "王芳", "reason": "辞职", "doc_no": "", "remarks": "本人申请辞职，已办结离职手续。"},
    "staff_entry": {
        "post": "数据安全专业技术岗",
        "persons": [_person("孙悦", "女", date(1997, 3, 8), 21), _person("周航", "男", date(1995, 10, 21), 22)],
    },
    "domain_name": {"name": "市数据资源中心"},
    "institution_setup": {
        "name": "示范市大数据发展中心",
        "short_name": "市大数据中心",
        "domain_wish": {"name": "示范市大数据发展中心", "suffix": ".公益"},
    },
}
CLERK = "applicant"
DEPARTMENT_USERS = {"bianban": "bianban", "zuzhi": "zuzhi", "renshe": "renshe", "caizheng": "caizheng"}


def _actors(platform: Platform) -> dict[str, Actor]:
    with platform.ctx.reading() as session:
        return {u.username: u.to_actor() for u in session.scalars(select(User))}


def demo_data(platform: Platform, process_key: str) -> dict[str, Any]:
    """The demo matter's filling: the form's example with the demo's own persons, names and dates."""
    data = {**services.start_form(platform.ctx, process_key)["examples"][0], **DEMO_CHANGES.get(process_key, {})}
    if process_key == "staff_exit":
        with platform.ctx.reading() as session:
            person = session.scalars(select(Person).where(Person.name == data["name"])).one()
            data["id_number"] = person.id_number
        data["exit_date"] = clock.today().isoformat()
    return data


def _drive(platform: Platform, actors: dict[str, Actor], process_key: str) -> str:
    ctx = platform.ctx
    data = demo_data(platform, process_key)
    instance_id = str(services.start(ctx, actors[CLERK], process_key=process_key, data=data)["id"])
    for _ in range(30):
        detail = services.get(ctx, actors["admin"], instance_id)
        if not detail["tasks"]:
            break
        task = detail["tasks"][0]
        username = task["assignee"] or DEPARTMENT_USERS[task["department"]]
        services.complete(ctx, actors[str(username)], task["id"], decision=Decision.APPROVE, opinion="同意", data={})
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

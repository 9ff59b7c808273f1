"""公示: what a matter makes public once approved (an institution's annual report,
say), on the public notice board (``/gongshi``) that anyone may read without
signing in.

A matter publishes from a service task of its process, inside the step's
transaction, so a notice appears exactly when the matter's approval commits
and never twice (one notice per matter). The notice states only the facts
the matter's manifest chose to make public, as (label, value) lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from engine import step_context
from kernel import audit, clock
from kernel.errors import NotFound
from registry.models import Publication, Unit

PAGE_SIZE = 20


@dataclass(frozen=True)
class Notice:
    """What a matter publishes: a title, the public facts and how long it is on show (None: always)."""

    title: str
    facts: list[tuple[str, str]]
    days: int | None = None


def publish_from_step(notice: Notice, unit: Unit) -> dict[str, Any]:
    """Publish for the matter whose step is running, in the name of its ``unit``; the result
    the process keeps."""
    step = step_context.current()
    instance = step.instance
    existing = step.session.scalars(select(Publication).where(Publication.instance_id == instance.id)).first()
    if existing is not None:  # a step run again (a retried incident) publishes nothing new
        return _result(existing)
    today = clock.today()
    publication = Publication(
        instance_id=instance.id,
        process_key=instance.process_key,
        unit_code=unit.code,
        unit_name=unit.name,
        title=notice.title,
        facts=[[label, value] for label, value in notice.facts],
        published_on=today,
        until=today + timedelta(days=notice.days) if notice.days else None,
    )
    step.session.add(publication)
    step.session.flush()
    audit.record(
        step.session,
        actor=step.actor,
        action="publish",
        instance_id=instance.id,
        details={"publication_id": publication.id, "title": notice.title},
    )
    return _result(publication)


def _result(publication: Publication) -> dict[str, Any]:
    return {"published": True, "publication_id": publication.id, "published_on": publication.published_on.isoformat()}


def board(session: Session, *, text: str = "", page: int = 1, today: date | None = None) -> dict[str, Any]:
    """The notices on show today, newest first, filtered by a word of the title or the unit."""
    today = today or clock.today()
    query = select(Publication).where(or_(Publication.until.is_(None), Publication.until >= today))
    word = text.strip()
    if word:
        query = query.where(
            or_(
                Publication.title.contains(word, autoescape=True), Publication.unit_name.contains(word, autoescape=True)
            )
        )
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(Publication.published_on.desc(), Publication.id.desc())
        .limit(PAGE_SIZE)
        .offset((max(page, 1) - 1) * PAGE_SIZE)
    )
    return {"items": [view(p) for p in rows], "total": total, "page": max(page, 1), "page_size": PAGE_SIZE}


def notice(session: Session, publication_id: int, *, today: date | None = None) -> dict[str, Any]:
    """One notice on show; one whose time is over is no longer public."""
    today = today or clock.today()
    publication = session.get(Publication, publication_id)
    if publication is None or (publication.until is not None and publication.until < today):
        raise NotFound("publication_not_found", "公示信息不存在或公示期已满")
    return view(publication)


def view(publication: Publication) -> dict[str, Any]:
    return {
        "id": publication.id,
        "title": publication.title,
        "unit_name": publication.unit_name,
        "facts": [(str(label), str(value)) for label, value in publication.facts],
        "published_on": publication.published_on.isoformat(),
        "until": publication.until.isoformat() if publication.until else None,
    }

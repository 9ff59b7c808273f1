"""Finding archive records by field and by Chinese full text, on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, false, func, literal_column, or_, select, text
from sqlalchemy.orm import Session

from archive.models import ArchiveRecord
from archive.text import postgres_tsquery, query_phrases, sqlite_match

MAX_PAGE_SIZE = 100
FEW_HITS = 2000
NO_HITS: ColumnElement[bool] = false()
COUNT_CAP = 1000  # beyond this the total is reported as "1000+": counting every hit of a common word is waste


@dataclass(frozen=True)
class ArchiveQuery:
    q: str | None = None
    unit: str | None = None
    credit_code: str | None = None
    person: str | None = None
    matter: str | None = None
    number: str | None = None
    department: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    retention: str | None = None
    flagged: bool | None = None
    kind: str | None = None
    page: int = 1
    size: int = 20
    sort: str = "newest"  # newest | oldest
    instance: str | None = None  # the records of one matter (its documents and its dossier)

    def describe(self) -> dict[str, Any]:
        return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in self.__dict__.items() if v is not None}


def _full_text(session: Session, column: str, value: str) -> ColumnElement[bool] | None:
    phrases = query_phrases(value)
    if not phrases:
        return None
    if session.get_bind().dialect.name == "postgresql":
        vector: ColumnElement[Any] = literal_column(column.replace("_text", "_vector"))  # stored by the migration
        return vector.op("@@")(func.to_tsquery("simple", postgres_tsquery(phrases)))
    matched = (
        select(text("rowid"))
        .select_from(text("archive_fts"))
        .where(text("archive_fts MATCH :match").bindparams(match=f"{{{column}}} : ({sqlite_match(phrases)})"))
    )
    # A rare word: hand its few ids over. A common one: let the page walk the date
    # order and probe the hits ("+id" is no index the planner could drive from),
    # instead of fetching and sorting every hit.
    few = list(session.scalars(matched.limit(FEW_HITS + 1)))
    if len(few) <= FEW_HITS:
        return ArchiveRecord.id.in_(few) if few else NO_HITS
    return literal_column(f"+{ArchiveRecord.__tablename__}.id").in_(matched)


def _conditions(session: Session, query: ArchiveQuery, unit_scope: str | None) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if unit_scope is not None:
        where.append(ArchiveRecord.unit_code == unit_scope)
    if query.unit and query.unit.strip():
        by_name = _full_text(session, "unit_text", query.unit)
        by_code = ArchiveRecord.unit_code == query.unit.strip()
        where.append(or_(by_code, by_name) if by_name is not None and by_name is not NO_HITS else by_code)
    if query.credit_code:
        where.append(ArchiveRecord.credit_code == query.credit_code.strip().upper())
    if query.number:
        where.append(ArchiveRecord.number == query.number.strip())
    if query.matter:
        where.append(ArchiveRecord.process_key == query.matter)
    if query.kind:
        where.append(ArchiveRecord.kind == query.kind)
    if query.instance:
        where.append(ArchiveRecord.instance_id == query.instance.strip())
    if query.department:
        where.append(ArchiveRecord.departments.contains(f" {query.department.strip()} "))
    if query.date_from:
        where.append(ArchiveRecord.record_date >= query.date_from)
    if query.date_to:
        where.append(ArchiveRecord.record_date <= query.date_to)
    if query.retention:
        where.append(ArchiveRecord.retention_class == query.retention)
    if query.flagged is not None:
        where.append(ArchiveRecord.checks_passed.is_(not query.flagged))
    for column, value in (("search_text", query.q), ("person_text", query.person)):
        if value and value.strip():
            condition = _full_text(session, column, value)
            where.append(condition if condition is not None else ArchiveRecord.id.is_(None))
    return where


def _order(sort: str) -> tuple[Any, ...]:
    if sort == "oldest":
        return (ArchiveRecord.record_date.asc(), ArchiveRecord.id.asc())
    return (ArchiveRecord.record_date.desc(), ArchiveRecord.id.desc())


def search(session: Session, query: ArchiveQuery, *, unit_scope: str | None = None) -> tuple[int, list[ArchiveRecord]]:
    """Matching records in date order (newest first unless asked), one page; and how many match in all, up to
    ``COUNT_CAP`` + 1 (a total above the cap means "more than the cap")."""
    where = _conditions(session, query, unit_scope)
    size = max(1, min(query.size, MAX_PAGE_SIZE))
    page = max(1, query.page)
    listing = select(ArchiveRecord).where(*where).order_by(*_order(query.sort)).limit(size).offset((page - 1) * size)
    capped = select(ArchiveRecord.id).where(*where).limit(COUNT_CAP + 1).subquery()
    total = session.scalar(select(func.count()).select_from(capped)) or 0
    return int(total), list(session.scalars(listing))


def exact_count(session: Session, query: ArchiveQuery, *, unit_scope: str | None = None) -> int:
    """Every hit counted (for an export's progress), whatever the cost."""
    where = _conditions(session, query, unit_scope)
    return int(session.scalar(select(func.count()).select_from(ArchiveRecord).where(*where)) or 0)


def matching_ids(session: Session, query: ArchiveQuery, *, unit_scope: str | None = None) -> list[int]:
    """Every hit's id in the query's order: an export's fixed list, whatever is archived while it runs."""
    where = _conditions(session, query, unit_scope)
    return list(session.scalars(select(ArchiveRecord.id).where(*where).order_by(*_order(query.sort))))

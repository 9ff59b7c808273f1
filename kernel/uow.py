"""The unit of work: one transaction per use case, the only place that commits.

``transaction()`` yields a session, commits when the block ends cleanly and
rolls back otherwise. Work that must happen only after a successful commit
(caching the new workflow state, waking the outbox worker) is registered in
``session.info["after_commit"]``. A lost optimistic-lock race becomes the
stable ``instance_changed`` conflict.

A request may carry a :class:`CommitMark` (``current_mark``): its first
transaction that commits writes the mark in that same transaction, so "this
request's change is committed" is never true without the change, nor the
change without it (the idempotency keys of ``api.idempotency``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from kernel.errors import Conflict, ValidationFailed

log = logging.getLogger(__name__)


@dataclass
class CommitMark:
    """Written in the first committing transaction of the request that set it."""

    write: Callable[[Session], None]
    written: bool = False


current_mark: ContextVar[CommitMark | None] = ContextVar("current_mark", default=None)


def after_commit(session: Session, action: Callable[[], None]) -> None:
    session.info.setdefault("after_commit", []).append(action)


@contextmanager
def transaction(
    session_factory: sessionmaker[Session], *, outbox_kick: Callable[[str | None], None] | None = None
) -> Iterator[Session]:
    session = session_factory()
    if outbox_kick is not None:
        session.info["outbox_kick"] = outbox_kick
    mark = current_mark.get()
    try:
        yield session
        marking = mark if mark is not None and not mark.written else None
        if marking is not None:
            marking.write(session)
        session.commit()
        if marking is not None:
            marking.written = True
    except StaleDataError as exc:
        session.rollback()
        raise Conflict("instance_changed", "该事项已被他人处理，请刷新后重试") from exc
    except DataError as exc:
        session.rollback()
        raise ValidationFailed("invalid_value", "提交的数据含有无法保存的字符或超出允许的长度") from exc
    except (IntegrityError, OperationalError) as exc:
        session.rollback()
        if _is_serialization_conflict(exc):
            raise Conflict("instance_changed", "该事项已被他人处理，请刷新后重试") from exc
        raise
    except BaseException:
        session.rollback()
        raise
    finally:
        hooks = session.info.pop("after_commit", [])
        session.close()
    # Only reached when the commit succeeded: an exception skips this.
    for hook in hooks:
        try:
            hook()
        except Exception:  # after-commit work is best effort by design
            log.exception("after-commit hook failed")


def _is_serialization_conflict(exc: Exception) -> bool:
    text = str(getattr(exc, "orig", exc)).lower()
    return any(
        marker in text
        for marker in ("uq_audit_events_chain", "audit_events.chain", "could not serialize", "deadlock detected")
    )

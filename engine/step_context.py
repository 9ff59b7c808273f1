"""What a BPMN service task may know about the step running it.

Service tasks run inside ``do_engine_steps`` during a use case's
transaction; domain services registered on the engine read the session, the
instance and the acting user from here instead of opening their own
transaction, so their writes commit or roll back with the step.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from sqlalchemy.orm import Session

from engine.models import Instance


@dataclass(frozen=True)
class StepContext:
    session: Session
    instance: Instance
    actor: str


_current: ContextVar[StepContext | None] = ContextVar("onestop_step", default=None)


@contextmanager
def bound(session: Session, instance: Instance, actor: str) -> Iterator[None]:
    token = _current.set(StepContext(session, instance, actor))
    try:
        yield
    finally:
        _current.reset(token)


def current() -> StepContext:
    step = _current.get()
    if step is None:
        raise RuntimeError("a service task ran outside a workflow step")
    return step

"""The engine's collaborators, built once by the composition root and passed down."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from engine import escalation, timers
from engine.definitions import SpecCache
from engine.models import Instance
from engine.notifications import HANDLERS as NOTIFICATION_HANDLERS
from engine.restricted_scripts import ServiceFunction, make_script_engine
from engine.workflow_store import WorkflowStore
from forms import FormRegistry
from kernel.actors import Actor
from kernel.calendar import WorkCalendar
from kernel.outbox import AnyHandler
from kernel.uow import transaction
from kernel.workdays import TableWorkCalendar

StartGuard = Callable[[Session, Actor, str], None]
"""A rule asked inside the transaction before a matter starts; raises to refuse."""

FormCheck = Callable[[Session, Actor, dict[str, Any]], list[dict[str, str]]]
"""Domain checks of a submitted form beyond its JSON Schema (e.g. the person is
on the unit's staff); returns field errors shaped like the schema's."""

EndHook = Callable[[Session, Instance], None]
"""Called inside the transaction in which a matter reaches a final status
(办结, 不予批准, withdrawn or cancelled), with the session and the instance."""


@dataclass
class EngineContext:
    session_factory: sessionmaker[Session]
    specs: SpecCache
    store: WorkflowStore
    forms: FormRegistry
    calendar: WorkCalendar
    outbox_kick: Callable[[str | None], None] | None = None
    read_session_factory: sessionmaker[Session] | None = None
    start_guards: list[StartGuard] = field(default_factory=list)  # asked before any matter starts
    matter_start_guards: dict[str, list[StartGuard]] = field(default_factory=dict)  # by process key, after those
    services: dict[str, ServiceFunction] = field(default_factory=dict)
    form_checks: dict[str, FormCheck] = field(default_factory=dict)
    end_hooks: list[EndHook] = field(default_factory=list)
    outbox_handlers: dict[str, AnyHandler] = field(default_factory=lambda: dict(NOTIFICATION_HANDLERS))
    # A matter's own title from its process key and application (the matters' manifests); None: the process's name.
    matter_title: Callable[[str, dict[str, Any]], str | None] | None = None
    # The matters departments open for units, by what they answer (see ``services.open_for_unit``).
    opened_for: dict[str, str] = field(default_factory=dict)
    # The departments that may propose a matter for a unit (see ``services.propose``), by process key.
    proposers: dict[str, frozenset[str]] = field(default_factory=dict)
    # Whether a unit code is in the register (an applicant account must belong to one); None: not checked.
    unit_known: Callable[[Session, str], bool] | None = None

    @classmethod
    def build(
        cls,
        session_factory: sessionmaker[Session],
        *,
        forms: FormRegistry | None = None,
        workflow_cache_size: int = 512,
        outbox_kick: Callable[[str | None], None] | None = None,
        read_session_factory: sessionmaker[Session] | None = None,
    ) -> EngineContext:
        services: dict[str, ServiceFunction] = {escalation.OPERATION: escalation.escalate}
        calendar = TableWorkCalendar(read_session_factory or session_factory)
        script_engine = make_script_engine(helpers=timers.script_helpers(calendar), services=services)
        return cls(
            session_factory=session_factory,
            specs=SpecCache(),
            store=WorkflowStore(script_engine, cache_size=workflow_cache_size),
            forms=forms or FormRegistry.load(),
            calendar=calendar,
            outbox_kick=outbox_kick,
            read_session_factory=read_session_factory,
            services=services,
        )

    def guards_for(self, process_key: str) -> list[StartGuard]:
        """The rules a start of ``process_key`` must pass (none of a matter's own for an empty key)."""
        return [*self.start_guards, *self.matter_start_guards.get(process_key, [])]

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A read-only unit of work: nothing it does is committed."""
        session = (self.read_session_factory or self.session_factory)()
        try:
            yield session
        finally:
            session.rollback()
            session.close()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        with transaction(self.session_factory, outbox_kick=self.outbox_kick) as session:
            yield session

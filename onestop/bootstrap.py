"""Wiring: the single place that builds real collaborators from settings."""

from __future__ import annotations

import gc
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.engine import Engine

from api.app import Application, create_app
from api.deps import ApiConfig
from engine.context import EngineContext
from engine.db import make_engine, make_session_factory
from engine.definitions import deploy_directory
from onestop.database import upgrade
from onestop.settings import Settings
from registry.wiring import install as install_register
from signatures.trust import trust_roots
from storage import LocalAttachmentStore


@dataclass
class Platform:
    settings: Settings
    db: Engine
    ctx: EngineContext
    attachments: LocalAttachmentStore
    reader: Engine

    def close(self) -> None:
        self.db.dispose()
        self.reader.dispose()


def build_platform(
    settings: Settings, *, outbox_kick: Callable[[], None] | None = None, migrate: bool = True
) -> Platform:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    url = settings.effective_database_url
    if migrate:
        upgrade(url)
    db = make_engine(url)
    reader = make_engine(url, for_reading=True) if db.dialect.name == "sqlite" else db
    ctx = EngineContext.build(
        make_session_factory(db),
        workflow_cache_size=settings.workflow_cache_size,
        outbox_kick=outbox_kick,
        read_session_factory=make_session_factory(reader),
    )
    install_register(ctx)
    return Platform(settings, db, ctx, LocalAttachmentStore(settings.attachments_dir), reader)


def deploy_processes(platform: Platform) -> list[str]:
    """Deploy ``processes/``; unchanged files create no new version."""
    with platform.ctx.transaction() as session:
        results = deploy_directory(session, platform.settings.processes_dir)
    return [f"{r.key} v{r.version}{'（新版本）' if r.created else ''}" for r in results]


def build_app(platform: Platform) -> Application:
    s = platform.settings
    config = ApiConfig(
        token_ttl_minutes=s.token_ttl_minutes,
        max_upload_bytes=s.max_upload_bytes,
        max_request_bytes=s.max_request_bytes,
    )
    roots = trust_roots(s.trust_roots_file, s.pki_dir)
    return create_app(platform.ctx, platform.attachments, config, roots)


def app_from_env() -> Application:
    """Factory for ``uvicorn --factory``: settings from the environment, worker kicked by the broker."""
    from onestop.worker import create_celery, make_kicker

    settings = Settings()
    platform = build_platform(settings, outbox_kick=make_kicker(create_celery(settings)), migrate=False)
    app = build_app(platform)
    # Everything built so far lives as long as the process: keep it out of the
    # collector's generations, so full collections stay short under load.
    gc.collect()
    gc.freeze()
    return app

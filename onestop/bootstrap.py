"""Wiring: the single place that builds real collaborators from settings."""

from __future__ import annotations

import gc
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.engine import Engine

from api.app import Application, create_app
from api.deps import ApiConfig
from archive import export_jobs, ingest
from documents import issuance
from documents.pipeline import DocumentPipeline, development_pipeline
from engine import notifications
from engine.context import EngineContext
from engine.definitions import deploy_directory
from kernel import clock
from kernel.db import make_engine, make_session_factory
from onestop.database import one_at_a_time, upgrade
from onestop.settings import Settings
from processes import catalogue as matters
from registry.documents import unit_facts
from registry.wiring import install as install_register
from signatures.pki import DevelopmentPki, load_pkcs12
from signatures.signing import ValidationData
from signatures.timestamps import make_timestamper
from signatures.trust import load_roots, trust_roots
from storage import LocalAttachmentStore
from storage.archive import ArchiveStore, LocalArchiveStore
from storage.s3_archive import S3ArchiveStore, S3Timeouts


@dataclass
class Platform:
    settings: Settings
    db: Engine
    ctx: EngineContext
    attachments: LocalAttachmentStore
    reader: Engine
    documents: LocalAttachmentStore
    pipeline: DocumentPipeline
    archive: ingest.ArchiveContext
    catalogue: matters.Catalogue

    def close(self) -> None:
        self.db.dispose()
        self.reader.dispose()


def build_platform(
    settings: Settings, *, outbox_kick: Callable[[str | None], None] | None = None, migrate: bool = True
) -> Platform:
    clock.configure(settings.timezone)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    url = settings.effective_database_url
    if migrate:
        upgrade(url)
    db = make_engine(
        url, connect_timeout=settings.db_connect_timeout, statement_timeout_ms=settings.db_statement_timeout_ms
    )
    reader = make_engine(url, for_reading=True) if db.dialect.name == "sqlite" else db
    catalogue = matters.load()
    ctx = EngineContext.build(
        make_session_factory(db),
        forms=catalogue.forms(),
        workflow_cache_size=settings.workflow_cache_size,
        outbox_kick=outbox_kick,
        read_session_factory=make_session_factory(reader),
    )
    install_matters(ctx, catalogue)
    install_register(ctx, notice_validity_months=settings.notice_validity_months)
    documents = LocalAttachmentStore(settings.documents_dir)
    pipeline = document_pipeline(settings, documents)
    naming = issuance.Naming(settings.region_name, settings.document_prefix, settings.public_base_url)
    kinds = catalogue.document_kinds()
    ctx.services["documents.request"] = issuance.request_service(naming, unit_facts, kinds)
    ctx.outbox_handlers.update(issuance.outbox_handlers(ctx, pipeline, naming, kinds))
    attachments = LocalAttachmentStore(settings.attachments_dir)
    archive = ingest.ArchiveContext(
        store=archive_store(settings),
        documents=documents,
        attachments=attachments,
        timestamper=pipeline.timestamper,
        validation=pipeline.validation,
        identity=lambda: pipeline.identity_of("archives", naming.issuer("档案管理")),
        unit_facts=unit_facts,
        fonds=settings.archive_fonds,
        exports_dir=settings.exports_dir,
        classes=ingest.ArchiveClasses(
            matter_codes={m.key: m.archive_class for m in catalogue},
            dossier_retention={m.key: m.retention for m in catalogue},
            document_retention=catalogue.document_retention(),
        ),
    )
    # 办结 is told once the matter's documents are issued; archiving follows on its own queue.
    ctx.outbox_handlers["instance.finished"] = issuance.after_documents(notifications.on_instance_finished)
    ctx.outbox_handlers[ingest.TOPIC] = ingest.outbox_handler(ctx, archive)
    ctx.end_hooks.append(ingest.request_on_end)
    ctx.outbox_handlers[export_jobs.TOPIC] = export_jobs.outbox_handler(ctx, archive)
    return Platform(settings, db, ctx, attachments, reader, documents, pipeline, archive, catalogue)


def install_matters(ctx: EngineContext, catalogue: matters.Catalogue) -> None:
    """Each matter's title from its data, service operations, form checks and start rules
    (a rule for its own matter only)."""
    ctx.matter_title = catalogue.title_of
    ctx.opened_for.update(catalogue.opened_for())
    ctx.proposers.update(catalogue.proposers())
    ctx.services.update(catalogue.services())
    ctx.form_checks.update(catalogue.form_checks())
    for key, guards in catalogue.start_guards().items():
        ctx.matter_start_guards.setdefault(key, []).extend(guards)


def archive_store(settings: Settings) -> ArchiveStore:
    if not settings.archive_s3_endpoint:
        return LocalArchiveStore(settings.archive_dir)
    return S3ArchiveStore.connect(
        settings.archive_s3_endpoint,
        settings.archive_s3_access_key or "",
        settings.archive_s3_secret_key or "",
        settings.archive_s3_bucket,
        secure=settings.archive_s3_secure,
        mode=settings.archive_lock_mode,
        timeouts=S3Timeouts(settings.s3_connect_timeout, settings.s3_read_timeout, settings.s3_retries),
    )


def document_pipeline(settings: Settings, store: LocalAttachmentStore) -> DocumentPipeline:
    """Development CA and TSA in the embedded default; PKCS#12 keys, the configured
    roots and TSA in production, which never falls back to the development CA."""
    settings.check_signing()
    if settings.signing_keys_dir is None:
        return development_pipeline(
            data_dir=settings.data_dir,
            font_dir=settings.font_dir,
            store=store,
            tsa_url=settings.tsa_url,
            location=settings.region_name,
        )
    keys_dir = settings.signing_keys_dir
    if not settings.tsa_url:
        raise ValueError("使用正式签名证书（ONESTOP_SIGNING_KEYS_DIR）时必须配置时间戳服务 ONESTOP_TSA_URL")
    password = settings.signing_key_password.encode() if settings.signing_key_password else None
    roots = tuple(load_roots(settings.trust_roots_file)) if settings.trust_roots_file else ()
    return DocumentPipeline(
        font_dir=settings.font_dir,
        seal_dir=settings.data_dir / "seals",
        identity_of=lambda department, _name: load_pkcs12(keys_dir / f"{department}.p12", password, department),
        timestamper=make_timestamper(settings.tsa_url, DevelopmentPki(settings.pki_dir)),
        validation=ValidationData(roots, allow_fetching=True),
        store=store,
        location=settings.region_name,
    )


def deploy_processes(platform: Platform) -> list[str]:
    """Deploy the matter folders under ``processes/``; unchanged files create no new
    version (one process at a time)."""
    with one_at_a_time(platform.settings.effective_database_url), platform.ctx.transaction() as session:
        results = deploy_directory(session, platform.settings.processes_dir)
    return [f"{r.key} v{r.version}{'（新版本）' if r.created else ''}" for r in results]


def build_app(platform: Platform) -> Application:
    s = platform.settings
    config = ApiConfig(
        token_ttl_minutes=s.token_ttl_minutes,
        max_upload_bytes=s.max_upload_bytes,
        max_request_bytes=s.max_request_bytes,
        secure_cookies=s.secure_cookies,
    )
    roots = trust_roots(s.trust_roots_file, s.pki_dir)
    return create_app(
        platform.ctx,
        platform.attachments,
        config,
        roots,
        platform.documents,
        platform.archive,
        readiness(platform),
        platform.catalogue,
    )


def readiness(platform: Platform) -> dict[str, Callable[[], None]]:
    """What ``/readyz`` asks: the database, the broker and the archive store, each within its timeouts."""
    from onestop.worker import broker_ping

    def database() -> None:
        with platform.ctx.reading() as session:
            session.execute(text("SELECT 1"))

    return {
        "database": database,
        "broker": lambda: broker_ping(platform.settings),
        "archive": lambda: platform.archive.store.ping(),
    }


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

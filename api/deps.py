"""Request dependencies: the engine context and the authenticated actor."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from fastapi import Depends, Path, Request
from fastapi.security import OAuth2PasswordBearer
from pydantic import AfterValidator, WithJsonSchema

from archive.ingest import ArchiveContext
from engine.context import EngineContext
from kernel.accounts import resolve_token
from kernel.actors import Actor
from kernel.errors import NotFound, Unauthorized
from processes.catalogue import Catalogue
from storage import LocalAttachmentStore


@dataclass(frozen=True)
class ApiConfig:
    token_ttl_minutes: int = 12 * 60
    max_upload_bytes: int = 20 * 1024 * 1024
    max_request_bytes: int = 60 * 1024 * 1024
    max_files: int = 20
    secure_cookies: bool | None = None  # None: Secure only when the request came over HTTPS


# Bounds on what a URL may carry: a row id beyond any table, or a date no business day can be,
# is a 4xx before it reaches the database or the calendar (where it would overflow).
MAX_ROW_ID = 2**62
EARLIEST_DAY, LATEST_DAY = date(1900, 1, 1), date(2100, 12, 31)


def _within_days(day: date) -> date:
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise ValueError(f"日期应在 {EARLIEST_DAY} 至 {LATEST_DAY} 之间")
    return day


def row_id() -> Any:
    """A path parameter naming a database row (1 to MAX_ROW_ID). A fresh ``Path`` for each
    parameter: FastAPI records a parameter's name on the ``Path`` it is given, so one object
    shared by parameters of different names (``record_id``, ``user_id``…) leaks the first name
    to the others, which pydantic reports as a misplaced alias."""
    return Path(ge=1, le=MAX_ROW_ID)


# The bounds are in the OpenAPI document too (a pattern on the year), so clients and fuzzers know them.
Day = Annotated[
    date,
    AfterValidator(_within_days),
    WithJsonSchema({"type": "string", "format": "date", "pattern": r"^(19\d\d|20\d\d|2100)-\d\d-\d\d$"}),
]


def client_address(request: Request) -> str | None:
    """The client's address as the server sees it (uvicorn applies X-Forwarded-For only
    from the proxies it trusts, ``FORWARDED_ALLOW_IPS``)."""
    return request.client.host if request.client else None


def get_archive(request: Request) -> ArchiveContext:
    """The archive's store and trust roots (``onestop.bootstrap`` builds them with the platform)."""
    actx: ArchiveContext | None = request.app.state.archive
    if actx is None:
        raise NotFound("archive_not_configured", "本平台未配置档案库")
    return actx


def get_ctx(request: Request) -> EngineContext:
    ctx: EngineContext = request.app.state.ctx
    return ctx


def get_catalogue(request: Request) -> Catalogue:
    """The matters' manifests: titles, cards, archive labels."""
    catalogue: Catalogue = request.app.state.catalogue
    return catalogue


def get_config(request: Request) -> ApiConfig:
    config: ApiConfig = request.app.state.config
    return config


def get_attachments(request: Request) -> LocalAttachmentStore:
    store: LocalAttachmentStore = request.app.state.attachments
    return store


def get_documents(request: Request) -> LocalAttachmentStore:
    store: LocalAttachmentStore | None = request.app.state.documents
    if store is None:
        raise NotFound("documents_unavailable", "本服务未配置文书存储")
    return store


oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)

Ctx = Annotated[EngineContext, Depends(get_ctx)]
Config = Annotated[ApiConfig, Depends(get_config)]
Attachments = Annotated[LocalAttachmentStore, Depends(get_attachments)]
Documents = Annotated[LocalAttachmentStore, Depends(get_documents)]
BearerToken = Annotated[str | None, Depends(oauth2_scheme)]


def current_actor(ctx: Ctx, token: BearerToken) -> Actor:
    if not token:
        raise Unauthorized("not_authenticated", "请先登录")
    with ctx.reading() as session:
        return resolve_token(session, token)


CurrentActor = Annotated[Actor, Depends(current_actor)]

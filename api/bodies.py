"""Reading a submission that arrives as JSON or as multipart with files.

Multipart fields: ``data`` (JSON text) and any number of ``files``. Each file
is checked (size, and that its content is of the declared kind: ``storage.sniff``)
and stored; the references travel separately from the client's data, so
only files really uploaded here can be attached. If the request is refused
later, ``Submission.discard_new_files`` removes what it stored.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from fastapi import Request
from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from api.deps import ApiConfig
from api.json_body import load_json, parsed_body
from api.limits import human_size, reject_nul
from engine.context import EngineContext
from engine.services.attachments import unreferenced
from kernel.errors import BadRequest, PayloadTooLarge, UnsupportedMediaType, ValidationFailed
from storage import LocalAttachmentStore, sniff

M = TypeVar("M", bound=BaseModel)
R = TypeVar("R")


MULTIPART_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "data": {"type": "string", "description": "表单数据（JSON 文本）"},
        "files": {"type": "array", "items": {"type": "string", "format": "binary"}},
    },
}


def pydantic_errors(exc: ValidationError) -> ValidationFailed:
    details = [
        {"path": "/" + "/".join(str(p) for p in e["loc"]), "code": e["type"], "message": f"“{e['loc'][-1]}”不符合要求"}
        if e["loc"]
        else {"path": "", "code": e["type"], "message": "请求体不符合要求"}
        for e in exc.errors()
    ]
    return ValidationFailed("request_invalid", "请求参数有误", details)


def openapi_submission(model: type[BaseModel], fields: dict[str, Any], required: list[str]) -> dict[str, Any]:
    """The OpenAPI request body of an endpoint that takes JSON or multipart."""
    multipart = {**MULTIPART_SCHEMA, "required": required, "properties": {**fields, **MULTIPART_SCHEMA["properties"]}}
    return {
        "required": True,
        "content": {
            "application/json": {"schema": model.model_json_schema()},
            "multipart/form-data": {"schema": multipart},
        },
    }


@dataclass
class Submission:
    fields: dict[str, Any]
    data: dict[str, Any]
    uploads: list[dict[str, Any]] = field(default_factory=list)
    created: list[str] = field(default_factory=list)

    async def discard_new_files(self, ctx: EngineContext, store: LocalAttachmentStore) -> None:
        for sha in await run_in_threadpool(unreferenced, ctx, self.created):
            store.discard(sha)


def media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


async def read_json_object(request: Request) -> dict[str, Any]:
    checked, body = parsed_body(request.scope)
    if not checked:  # parsed once: by the middleware when it saw the body, else here
        body = load_json(await request.body())
    if not isinstance(body, dict):
        raise BadRequest("invalid_json", "请求体应为 JSON 对象")
    return body


def parse_data_field(raw: Any) -> dict[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, str):
        raise BadRequest("invalid_data", "data 字段应为 JSON 文本")
    try:
        data = load_json(raw) if raw.strip() else {}
    except BadRequest as refused:
        if refused.code != "invalid_json":
            raise
        raise BadRequest("invalid_data", "data 字段不是有效的 JSON") from None
    if not isinstance(data, dict):
        raise BadRequest("invalid_data", "data 字段应为 JSON 对象")
    return data


async def submit(
    request: Request,
    ctx: EngineContext,
    config: ApiConfig,
    store: LocalAttachmentStore,
    model: type[M],
    fields: tuple[str, ...],
    service: Callable[[M, list[dict[str, Any]]], R],
) -> R:
    """Read, validate and hand a submission to ``service`` in a worker thread;
    files stored for a refused submission are removed again."""
    submission = await read_submission(request, config, store, ctx)
    try:
        body = model.model_validate({**{k: submission.fields.get(k) for k in fields}, "data": submission.data})
        return await run_in_threadpool(service, body, submission.uploads)
    except ValidationError as exc:
        await submission.discard_new_files(ctx, store)
        raise pydantic_errors(exc) from None
    except BaseException:
        await submission.discard_new_files(ctx, store)
        raise


async def read_submission(
    request: Request, config: ApiConfig, store: LocalAttachmentStore, ctx: EngineContext
) -> Submission:
    kind = media_type(request)
    if kind == "application/json":
        body = await read_json_object(request)
        data = body.get("data", {})
        if not isinstance(data, dict):
            raise BadRequest("invalid_data", "data 字段应为 JSON 对象")
        return Submission(body, data)
    if kind != "multipart/form-data":
        raise UnsupportedMediaType("unsupported_media_type", "请求内容类型应为 application/json 或 multipart/form-data")
    try:
        form = await request.form(max_files=config.max_files, max_fields=50)
    except PayloadTooLarge:
        raise
    except Exception as exc:  # malformed multipart or too many parts
        raise BadRequest("invalid_multipart", "表单数据无法解析") from exc
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    reject_nul(fields)
    submission = Submission(fields, parse_data_field(fields.get("data")))
    try:
        for upload in form.getlist("files"):
            if isinstance(upload, UploadFile):
                ref, created = store_upload(upload, config, store)
                submission.uploads.append(ref)
                if created:
                    submission.created.append(str(ref["sha256"]))
    except BaseException:
        await submission.discard_new_files(ctx, store)
        raise
    return submission


def store_upload(upload: UploadFile, config: ApiConfig, store: LocalAttachmentStore) -> tuple[dict[str, Any], bool]:
    content_type = (upload.content_type or "").split(";")[0].strip().lower()
    name = (upload.filename or "附件").replace("\x00", "")
    content = upload.file.read(config.max_upload_bytes + 1)
    if len(content) > config.max_upload_bytes:
        raise PayloadTooLarge(
            "attachment_too_large",
            f"附件“{name}”超过 {human_size(config.max_upload_bytes)} 的大小限制",
            {"file": name, "limit_bytes": config.max_upload_bytes},
        )
    sniff.check(content, content_type, name)
    ref, created = store.put(io.BytesIO(content), name=name, content_type=content_type, max_bytes=len(content))
    return ref.as_dict(), created

"""Reading a submission that arrives as JSON or as multipart with files.

Multipart fields: ``data`` (JSON text) and any number of ``files``. Each file
is checked (size, declared type, and that its first bytes match the type)
and stored; the references travel separately from the client's data, so
only files really uploaded here can be attached. If the request is refused
later, ``Submission.discard_new_files`` removes what it stored.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from api.deps import ApiConfig
from api.limits import human_size, reject_nul
from engine.context import EngineContext
from engine.errors import BadRequest, PayloadTooLarge, UnsupportedMediaType
from engine.services.attachments import unreferenced
from storage import LocalAttachmentStore
from storage.attachments import AttachmentTooLarge

ALLOWED_TYPES = {
    "application/pdf": (b"%PDF-",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "application/ofd": (b"PK\x03\x04",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (b"PK\x03\x04",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (b"PK\x03\x04",),
}

MULTIPART_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "data": {"type": "string", "description": "表单数据（JSON 文本）"},
        "files": {"type": "array", "items": {"type": "string", "format": "binary"}},
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
    try:
        body = json.loads(await request.body())
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadRequest("invalid_json", "请求体不是有效的 JSON") from exc
    if not isinstance(body, dict):
        raise BadRequest("invalid_json", "请求体应为 JSON 对象")
    reject_nul(body)
    return body


def parse_data_field(raw: Any) -> dict[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, str):
        raise BadRequest("invalid_data", "data 字段应为 JSON 文本")
    try:
        data = json.loads(raw) if raw.strip() else {}
    except json.JSONDecodeError as exc:
        raise BadRequest("invalid_data", "data 字段不是有效的 JSON") from exc
    if not isinstance(data, dict):
        raise BadRequest("invalid_data", "data 字段应为 JSON 对象")
    reject_nul(data)
    return data


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
                ref, created = _store(upload, config, store)
                submission.uploads.append(ref)
                if created:
                    submission.created.append(str(ref["sha256"]))
    except BaseException:
        await submission.discard_new_files(ctx, store)
        raise
    return submission


def _store(upload: UploadFile, config: ApiConfig, store: LocalAttachmentStore) -> tuple[dict[str, Any], bool]:
    content_type = (upload.content_type or "").split(";")[0].strip().lower()
    name = (upload.filename or "附件").replace("\x00", "")
    signatures = ALLOWED_TYPES.get(content_type)
    if signatures is None:
        raise UnsupportedMediaType(
            "attachment_type_not_allowed",
            f"附件“{name}”的类型不受支持，仅接受 PDF、JPEG、PNG、OFD、DOCX、XLSX",
            {"file": name, "content_type": content_type},
        )
    head = upload.file.read(16)
    upload.file.seek(0)
    if not any(head.startswith(sig) for sig in signatures):
        raise UnsupportedMediaType(
            "attachment_content_mismatch", f"附件“{name}”的内容与其声明的类型不符", {"file": name}
        )
    try:
        ref, created = store.put(upload.file, name=name, content_type=content_type, max_bytes=config.max_upload_bytes)
    except AttachmentTooLarge:
        raise PayloadTooLarge(
            "attachment_too_large",
            f"附件“{name}”超过 {human_size(config.max_upload_bytes)} 的大小限制",
            {"file": name, "limit_bytes": config.max_upload_bytes},
        ) from None
    return ref.as_dict(), created

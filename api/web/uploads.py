"""Files posted with a page's form: the file field's texts, and storing what was chosen.

One place for the applicant's submission and an approver's decision, so both
accept the same types and sizes and say so in the same words.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

from starlette.datastructures import FormData, UploadFile

from api.bodies import Submission, store_upload
from api.deps import ApiConfig
from api.limits import human_size
from engine.context import EngineContext
from storage import LocalAttachmentStore, sniff

FILE_TYPES = "、".join(["PDF", "JPEG", "PNG", "OFD", "DOCX", "XLSX"])


def file_field(schema: dict[str, Any], config: ApiConfig) -> dict[str, Any]:
    """Template values for the file input of a form whose schema takes ``attachments``."""
    field = (schema.get("properties") or {}).get("attachments")
    if not field:
        return {"accepts_files": False}
    return {
        "accepts_files": True,
        "files_title": field.get("title") or "附件",
        "file_types": FILE_TYPES,
        "accept": ",".join(sniff.KINDS),
        "max_size": human_size(config.max_upload_bytes),
    }


@asynccontextmanager
async def uploads_of(
    form: FormData,
    config: ApiConfig,
    store: LocalAttachmentStore,
    ctx: EngineContext,
    inputs: Mapping[str, Mapping[str, str]] | None = None,
) -> AsyncIterator[list[dict[str, Any]]]:
    """The references of the files chosen in the file inputs, each checked and stored; ``inputs``
    names the inputs with what each file of one carries (a correction item's ``item`` and
    ``replaces``), by default the one ``files`` input. If the block refuses the submission, the
    files it stored (and no record or draft refers to) go again."""
    stored = Submission({}, {})
    try:
        for field, tags in (inputs or {"files": {}}).items():
            for upload in form.getlist(field):
                if isinstance(upload, UploadFile) and upload.filename:
                    ref, created = store_upload(upload, config, store)
                    stored.uploads.append({**ref, **{k: v for k, v in tags.items() if v}})
                    if created:
                        stored.created.append(str(ref["sha256"]))
        yield stored.uploads
    except BaseException:
        await stored.discard_new_files(ctx, store)
        raise

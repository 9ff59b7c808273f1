"""Files posted with a page's form: the file field's texts, and storing what was chosen.

One place for the applicant's submission and an approver's decision, so both
accept the same types and sizes and say so in the same words.
"""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData, UploadFile

from api.bodies import ALLOWED_TYPES, store_upload
from api.deps import ApiConfig
from api.limits import human_size
from storage import LocalAttachmentStore

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
        "accept": ",".join(ALLOWED_TYPES),
        "max_size": human_size(config.max_upload_bytes),
    }


def stored_uploads(form: FormData, config: ApiConfig, store: LocalAttachmentStore) -> list[dict[str, Any]]:
    """Each file chosen in the ``files`` input, checked and stored; their references."""
    return [
        store_upload(upload, config, store)[0]
        for upload in form.getlist("files")
        if isinstance(upload, UploadFile) and upload.filename
    ]

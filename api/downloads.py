"""Responses that hand over stored bytes: the right type, a safe file name, no sniffing."""

from __future__ import annotations

from urllib.parse import quote

from fastapi.responses import RedirectResponse, Response

from archive.service import Download


def attachment_headers(filename: str, *, inline: bool = False) -> dict[str, str]:
    disposition = "inline" if inline else "attachment"
    return {
        "Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(filename, safe='')}",
        "X-Content-Type-Options": "nosniff",
    }


def archive_download(found: Download) -> Response:
    """The record's bytes, or a redirect to the store's short-lived URL pinned to its version."""
    if found.url is not None:
        return RedirectResponse(found.url, status_code=307)
    record = found.record
    extension = "pdf" if record["object"]["mime"] == "application/pdf" else "json"
    return Response(
        found.data,
        media_type=record["object"]["mime"],
        headers=attachment_headers(f"{record['archival_code']}.{extension}"),
    )

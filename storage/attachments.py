"""Content-addressed local store for uploaded attachments."""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import BinaryIO

CHUNK = 1024 * 1024


class AttachmentTooLarge(Exception):
    """The upload exceeds the configured per-file limit."""


@dataclass(frozen=True)
class AttachmentRef:
    name: str
    sha256: str
    size: int
    content_type: str

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


class LocalAttachmentStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def put(self, stream: BinaryIO, *, name: str, content_type: str, max_bytes: int) -> tuple[AttachmentRef, bool]:
        """Copy ``stream`` in, hashing as it goes; identical content is stored once.
        Returns the reference and whether this call created the file."""
        self.root.mkdir(parents=True, exist_ok=True)
        digest, size = hashlib.sha256(), 0
        fd, tmp_name = tempfile.mkstemp(dir=self.root, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as tmp:
                while chunk := stream.read(CHUNK):
                    size += len(chunk)
                    if size > max_bytes:
                        raise AttachmentTooLarge(name)
                    digest.update(chunk)
                    tmp.write(chunk)
            sha = digest.hexdigest()
            target = self._path(sha)
            created = not target.exists()
            if not created:
                os.unlink(tmp_name)
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                os.chmod(tmp_name, 0o444)
                os.replace(tmp_name, target)
        except BaseException:
            if os.path.exists(tmp_name):
                os.unlink(tmp_name)
            raise
        return AttachmentRef(name=name, sha256=sha, size=size, content_type=content_type), created

    def discard(self, sha256: str) -> None:
        """Remove a file that no record refers to (after a refused submission)."""
        path = self._path(sha256)
        if path.is_file():
            path.unlink()

    def stored_before(self, cutoff: float) -> list[str]:
        """Hashes of the stored files last written before ``cutoff`` (seconds since the epoch)."""
        if not self.root.is_dir():
            return []
        return [
            path.name
            for path in self.root.glob("??/*")
            if len(path.name) == 64 and path.is_file() and path.stat().st_mtime < cutoff
        ]

    def remove_partial_uploads(self, cutoff: float) -> int:
        """Remove uploads a killed process left half-written before ``cutoff``; how many."""
        removed = 0
        for path in self.root.glob(".upload-*") if self.root.is_dir() else []:
            if path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
                removed += 1
        return removed

    def exists(self, sha256: str) -> bool:
        return len(sha256) == 64 and self._path(sha256).is_file()

    def path(self, sha256: str) -> Path:
        return self._path(sha256)

"""Domain errors. Each carries a stable machine ``code`` and a Chinese message.

The hierarchy mirrors how a caller should react, and ``api.errors`` maps each
class to one HTTP status:

    DomainError
    ├── BadRequest            400  malformed request
    ├── Unauthorized          401  not logged in, bad credentials, expired token
    ├── Forbidden             403  visible, but this actor may not do that
    ├── NotFound              404  absent, or invisible to this actor
    ├── Conflict              409  state moved on (claimed, completed, changed)
    ├── PayloadTooLarge       413
    ├── UnsupportedMediaType  415
    └── ValidationFailed      422  data does not satisfy the form or the rules
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    def __init__(self, code: str, message: str, details: Any = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.details = details


class BadRequest(DomainError):
    pass


class Unauthorized(DomainError):
    pass


class Forbidden(DomainError):
    pass


class NotFound(DomainError):
    pass


class Conflict(DomainError):
    pass


class PayloadTooLarge(DomainError):
    pass


class UnsupportedMediaType(DomainError):
    pass


class ValidationFailed(DomainError):
    pass


class ServiceUnavailable(DomainError):
    """A service the platform depends on (object storage, the database) cannot answer now; retry later."""


class Transient(Exception):
    """A dependency is away for now (object storage down, say): the work is not wrong and
    simply runs again later. The outbox retries it without using up its attempts."""

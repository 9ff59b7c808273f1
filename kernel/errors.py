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
    ├── ValidationFailed      422  data does not satisfy the form or the rules
    ├── TooManyRequests       429  slow down (``retry_after`` seconds)
    └── ServiceUnavailable    503  a dependency cannot answer now
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    def __init__(self, code: str, message: str, details: Any = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.details = details

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle by fields, so an error raised in a checking process reaches its caller intact."""
        return (type(self), (self.code, self.message, self.details))


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


class TooManyRequests(DomainError):
    """Too many attempts from this account or address; ``retry_after`` says when to try again."""

    def __init__(self, code: str, message: str, details: Any = None, *, retry_after: int = 60) -> None:
        super().__init__(code, message, details)
        self.retry_after = retry_after

    def __reduce__(self) -> tuple[Any, ...]:
        return (_too_many, (self.code, self.message, self.details, self.retry_after))


def _too_many(code: str, message: str, details: Any, retry_after: int) -> TooManyRequests:
    return TooManyRequests(code, message, details, retry_after=retry_after)


class ServiceUnavailable(DomainError):
    """A service the platform depends on (object storage, the database) cannot answer now; retry later."""


class Transient(Exception):
    """A dependency is away for now (object storage down, say): the work is not wrong and
    simply runs again later. The outbox retries it without using up its attempts."""

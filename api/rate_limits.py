"""Per-address rate limits on the endpoints anyone may call without signing in.

Counted in the database (``kernel.throttle``), so every API process shares
the count. Each window is one minute; over the limit the answer is 429 with
``Retry-After``.
"""

from __future__ import annotations

from datetime import timedelta

from fastapi import Request

from api.deps import client_address
from kernel import throttle
from kernel.errors import TooManyRequests

WINDOW = timedelta(minutes=1)
PER_MINUTE = {
    "verify_file": 20,  # a file check takes up to a checking process's time limit
    "verify_code": 120,  # a QR code lookup is one indexed read
}


def spend(request: Request, bucket: str) -> None:
    """Count this request of the client's address; refuse it (429) when over the bucket's limit."""
    ctx = request.app.state.ctx
    with ctx.transaction() as session:
        wait = throttle.spend(
            session, f"rate:{bucket}", client_address(request) or "-", limit=PER_MINUTE[bucket], window=WINDOW
        )
    if wait is not None:
        raise TooManyRequests("rate_limited", f"请求过于频繁，请 {wait} 秒后再试", retry_after=wait)


def verify_file(request: Request) -> None:
    spend(request, "verify_file")


def verify_code(request: Request) -> None:
    spend(request, "verify_code")

"""Request limits: body size (declared or streamed) and characters no database stores."""

from __future__ import annotations

from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.json_body import check_storable
from kernel.errors import PayloadTooLarge


def human_size(n: int) -> str:
    for unit, size in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if n >= size:
            value = n / size
            return f"{value:.0f} {unit}" if value == int(value) else f"{value:.1f} {unit}"
    return f"{n} 字节"


def reject_nul(value: Any) -> None:
    """Form fields: no character a database cannot store (U+0000, lone surrogates), on every backend."""
    check_storable(value)


class RequestLimits:
    """ASGI middleware: 413 for bodies over the limit, whether the length is declared
    or the body is streamed; 400 for a NUL character in the path or query."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        from api.errors import error_response

        if "\x00" in scope.get("path", "") or b"%00" in scope.get("query_string", b""):
            await error_response(400, "invalid_characters", "请求地址含有不允许的控制字符（U+0000）")(
                scope, receive, send
            )
            return
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.max_bytes:
            await error_response(413, "payload_too_large", f"请求内容超过 {human_size(self.max_bytes)} 的限制")(
                scope, receive, send
            )
            return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise PayloadTooLarge("payload_too_large", f"请求内容超过 {human_size(self.max_bytes)} 的限制")
            return message

        await self.app(scope, counting_receive, send)

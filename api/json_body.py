"""The one JSON reader: every JSON the platform accepts (a request body, the ``data`` field of
a multipart submission) goes through ``load_json`` with bounds set before parsing costs anything.

Bounds: ``MAX_BYTES`` of text, ``MAX_DEPTH`` levels of nesting, numbers of at
most ``MAX_NUMBER_CHARS`` characters and finite, no ``NaN``/``Infinity``, and
no character a database cannot store (U+0000, lone surrogates such as
``\\ud800``). Each refusal is a 400 or 413 with its own code, never a 500.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kernel.errors import BadRequest, DomainError, PayloadTooLarge

MAX_BYTES = 2 * 1024 * 1024
PARSED = "onestop.json"  # the scope key under which the checked body's value travels on
MAX_DEPTH = 32
MAX_NUMBER_CHARS = 100


class _Refused(Exception):
    def __init__(self, error: DomainError) -> None:
        self.error = error


def _number_too_long() -> _Refused:
    return _Refused(BadRequest("json_number_too_long", f"JSON 中的数字超过 {MAX_NUMBER_CHARS} 位"))


def _int(text: str) -> int:
    if len(text) > MAX_NUMBER_CHARS:
        raise _number_too_long()
    return int(text)


def _float(text: str) -> float:
    if len(text) > MAX_NUMBER_CHARS:
        raise _number_too_long()
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise _Refused(BadRequest("json_number_out_of_range", "JSON 中的数字超出范围"))
    return value


def _constant(name: str) -> Any:
    raise _Refused(BadRequest("json_number_out_of_range", f"JSON 不允许 {name}"))


def parsed_body(scope: Scope) -> tuple[bool, Any]:
    """Whether the middleware already read and checked this request's JSON body, and its value."""
    return (PARSED in scope, scope.get(PARSED))


def load_json(raw: bytes | str) -> Any:
    """Parse ``raw`` within the bounds, or raise the ``DomainError`` saying which one it broke."""
    if len(raw) > MAX_BYTES:
        raise PayloadTooLarge("json_too_large", f"JSON 内容超过 {MAX_BYTES >> 20} MB 的限制")
    try:
        value = json.loads(raw, parse_int=_int, parse_float=_float, parse_constant=_constant)
    except _Refused as refused:
        raise refused.error from None
    except RecursionError:
        raise _too_deep() from None
    except (ValueError, UnicodeDecodeError):  # JSONDecodeError is a ValueError
        raise BadRequest("invalid_json", "请求体不是有效的 JSON") from None
    check_storable(value)
    return value


def _too_deep() -> BadRequest:
    return BadRequest("json_too_deep", f"JSON 嵌套超过 {MAX_DEPTH} 层")


def check_storable(value: Any) -> None:
    """No deeper than ``MAX_DEPTH``, and every string (keys too) one a database can store."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            _check_text(item)
        elif isinstance(item, dict | list):
            if depth > MAX_DEPTH:
                raise _too_deep()
            children = [*item.keys(), *item.values()] if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)


def _check_text(text: str) -> None:
    if "\x00" in text:
        raise BadRequest("invalid_characters", "提交的内容含有不允许的控制字符（U+0000）")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise BadRequest("invalid_characters", "提交的内容含有无效的 Unicode 字符（孤立的代理项）") from None


def is_json(scope: Scope) -> bool:
    for name, value in scope.get("headers") or []:
        if name == b"content-type":
            media: bytes = value.split(b";")[0].strip().lower()
            return media == b"application/json" or media.endswith(b"+json")
    return False


class JsonBodyCheck:
    """ASGI middleware: a JSON request body is read (up to ``MAX_BYTES``) and checked by
    ``load_json`` before any endpoint parses it; a refused body never reaches the app."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_json(scope):
            await self.app(scope, receive, send)
            return
        from api.errors import error_response, status_of

        body = bytearray()
        more = True
        try:
            while more:
                message = await receive()  # the request limits may refuse a body streamed past them
                if message["type"] != "http.request":
                    await self.app(scope, receive, send)  # the client went away: let the app see it
                    return
                body += message.get("body", b"")
                more = message.get("more_body", False)
                if len(body) > MAX_BYTES:
                    break
            if body.strip():
                scope[PARSED] = load_json(bytes(body))  # the endpoint's reader takes it from here
        except DomainError as refused:
            await error_response(status_of(refused), refused.code, refused.message)(scope, receive, send)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": bytes(body), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

"""Request bodies over a size limit get 413 before they are read into memory or stored.

An ASGI middleware, so every route is covered: a declared ``Content-Length`` over the limit is
refused before the body is read at all; a body without one (chunked) is counted as it arrives
and refused as soon as it passes the limit.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: The default limit: a message of a few hundred pages of text, far beyond any prompt.
DEFAULT_MAX_BODY = 1_000_000


class BodyLimit:
    """Refuse request bodies larger than ``max_bytes`` with 413."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            await _refuse(send, self.max_bytes)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:  # a route reading the body answers 413
                    raise HTTPException(status_code=413, detail=too_large(self.max_bytes))
            return message

        await self.app(scope, counted, send)


def too_large(max_bytes: int) -> str:
    """What a client is told about a body over the limit."""
    return (
        f"The request is larger than this server accepts ({describe_size(max_bytes)}); "
        "send a shorter message."
    )


def describe_size(n: int) -> str:
    """``1 MB``, ``512 KB``, ``100 bytes``."""
    for unit, size in (("MB", 1_000_000), ("KB", 1_000)):
        if n >= size and n % size == 0:
            return f"{n // size} {unit}"
    return f"{n} bytes"


def parse_size(text: str) -> int:
    """``"1MB"``, ``"512 KB"`` or ``"2000"`` as bytes (decimal units).

    Raises:
        ValueError: for anything else, or a size under one byte.
    """
    value = text.strip().upper().replace(" ", "")
    for unit, size in (("MB", 1_000_000), ("KB", 1_000), ("B", 1)):
        if value.endswith(unit):
            value, factor = value[: -len(unit)], size
            break
    else:
        factor = 1
    if not value.isdigit() or int(value) * factor < 1:
        raise ValueError(f"not a size: {text!r} (e.g. 1MB, 512KB, 2000)")
    return int(value) * factor


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _refuse(send: Send, max_bytes: int) -> None:
    body = json.dumps({"detail": too_large(max_bytes)}).encode()
    headers: list[Any] = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
    ]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})

"""One JSON line per request on the ``chatkit_widget.access`` logger, for a team's log pipeline.

Each line: ``time``, ``method``, ``path``, ``status``, ``duration_ms`` (until the last byte of
the response, so a streamed turn counts whole), ``user`` (once authenticated) and ``deltas``
(streamed text chunks: ChatKit's text deltas or the SSE chat API's ``content`` frames). Never a
token, a header or message text: only what the server decided, not what was said.
"""

from __future__ import annotations

import json
import logging
import time
from datetime import UTC, datetime
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("chatkit_widget.access")
#: How a streamed text chunk starts in each protocol's frames.
_DELTA_MARKS = (b'"assistant_message.content_part.text_delta"', b'data: {"content":')


class AccessLog:
    """Log every HTTP request as one JSON line when its response has been sent."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not log.isEnabledFor(logging.INFO):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the client gets if the app fails before answering
        deltas = 0

        async def observed(message: Message) -> None:
            nonlocal status, deltas
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                body = message.get("body", b"")
                deltas += sum(body.count(mark) for mark in _DELTA_MARKS)
            await send(message)

        try:
            await self.app(scope, receive, observed)
        finally:
            record: dict[str, Any] = {
                "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
                "method": scope["method"],
                "path": scope["path"],
                "status": status,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                "user": scope.get("state", {}).get("user"),
                "deltas": deltas,
            }
            log.info(json.dumps(record))


def log_requests() -> None:
    """Print the access log's lines on stderr as they are (a ``serve`` process's own setup)."""
    if log.handlers:
        return
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False

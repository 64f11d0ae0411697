"""Errors raised by the public API."""

from __future__ import annotations

from ._chatkit_json import StreamEvent


class ChatError(Exception):
    """A turn ended in an error (or was stopped); ``events`` holds what it streamed."""

    def __init__(self, message: str, events: list[StreamEvent] | None = None) -> None:
        super().__init__(message)
        self.events = events or []

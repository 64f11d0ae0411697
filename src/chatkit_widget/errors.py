"""Errors raised by the public API."""

from __future__ import annotations

from typing import Any


class ChatError(Exception):
    """A turn ended in an error (or was stopped); ``events`` holds what it streamed."""

    def __init__(self, message: str, events: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.events = events or []

"""``chat.on(...)``: notebook callbacks for what happens in the chat.

The bridge hands every ChatKit stream event of every turn (started from the UI or from Python)
to ``ChatEvents.from_stream``, which turns the interesting ones into the same plain dicts
``chat.messages`` returns.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Callable
from typing import Any

from chatkit.types import ThreadItem
from pydantic import TypeAdapter, ValidationError

from ._messages import to_messages

log = logging.getLogger(__name__)

EVENTS = ("message", "tool", "error", "thread")
Callback = Callable[[dict[str, Any]], Any]
_ITEM = TypeAdapter[ThreadItem](ThreadItem)


class ChatEvents:
    """Callbacks by event name, and the translation from ChatKit stream events."""

    def __init__(self) -> None:
        self._callbacks: dict[str, list[Callback]] = {name: [] for name in EVENTS}
        self._just_created: str | None = None
        self._tasks: set[asyncio.Task[Any]] = set()

    def add(self, event: str, callback: Callback) -> Callable[[], None]:
        """Subscribe; returns the unsubscribe function."""
        if event not in self._callbacks:
            raise ValueError(f"unknown event {event!r}; one of {', '.join(map(repr, EVENTS))}")
        if not callable(callback):
            raise TypeError("callback must be callable")
        self._callbacks[event].append(callback)

        def remove() -> None:
            if callback in self._callbacks[event]:
                self._callbacks[event].remove(callback)

        return remove

    def mark_created(self, thread_id: str) -> None:
        """A stream is creating this thread: opening it now is not news (``created`` is)."""
        self._just_created = thread_id

    def opened_by_creation(self, thread_id: str) -> bool:
        """Whether this opening of ``thread_id`` is its creation (answers once)."""
        just, self._just_created = self._just_created, None
        return just == thread_id

    def emit(self, event: str, data: dict[str, Any]) -> None:
        """Call the callbacks of ``event``; failures are logged, never raised into the chat."""
        for callback in list(self._callbacks[event]):
            try:
                result = callback(data)
                if inspect.isawaitable(result):
                    task = asyncio.ensure_future(result)
                    self._tasks.add(task)
                    task.add_done_callback(self._finished)
            except Exception:
                log.exception("chatkit-widget: a %r callback failed", event)

    def from_stream(self, event: dict[str, Any]) -> None:
        """Translate one ChatKit stream event (a bridge observer)."""
        kind = event.get("type")
        if kind in ("thread.created", "thread.updated"):
            thread = event.get("thread") or {}
            reason = "created" if kind == "thread.created" else "updated"
            data = {"id": thread.get("id"), "title": thread.get("title"), "reason": reason}
            self.emit("thread", data)
        elif kind == "error":
            data = {
                "message": event.get("message") or "",
                "allow_retry": bool(event.get("allow_retry")),
            }
            self.emit("error", data)
        elif kind in ("thread.item.done", "thread.item.replaced") and self._wanted(event):
            for message in _as_messages(event.get("item")):
                self.emit("tool" if message["role"] == "tool" else "message", message)

    def _wanted(self, event: dict[str, Any]) -> bool:
        if not (self._callbacks["message"] or self._callbacks["tool"]):
            return False  # no parsing for nobody
        item_type = (event.get("item") or {}).get("type")
        # A replaced item is news only for a client tool call the notebook has answered.
        return event["type"] == "thread.item.done" or item_type == "client_tool_call"

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("chatkit-widget: an async callback failed", exc_info=task.exception())


def _as_messages(raw: Any) -> list[dict[str, Any]]:
    try:
        item = _ITEM.validate_python(raw)
    except ValidationError:
        return []
    return to_messages([item])

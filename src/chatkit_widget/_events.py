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
from typing import Any, cast

from chatkit.types import ThreadItem
from pydantic import TypeAdapter, ValidationError

from ._chatkit_json import StreamEvent, ThreadItemJSON
from ._decisions import pending_call, tool_row_of
from ._messages import Message, to_messages
from ._tool_rows import ToolRow

log = logging.getLogger(__name__)

EVENTS = ("message", "tool", "error", "thread", "approval")
#: Told a decision made by a ``chat.on("approval")`` callback: (thread id, call id, approved).
Decide = Callable[[str, str, bool], None]
Callback = Callable[[dict[str, Any]], Any]
_ITEM = TypeAdapter[ThreadItem](ThreadItem)


class ChatEvents:
    """Callbacks by event name, and the translation from ChatKit stream events."""

    def __init__(self) -> None:
        self._callbacks: dict[str, list[Callback]] = {name: [] for name in EVENTS}
        self._just_created: str | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        #: Where a callback's answer to an "approval" goes (set by the widget).
        self.decide: Decide | None = None

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

    def from_stream(self, event: StreamEvent) -> None:
        """Translate one ChatKit stream event (a bridge observer)."""
        if event["type"] == "thread.created" or event["type"] == "thread.updated":
            thread = event["thread"]
            reason = "created" if event["type"] == "thread.created" else "updated"
            self.emit(
                "thread", {"id": thread.get("id"), "title": thread.get("title"), "reason": reason}
            )
        elif event["type"] == "error":
            text = event.get("message") or ""
            self.emit("error", {"message": text, "allow_retry": bool(event.get("allow_retry"))})
        elif event["type"] == "thread.item.done" or event["type"] == "thread.item.replaced":
            # A replaced item is news only for a client tool call the notebook has answered.
            news = (
                event["type"] == "thread.item.done" or event["item"]["type"] == "client_tool_call"
            )
            if event["type"] == "thread.item.done" and self._callbacks["approval"]:
                row = tool_row_of(event["item"])
                if row is not None and row.status == "approval":
                    self._ask_approval(event["item"]["thread_id"], row)
            listened = self._callbacks["message"] or self._callbacks["tool"]
            if news and listened:  # no parsing for nobody
                for message in _as_messages(event["item"]):
                    self.emit("tool" if message["role"] == "tool" else "message", message)

    def _ask_approval(self, thread_id: str, row: ToolRow) -> None:
        """Offer a waiting call to the "approval" callbacks: the first True or False decides."""
        call = cast(dict[str, Any], pending_call(row))  # callbacks take plain dicts

        def answer(result: object) -> bool:
            if isinstance(result, bool) and self.decide is not None:
                self.decide(thread_id, row.call_id, result)
                return True
            return False  # None (or anything else): the UI decides

        async def in_turn(pending: list[Callback]) -> None:
            for callback in pending:
                try:
                    result = callback(call)
                    if inspect.isawaitable(result):
                        result = await result
                except Exception:
                    log.exception("chatkit-widget: an 'approval' callback failed")
                    continue
                if answer(result):
                    return

        task = asyncio.ensure_future(in_turn(list(self._callbacks["approval"])))
        self._tasks.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("chatkit-widget: an async callback failed", exc_info=task.exception())


def _as_messages(raw: ThreadItemJSON) -> list[Message]:
    try:
        item = _ITEM.validate_python(raw)
    except ValidationError:
        return []
    return to_messages([item])

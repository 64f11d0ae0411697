"""The SSE chat API's frames -> ChatKit events, for one turn.

The SSE chat API (README, "The SSE chat API") streams JSON frames: text chunks
(``{"content"|"delta"|"text": "..."}``), tool calls (``{"tool": name, "status":
"pending"|"success"|"error", ...}``), errors (``{"error": "..."}``) and the conversation's id
(``{"conversation_id": "..."}``), in any combination; a server that does not stream answers
one JSON object with the same keys. Text becomes assistant messages (a new one after each tool
call, so the order stays as it was said) and tool calls become this project's tool rows, so the
UI has one code path.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from chatkit.types import (
    AssistantMessageContent,
    AssistantMessageContentPartTextDelta,
    AssistantMessageItem,
    ThreadItemAddedEvent,
    ThreadItemDoneEvent,
    ThreadItemUpdatedEvent,
    ThreadStreamEvent,
)

from .._chatkit_json import JSONObject
from .._tool_rows import ToolRow

log = logging.getLogger("chatkit_widget.remote")

TEXT_KEYS = ("content", "delta", "text")
#: Keys a non-streaming JSON reply may hold its text under.
REPLY_KEYS = (*TEXT_KEYS, "reply", "message", "response", "answer")
_STATUSES = {"pending", "running", "success", "error"}


class SSEChatReply:
    """Follows one turn's frames; ``feed`` returns the ChatKit events each one means.

    Args:
        thread_id: The thread the reply belongs to.
        new_id: Makes an item id of a kind (``"message"``, ``"task"``).
    """

    def __init__(self, thread_id: str, new_id: Callable[[str], str]) -> None:
        self.thread_id = thread_id
        self._new_id = new_id
        self.conversation_id: str | None = None
        #: The server's error message, once an error frame arrived (the turn then ends).
        self.error: str | None = None
        self._message: AssistantMessageItem | None = None
        self._rows: dict[str, tuple[str, datetime, ToolRow]] = {}  # key -> open row

    def feed(self, payload: str) -> list[ThreadStreamEvent]:
        """The events one SSE ``data`` payload means (none for one that is not a frame)."""
        try:
            frame = json.loads(payload)
        except ValueError:
            log.warning("chatkit-widget: skipped a frame that is not JSON: %.80r", payload)
            return []
        if not isinstance(frame, dict):
            log.warning("chatkit-widget: skipped a frame that is not an object: %.80r", payload)
            return []
        return self.apply(frame)

    def apply(self, frame: JSONObject) -> list[ThreadStreamEvent]:
        """The events one frame means."""
        known = False
        events: list[ThreadStreamEvent] = []
        if isinstance(frame.get("conversation_id"), str) and frame["conversation_id"]:
            self.conversation_id = frame["conversation_id"]
            known = True
        if isinstance(frame.get("tool"), str):
            return self._tool(frame)  # its "error" is the tool's, not the turn's
        if frame.get("error"):
            error = frame["error"]
            self.error = error if isinstance(error, str) else json.dumps(error)
            return events
        text = next((frame[k] for k in TEXT_KEYS if isinstance(frame.get(k), str)), None)
        if text is not None:
            events += self._text(text)
            known = True
        if not known:
            log.warning("chatkit-widget: skipped a frame of unknown shape: %.80r", frame)
        return events

    def apply_json_reply(self, body: Any) -> list[ThreadStreamEvent]:
        """The events of a whole reply given as one JSON object (a server that does not stream)."""
        if not isinstance(body, dict):
            self.error = "The server's JSON reply is not an object."
            return []
        if isinstance(body.get("conversation_id"), str) and body["conversation_id"]:
            self.conversation_id = body["conversation_id"]
        if body.get("error"):
            self.error = str(body["error"])
            return []
        text = next((body[k] for k in REPLY_KEYS if isinstance(body.get(k), str)), None)
        if text is None:
            self.error = "The server's JSON reply has no text (content, reply or message)."
            return []
        return self._text(text)

    @property
    def open_message_id(self) -> str | None:
        """The message still receiving text, if any."""
        return self._message.id if self._message is not None else None

    def close(self) -> list[ThreadStreamEvent]:
        """Finish what is open: the message (with its text so far) and unanswered tool rows."""
        events = self.end_message()
        for key in list(self._rows):
            item_id, created, row = self._rows.pop(key)
            row.status, row.error = "error", "The reply ended before the tool finished."
            events.append(ThreadItemDoneEvent(item=row.to_item(item_id, self.thread_id, created)))
        return events

    def _text(self, chunk: str) -> list[ThreadStreamEvent]:
        events: list[ThreadStreamEvent] = []
        if self._message is None:
            self._message = AssistantMessageItem(
                id=self._new_id("message"),
                thread_id=self.thread_id,
                created_at=datetime.now(),
                content=[AssistantMessageContent(text="")],
            )
            events.append(ThreadItemAddedEvent(item=self._message.model_copy(deep=True)))
        if chunk:
            self._message.content[0].text += chunk
            events.append(
                ThreadItemUpdatedEvent(
                    item_id=self._message.id,
                    update=AssistantMessageContentPartTextDelta(content_index=0, delta=chunk),
                )
            )
        return events

    def end_message(self) -> list[ThreadStreamEvent]:
        """Finish the message receiving text, if any (text after this starts a new one)."""
        if self._message is None:
            return []
        message, self._message = self._message, None
        return [ThreadItemDoneEvent(item=message)]

    def _tool(self, frame: JSONObject) -> list[ThreadStreamEvent]:
        name = frame["tool"]
        status = frame.get("status", "pending")
        if status not in _STATUSES:
            log.warning("chatkit-widget: a tool frame with unknown status %.40r", status)
            status = "pending"
        key = str(frame.get("id") or frame.get("call_id") or name)
        events = self.end_message()  # text after the call is a new message
        if key not in self._rows:
            arguments = frame.get("arguments", frame.get("args", {}))
            row = ToolRow(call_id=key, name=name, arguments=arguments)
            self._rows[key] = (self._new_id("task"), datetime.now(), row)
            if status in ("pending", "running"):
                item_id, created, row = self._rows[key]
                events.append(
                    ThreadItemAddedEvent(item=row.to_item(item_id, self.thread_id, created))
                )
        if status in ("pending", "running"):
            return events
        item_id, created, row = self._rows.pop(key)
        if "arguments" in frame:
            row.arguments = frame["arguments"]
        if status == "success":
            row.status = "success"
            output = frame.get("output", frame.get("result"))
            row.output = output if isinstance(output, str) or output is None else _json(output)
        else:
            row.status = "error"
            error = frame.get("error") or frame.get("output") or "The tool failed."
            row.error = error if isinstance(error, str) else _json(error)
        events.append(ThreadItemDoneEvent(item=row.to_item(item_id, self.thread_id, created)))
        return events


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)

"""The SSE chat API's side of ``serve``: ChatKit stream events -> plain ``data: {...}`` frames.

A client of the SSE chat API (README, "The SSE chat API") reads ``{"conversation_id"}`` first,
then ``{"content"}`` text chunks, ``{"tool"}`` frames for server tool calls, ``{"error"}`` if
the turn fails, and ``[DONE]`` last.
"""

from __future__ import annotations

import json
from typing import Any, TypedDict

from chatkit.server import DEFAULT_ERROR_MESSAGE
from chatkit.types import TaskItem

from .._chatkit_json import StreamEvent, ThreadItemJSON
from .._tool_rows import parse_tool_row

DONE = b"data: [DONE]\n\n"


class SSEChatFrame(TypedDict, total=False):
    """One ``data: {...}`` frame of the SSE chat API (one or two of these keys)."""

    conversation_id: str
    content: str
    error: str | None
    tool: str
    call_id: str
    status: str
    arguments: Any
    output: str | None
    """The tool's result (``status: "success"``)."""


def frame(data: SSEChatFrame) -> bytes:
    """One server-sent event carrying ``data`` as JSON."""
    return b"data: " + json.dumps(data, ensure_ascii=False).encode() + b"\n\n"


def sse_chat_frames(event: StreamEvent) -> list[SSEChatFrame]:
    """What a client of the SSE chat API sees of one ChatKit event (often nothing)."""
    if event["type"] == "thread.item.updated":
        update = event["update"]
        if update["type"] == "assistant_message.content_part.text_delta" and update["delta"]:
            return [{"content": update["delta"]}]
    elif event["type"] == "thread.item.added" or event["type"] == "thread.item.done":
        tool = _tool_frame(event["item"])
        return [tool] if tool is not None else []
    elif event["type"] == "error":
        return [{"error": event.get("message") or DEFAULT_ERROR_MESSAGE}]
    return []


def _tool_frame(item: ThreadItemJSON) -> SSEChatFrame | None:
    """A tool row's state: pending when it is added, success or error when done."""
    if item["type"] != "task":
        return None
    row = parse_tool_row(TaskItem.model_validate(item))
    if row is None:
        return None
    tool: SSEChatFrame = {
        "tool": row.name,
        "call_id": row.call_id,
        "status": row.status,
        "arguments": row.arguments,
    }
    if row.status == "success":
        tool["output"] = row.output
    elif row.status == "error":
        tool["error"] = row.error
    return tool

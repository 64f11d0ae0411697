"""The SSE chat API's side of ``serve``: ChatKit stream events -> plain ``data: {...}`` frames.

A client of the SSE chat API (README, "The SSE chat API") reads ``{"conversation_id"}`` first,
then ``{"content"}`` text chunks, ``{"tool"}`` frames for server tool calls, ``{"error"}`` if
the turn fails, and ``[DONE]`` last.
"""

from __future__ import annotations

import json
from typing import Any

from chatkit.server import DEFAULT_ERROR_MESSAGE
from chatkit.types import TaskItem

from .._deprecation import deprecated_name
from .._tool_rows import parse_tool_row

DONE = b"data: [DONE]\n\n"
_TEXT_DELTA = "assistant_message.content_part.text_delta"


def frame(data: dict[str, Any]) -> bytes:
    """One server-sent event carrying ``data`` as JSON."""
    return b"data: " + json.dumps(data, ensure_ascii=False).encode() + b"\n\n"


def sse_chat_frames(event: dict[str, Any]) -> list[dict[str, Any]]:
    """What a client of the SSE chat API sees of one ChatKit event (often nothing)."""
    kind = event.get("type")
    if kind == "thread.item.updated":
        update = event.get("update") or {}
        if update.get("type") == _TEXT_DELTA and update.get("delta"):
            return [{"content": update["delta"]}]
    elif kind in ("thread.item.added", "thread.item.done"):
        tool = _tool_frame(event.get("item") or {})
        return [tool] if tool is not None else []
    elif kind == "error":
        return [{"error": event.get("message") or DEFAULT_ERROR_MESSAGE}]
    return []


def _tool_frame(item: dict[str, Any]) -> dict[str, Any] | None:
    """A tool row's state: pending when it is added, success or error when done."""
    if item.get("type") != "task":
        return None
    row = parse_tool_row(TaskItem.model_validate(item))
    if row is None:
        return None
    tool: dict[str, Any] = {
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


_RENAMED = {"seed_frames": ("chatkit_widget.server.seed_api.sse_chat_frames", sse_chat_frames)}


def __getattr__(name: str) -> object:
    return deprecated_name(__name__, name, _RENAMED)

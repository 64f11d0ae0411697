"""The "seed" chat contract: ChatKit stream events -> simple ``data: {...}`` frames.

A seed client reads ``{"conversation_id"}`` first, then ``{"content"}`` text chunks, ``{"tool"}``
frames for server tool calls, ``{"error"}`` if the turn fails, and ``[DONE]`` last.
"""

from __future__ import annotations

import json
from typing import Any, TypedDict

from chatkit.server import DEFAULT_ERROR_MESSAGE
from chatkit.types import TaskItem

from .._chatkit_json import StreamEvent, ThreadItemJSON
from .._tool_rows import parse_tool_row

DONE = b"data: [DONE]\n\n"


class SeedFrame(TypedDict, total=False):
    """One ``data: {...}`` frame of the seed contract (one or two of these keys)."""

    conversation_id: str
    content: str
    error: str | None
    tool: str
    call_id: str
    status: str
    arguments: Any
    output: str | None
    """The tool's result (``status: "success"``)."""


def frame(data: SeedFrame) -> bytes:
    """One server-sent event carrying ``data`` as JSON."""
    return b"data: " + json.dumps(data, ensure_ascii=False).encode() + b"\n\n"


def seed_frames(event: StreamEvent) -> list[SeedFrame]:
    """What a seed client sees of one ChatKit event (often nothing)."""
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


def _tool_frame(item: ThreadItemJSON) -> SeedFrame | None:
    """A tool row's state: pending when it is added, success or error when done."""
    if item["type"] != "task":
        return None
    row = parse_tool_row(TaskItem.model_validate(item))
    if row is None:
        return None
    tool: SeedFrame = {
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

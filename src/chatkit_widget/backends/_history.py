"""Thread items -> model input that both Responses and Chat-Completions models accept."""

from __future__ import annotations

from typing import Any

from chatkit.agents import ThreadItemConverter
from chatkit.types import (
    AssistantMessageItem,
    ClientToolCallItem,
    TaskItem,
    UserMessageTagContent,
)

from .._tool_rows import fence, parse_tool_row
from ._approvals import DEFAULT_DENIAL, model_denial


class HistoryConverter(ThreadItemConverter):
    """ChatKit's converter, with assistant text as plain strings and tool rows as tool calls.

    The stock converter replays assistant turns as ``output_text`` parts, which the
    Chat-Completions converter rejects on the second turn (``UserError: Unknown content``).
    """

    async def assistant_message_to_input(self, item: AssistantMessageItem) -> Any:
        text = "".join(part.text for part in item.content)
        return {"type": "message", "role": "assistant", "content": text} if text else None

    async def to_agent_input(self, thread_items: Any) -> Any:
        # An approved client tool has a row (the approval) and a client_tool_call item (the
        # run) with the same call_id: the model sees the call once, as the client ran it.
        self._client_calls = {
            item.call_id for item in thread_items if isinstance(item, ClientToolCallItem)
        }
        return await super().to_agent_input(thread_items)

    async def tag_to_message_content(self, tag: UserMessageTagContent) -> Any:
        """What the user attached (a notebook cell, a selection) as text the model reads."""
        data = tag.data or {}
        kind, text = data.get("kind", "context"), str(data.get("text", ""))
        return {"type": "input_text", "text": f"{tag.text} ({kind}):\n{fence(text)}"}

    async def task_to_input(self, item: TaskItem) -> Any:
        row = parse_tool_row(item)
        if row is None:
            return await super().task_to_input(item)
        if row.call_id in getattr(self, "_client_calls", ()):
            return None
        if row.status in ("pending", "approval"):  # no output (yet) to pair with
            return None
        output: str | None
        if row.status == "denied":
            output = model_denial(row.name, None if row.error == DEFAULT_DENIAL else row.error)
        else:
            output = row.output if row.status == "success" else f"Error: {row.error}"
        # Arguments the model sent as malformed JSON are kept (and replayed) as the raw string.
        arguments = row.arguments_json()
        return [
            {
                "type": "function_call",
                "call_id": row.call_id,
                "name": row.name,
                "arguments": arguments,
            },
            {"type": "function_call_output", "call_id": row.call_id, "output": output or ""},
        ]

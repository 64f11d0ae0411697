"""Server-side tool calls as ChatKit ``task`` items ("tool rows").

ChatKit has no item type for a server-side function call with its arguments, result and an
error state, so each call becomes a ``TaskItem`` holding a ``CustomTask``: the title is the tool
name, ``status_indicator`` is ``loading`` while it runs, and the content is Markdown any ChatKit
client can show. Its first line is an HTML comment carrying the exact data as JSON, which this
project's front end and ``chat.messages`` read back (``js/src/ui/items/tool-row.ts`` mirrors it).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from chatkit.types import CustomTask, TaskItem

from ._display import MimeBundle

#: ``approval``: the call waits for a person's decision; ``denied``: a person refused it.
ToolStatus = Literal["pending", "success", "error", "approval", "denied"]
_MARK = "<!-- chatkit-widget:tool "
_ICONS: dict[ToolStatus, str] = {
    "pending": "bolt",
    "success": "check-circle",
    "error": "bug",
    "approval": "circle-question",
    "denied": "empty-circle",
}


@dataclass
class ToolRow:
    """One tool call as the UI and ``chat.messages`` see it."""

    call_id: str
    name: str
    arguments: Any = field(default_factory=dict)
    status: ToolStatus = "pending"
    output: str | None = None
    #: Why it failed, or, when ``denied``, the reason given.
    error: str | None = None
    #: A Jupyter mimebundle of what the tool returned, when it was a display object.
    display: MimeBundle | None = None
    #: While it waits: only this call can be approved, never the tool for the conversation.
    ask_every_time: bool = False

    def arguments_json(self) -> str:
        """The arguments as JSON text (arguments the model sent malformed stay the raw string)."""
        return self.arguments if isinstance(self.arguments, str) else json.dumps(self.arguments)

    def to_item(self, item_id: str, thread_id: str, created_at: datetime) -> TaskItem:
        """The ChatKit item for this row."""
        # Optional fields only when set: rows stay as small as before for other clients.
        fields = {k: v for k, v in self.__dict__.items() if k not in _OPTIONAL or v}
        data = json.dumps(fields, ensure_ascii=False, default=str)
        # "-->" would end the comment early; the JSON escape keeps the value identical.
        comment = _MARK + data.replace("-->", "--\\u003e") + " -->"
        task = CustomTask(
            title=self.name,
            icon=_ICONS[self.status],
            content=f"{comment}\n{self._markdown()}",
            status_indicator="loading" if self.status in ("pending", "approval") else "complete",
        )
        return TaskItem(id=item_id, thread_id=thread_id, created_at=created_at, task=task)

    def _markdown(self) -> str:
        args = json.dumps(self.arguments, ensure_ascii=False, indent=2, default=str)
        parts = [f"**{self.name}** {_LABELS[self.status]}", fence(args, "json")]
        if self.status == "success" and self.output is not None:
            parts += ["Result:", fence(self.output)]
        if self.status == "error" and self.error is not None:
            parts += ["Error:", fence(self.error)]
        if self.status == "denied" and self.error is not None:
            parts += ["Reason:", fence(self.error)]
        return "\n\n".join(parts)


_OPTIONAL = frozenset({"display", "ask_every_time"})
_LABELS: dict[ToolStatus, str] = {
    "pending": "running…",
    "success": "done",
    "error": "failed",
    "approval": "waiting for approval",
    "denied": "denied",
}


def fence(text: str, lang: str = "") -> str:
    """A Markdown code block that no backtick run inside ``text`` can close early."""
    # A fence longer than any backtick run inside keeps the block closed (CommonMark).
    ticks = "`" * max(3, _longest_backtick_run(text) + 1)
    return f"{ticks}{lang}\n{text}\n{ticks}"


def _longest_backtick_run(text: str) -> int:
    best = run = 0
    for char in text:
        run = run + 1 if char == "`" else 0
        best = max(best, run)
    return best


def parse_tool_row(item: TaskItem) -> ToolRow | None:
    """Read a tool row back from its item; ``None`` for tasks that are not tool rows."""
    content = item.task.content if isinstance(item.task, CustomTask) else None
    if not content or not content.startswith(_MARK):
        return None
    end = content.find(" -->")
    try:
        data = json.loads(content[len(_MARK) : end])
        return ToolRow(**data)
    except (ValueError, TypeError):
        return None

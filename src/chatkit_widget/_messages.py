"""ChatKit items -> the plain dicts of ``chat.messages``."""

from __future__ import annotations

import json
from itertools import pairwise
from typing import Any, TypeAlias

from chatkit.types import (
    AssistantMessageItem,
    ClientToolCallItem,
    SDKHiddenContextItem,
    StructuredInputAnswer,
    StructuredInputItem,
    TaskItem,
    ThreadItem,
    UserMessageItem,
    UserMessageTextContent,
    WidgetItem,
)

from ._chatkit_json import StreamEvent
from ._tool_rows import parse_tool_row

#: One entry of ``chat.messages`` (and of ``chat.on("message" | "tool")``): ``id``, ``role``,
#: ``text``, ``created_at``, and ``tool``, ``stopped``, ``incomplete``, ``feedback``, ``sources``
#: when they apply. A widget is ``role: "widget"``, its ``copy_text`` as ``text``, and
#: ``widget``, its ChatKit JSON. Questions (``structured_input``) are ``role: "question"``:
#: ``text`` each question with its answer, ``status`` ``pending``/``answered``/``skipped``.
#: A plain dict, not a TypedDict: users' code that annotates these as ``dict[str, Any]`` keeps
#: type-checking (a TypedDict is not assignable to ``dict``).
Message: TypeAlias = dict[str, Any]

_CANCELLED_NOTE = "The user cancelled the stream"
#: Stored (hidden) right after a remote reply whose connection dropped; the model sees it too.
INCOMPLETE_NOTE = "The connection dropped before this reply finished; it is incomplete."
#: Stored (hidden) right after a reply whose process died mid-turn (``backends._turns``).
INTERRUPTED_NOTE = "The process running this reply stopped before it finished; it is incomplete."


def is_stop_note(item: ThreadItem) -> bool:
    """ChatKit's hidden note, stored right after a reply the user stopped."""
    return isinstance(item, SDKHiddenContextItem) and _CANCELLED_NOTE in item.content


def is_incomplete_note(item: ThreadItem) -> bool:
    """The hidden note stored right after a reply cut off (by the network, or its process)."""
    return isinstance(item, SDKHiddenContextItem) and item.content in _CUT_NOTES


def is_interrupted_note(item: ThreadItem) -> bool:
    """The hidden note stored right after a reply whose process died."""
    return isinstance(item, SDKHiddenContextItem) and item.content == INTERRUPTED_NOTE


_CUT_NOTES = frozenset({INCOMPLETE_NOTE, INTERRUPTED_NOTE})


def stopped_message_ids(items: list[ThreadItem]) -> set[str]:
    """Assistant messages the user stopped."""
    return {
        item.id
        for item, following in pairwise(items)
        if isinstance(item, AssistantMessageItem) and is_stop_note(following)
    }


def to_messages(items: list[ThreadItem], feedback: dict[str, str] | None = None) -> list[Message]:
    """User, assistant and tool messages, oldest first.

    An assistant message the user stopped carries ``"stopped": True`` (ChatKit records a stop
    as a hidden note right after the partial reply); a rated one ``"feedback"``.
    """
    feedback = feedback or {}
    messages: list[Message] = []
    stopped = stopped_message_ids(items)
    incomplete = {
        item.id
        for item, following in pairwise(items)
        if isinstance(item, AssistantMessageItem) and is_incomplete_note(following)
    }
    for item in items:
        base = {"id": item.id, "created_at": item.created_at.isoformat()}
        if isinstance(item, UserMessageItem):
            text = "".join(p.text for p in item.content if isinstance(p, UserMessageTextContent))
            messages.append({**base, "role": "user", "text": text})
        elif isinstance(item, AssistantMessageItem):
            message: Message = {
                **base,
                "role": "assistant",
                "text": "".join(p.text for p in item.content),
            }
            if item.id in stopped:
                message["stopped"] = True
            if item.id in incomplete:
                message["incomplete"] = True
            if item.id in feedback:
                message["feedback"] = feedback[item.id]
            sources = _sources(item)
            if sources:
                message["sources"] = sources
            messages.append(message)
        elif isinstance(item, TaskItem) and (row := parse_tool_row(item)) is not None:
            tool = {
                "name": row.name,
                "arguments": row.arguments,
                "output": row.output if row.status == "success" else row.error,
                "status": row.status,
            }
            if row.display is not None:
                tool["display"] = row.display
            messages.append({**base, "role": "tool", "text": tool["output"] or "", "tool": tool})
        elif isinstance(item, ClientToolCallItem):
            output = item.output
            failed = isinstance(output, dict) and set(output) == {"error"}
            if isinstance(output, dict) and failed:
                output = output["error"]
            status = "pending" if item.status == "pending" else "error" if failed else "success"
            client = {
                "name": item.name,
                "arguments": item.arguments,
                "output": output,
                "status": status,
                "client": True,
            }
            text = output if isinstance(output, str) else "" if output is None else _json(output)
            messages.append({**base, "role": "tool", "text": text, "tool": client})
        elif isinstance(item, WidgetItem):
            widget = item.widget.model_dump(mode="json", exclude_none=True)
            text = item.copy_text or ""
            messages.append({**base, "role": "widget", "text": text, "widget": widget})
        elif isinstance(item, StructuredInputItem):
            lines = [f"{one.question} {_answer(one.answer)}" for one in item.inputs]
            messages.append(
                {**base, "role": "question", "text": "\n".join(lines), "status": item.status}
            )
    return messages


def _answer(answer: StructuredInputAnswer | None) -> str:
    if answer is None:
        return "(unanswered)"
    return "(skipped)" if answer.skipped else ", ".join(answer.values)


def _sources(item: AssistantMessageItem) -> list[dict[str, str]]:
    """The reply's citations, deduplicated, in order: ``{title, url}`` or ``{title, filename}``."""
    out: list[dict[str, str]] = []
    for part in item.content:
        for annotation in part.annotations:
            source = annotation.source
            where = {"url": source.url} if source.type == "url" else {}
            if source.type == "file":
                where = {"filename": source.filename}
            entry = {"title": source.title, **where}
            if entry not in out:
                out.append(entry)
    return out


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def final_text(events: list[StreamEvent]) -> str:
    """The text of the last assistant message completed in a stream."""
    for event in reversed(events):
        if event["type"] == "thread.item.done" and event["item"]["type"] == "assistant_message":
            return "".join(part.get("text", "") for part in event["item"].get("content", []))
    return ""

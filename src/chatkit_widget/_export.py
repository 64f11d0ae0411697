"""A conversation as Markdown or JSON: what ``chat.export()`` returns."""

from __future__ import annotations

import json

from ._chatkit_json import JSONObject
from ._messages import Message
from ._tool_rows import fence

_ROLE = {"user": "You", "assistant": "Assistant"}


def to_json(thread: JSONObject, messages: list[Message]) -> str:
    """The thread and its messages (tool calls included), as indented JSON."""
    return json.dumps({"thread": thread, "messages": messages}, indent=2, ensure_ascii=False)


def to_markdown(thread: JSONObject, messages: list[Message]) -> str:
    """A readable transcript: one section per message, tool calls with arguments and result."""
    parts = [f"# {thread.get('title') or 'Conversation'}"]
    for message in messages:
        if message["role"] == "tool":
            parts.append(_tool_markdown(message["tool"]))
            continue
        heading = f"**{_ROLE.get(message['role'], message['role'])}**"
        notes = [n for n in (_stopped(message), _feedback(message)) if n]
        if notes:
            heading += " (" + ", ".join(notes) + ")"
        parts.append(f"{heading}\n\n{message['text']}" + _sources_markdown(message))
    return "\n\n".join(parts) + "\n"


def _tool_markdown(tool: JSONObject) -> str:
    kind = "Client tool" if tool.get("client") else "Tool"
    arguments = json.dumps(tool.get("arguments"), indent=2, ensure_ascii=False, default=str)
    lines = [f"**{kind} `{tool['name']}`** ({tool['status']})", fence(arguments, "json")]
    output = tool.get("output")
    if output is not None:
        text = output if isinstance(output, str) else json.dumps(output, ensure_ascii=False)
        label = "Error" if tool["status"] == "error" else "Result"
        lines += [f"{label}:", fence(text)]
    display = tool.get("display") or {}
    for mime in ("image/png", "image/jpeg"):
        if mime in display:  # an inline image keeps the transcript self-contained
            lines.append(f"![{tool['name']} result](data:{mime};base64,{display[mime]})")
            break
    return "\n\n".join(lines)


def _sources_markdown(message: Message) -> str:
    sources = message.get("sources") or []
    lines = [
        f"{n}. [{s['title']}]({s['url']})" if "url" in s else f"{n}. {s['title']}"
        for n, s in enumerate(sources, 1)
    ]
    return "\n\nSources:\n\n" + "\n".join(lines) if lines else ""


def _stopped(message: Message) -> str:
    return "stopped" if message.get("stopped") else ""


def _feedback(message: Message) -> str:
    kind = message.get("feedback")
    return {"positive": "rated good", "negative": "rated bad"}.get(kind or "", "")

"""The offline demo model and the JupyterLab extension's notebook tools.

Lets every notebook tool work with no key: plain commands call them, and their results (JSON
from the browser) become short replies. A message carrying attached context (a cell, a
selection) is answered by quoting the context's first line, which shows the model received it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from ._items import text_of

Arguments = Callable[[re.Match[str]], dict[str, Any]]


def _no_arguments(_match: re.Match[str]) -> dict[str, Any]:
    return {}


def _code(match: re.Match[str]) -> dict[str, Any]:
    return {"code": match.group("code").strip("\n")}


_RUN = re.compile(r"^\s*(?:please\s+)?run the (?:active|current) cell\W*$", re.I)

COMMANDS: list[tuple[re.Pattern[str], str, Arguments]] = [
    (
        re.compile(r"^\s*(?:please\s+)?read (?:the|this|my) notebook\W*$", re.I),
        "read_notebook",
        _no_arguments,
    ),
    (
        re.compile(r"^\s*(?:please\s+)?read (?:the|my) selection\W*$", re.I),
        "read_selection",
        _no_arguments,
    ),
    (
        re.compile(r"^\s*(?:what variables are defined|list (?:the )?variables)\W*$", re.I),
        "list_variables",
        _no_arguments,
    ),
    (
        re.compile(r"^\s*(?:please\s+)?insert a cell\s*:\s*(?P<code>.+)\Z", re.I | re.S),
        "insert_cell",
        _code,
    ),
    (
        re.compile(
            r"^\s*(?:please\s+)?replace the (?:active )?cell(?: with)?\s*:\s*(?P<code>.+)\Z",
            re.I | re.S,
        ),
        "replace_cell",
        _code,
    ),
    # run_cell needs the cell's source: read the notebook first (see follow_up).
    (_RUN, "read_notebook", _no_arguments),
]

#: How ChatKit's converter introduces what the user attached (quoted text, tags).
_CONTEXT_HEADERS = ("The user is referring to this in particular:", "# User-provided context")
#: Where our converter's text of an attached tag starts: a fence (see backends/_history.py).
_FENCE = re.compile(r"\n`{3,}\n")


def notebook_command(text: str, tools: set[str]) -> tuple[str, str] | None:
    """``(tool, arguments JSON)`` for a notebook command, if the agent has that tool."""
    for pattern, tool, arguments in COMMANDS:
        match = pattern.match(text)
        if match and tool in tools:
            return tool, json.dumps(arguments(match))
    return None


def follow_up(items: list[Any], tool: str, output: str) -> tuple[str, str] | None:
    """The next tool call a notebook tool's result leads to, if any.

    "run the active cell" reads the notebook first, then asks to run the active cell with its
    source, which the person approving sees.
    """
    users = [i for i in items if isinstance(i, dict) and i.get("role") == "user"]
    if tool != "read_notebook" or not users or not _RUN.match(text_of(users[-1])):
        return None
    try:
        notebook = json.loads(output)
        index = notebook["active_cell_index"]
        source = notebook["cells"][index]["source"]
    except (ValueError, KeyError, IndexError, TypeError):
        return None
    return "run_cell", json.dumps({"code": source, "index": index})


def context_reply(items: list[Any]) -> str | None:
    """A reply quoting what the user attached to their last message, if anything."""
    attached: list[str] = []
    for item in reversed(items):
        text = text_of(item)
        if not text.startswith(_CONTEXT_HEADERS):
            break
        attached.insert(0, text)
    if not attached:
        return None
    body = "\n".join(attached)
    fenced = _FENCE.split(body, maxsplit=1)
    body = fenced[1] if len(fenced) > 1 else body.split(":", 1)[1]
    first = next((line.strip() for line in body.splitlines() if line.strip()), "")
    return f"You attached context that starts with: `{first}`" if first else None


def tool_reply(name: str, output: str) -> str | None:
    """A reply to a notebook tool's result; ``None`` for other tools."""
    try:
        result = json.loads(output)
    except ValueError:
        return None
    if not isinstance(result, dict):
        return None
    if name == "read_notebook":
        cells = result.get("cells") or []
        active = result.get("active_cell_index")
        source = (
            cells[active].get("source", "")
            if isinstance(active, int) and 0 <= active < len(cells)
            else ""
        )
        first = source.strip().splitlines()[0] if source.strip() else "(empty)"
        return (
            f"`{result.get('path', 'The notebook')}` has {len(cells)} cells; the active cell "
            f"starts with: `{first}`"
        )
    if name == "list_variables":
        variables = result.get("variables") or []
        if not variables:
            return "No variables are defined in the kernel yet."
        described = ", ".join(f"`{v.get('name')}` ({v.get('type')})" for v in variables)
        return f"Defined in the kernel: {described}."
    if name == "insert_cell":
        return "Inserted a new cell below the active cell."
    if name == "replace_cell":
        return "Replaced the cell's source."
    if name == "read_selection":
        text = str(result.get("text", ""))
        return f"You selected:\n\n```\n{text}\n```" if text else "Nothing is selected."
    if name == "run_cell":
        shown = str(result.get("outputs", "")).strip()
        return (
            f"Ran the cell. It printed:\n\n```\n{shown}\n```"
            if shown
            else "Ran the cell; it printed nothing."
        )
    return None

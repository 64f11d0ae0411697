"""Reading the model input items the offline model is given."""

from __future__ import annotations

from typing import Any


def text_of(item: Any) -> str:
    """The text of an input item (a message's string, or its parts' texts joined)."""
    content = item.get("content") if isinstance(item, dict) else None
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
    return ""

"""``notify()``: a tool tells the user something, as a ChatKit notice in the chat.

A tool running in a chat turn (in the kernel) calls ``notify("Figures are preliminary",
level="warning")``; the notice shows in the transcript once the tool returns, alongside its
row. Like ChatKit's own notices, it is part of the live turn and not stored with the thread.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Literal

from chatkit.types import NoticeEvent

Level = Literal["info", "warning", "danger"]
_LEVELS = ("info", "warning", "danger")

# The notices of the turn running in this context (openai-agents runs tools in tasks that
# copy the context of the run, so a tool sees its own turn's list).
_turn_notices: ContextVar[list[NoticeEvent] | None] = ContextVar(
    "chatkit_widget_notices", default=None
)


def notify(message: str, *, level: Level = "info", title: str | None = None) -> None:
    """Show a notice in the chat from a tool that runs during a chat turn.

    Args:
        message: Markdown text.
        level: ``"info"``, ``"warning"`` or ``"danger"``.
        title: An optional heading.

    Raises:
        RuntimeError: when no chat turn is running in this context.
        ValueError: for an unknown level or an empty message.
    """
    notices = _turn_notices.get()
    if notices is None:
        raise RuntimeError("notify() works inside a tool while a chat turn runs")
    if level not in _LEVELS:
        raise ValueError(f"level must be one of {', '.join(map(repr, _LEVELS))}, not {level!r}")
    if not isinstance(message, str) or not message.strip():
        raise ValueError("a notice needs a message")
    notices.append(NoticeEvent(level=level, message=message, title=title))


def collect_notices() -> list[NoticeEvent]:
    """Start collecting this context's notices (call before the run starts); returns the list."""
    notices: list[NoticeEvent] = []
    _turn_notices.set(notices)
    return notices


def drain(notices: list[NoticeEvent]) -> list[NoticeEvent]:
    """The notices posted since the last drain."""
    out = notices[:]
    notices.clear()
    return out

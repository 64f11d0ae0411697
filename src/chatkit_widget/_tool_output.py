"""What a tool shows in the chat besides its result: notices, widgets and questions.

A tool running in a chat turn (in the kernel) calls ``notify("Figures are preliminary",
level="warning")`` or ``show_widget(Card(...))``; what it posted shows in the transcript once
the tool returns, after its row. Notices, like ChatKit's own, are part of the live turn only;
a widget is a ChatKit ``widget`` item, stored with the thread (the model sees it next turn, and
``@chat.action`` handlers answer its buttons and forms); a question is a ChatKit
``structured_input`` item, whose answer the agent reads when the user gives it.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from chatkit.types import NoticeEvent, StructuredInputItem, WidgetItem
from chatkit.widgets import BasicRoot, Card, DynamicWidgetRoot, ListView, WidgetRoot
from pydantic import ValidationError

Level = Literal["info", "warning", "danger"]
_LEVELS = ("info", "warning", "danger")


@dataclass(frozen=True)
class ShownWidget:
    """A widget a tool showed; the running turn gives it an item id and streams it."""

    widget: WidgetRoot
    copy_text: str | None

    def item(self, item_id: str, thread_id: str) -> WidgetItem:
        """The ChatKit ``widget`` item that shows it."""
        return WidgetItem(
            id=item_id,
            thread_id=thread_id,
            created_at=datetime.now(),
            widget=self.widget,
            copy_text=self.copy_text,
        )


@dataclass(frozen=True)
class AskedQuestion:
    """A question a tool asked; the running turn gives it an item id and streams it."""

    question: str
    options: tuple[str, ...] | None
    multiple: bool
    description: str | None

    def item(self, item_id: str, thread_id: str) -> StructuredInputItem:
        """The ChatKit ``structured_input`` item that asks it (one input, ``"answer"``)."""
        one: dict[str, Any] = {"id": "answer", "question": self.question}
        if self.options is None:
            one |= {"type": "freeform", "description": self.description}
        else:
            options = [{"value": option} for option in self.options]
            one |= {"type": "multiple_choice", "options": options, "multiple": self.multiple}
        return StructuredInputItem.model_validate(
            {"id": item_id, "thread_id": thread_id, "created_at": datetime.now(), "inputs": [one]}
        )


Posted = NoticeEvent | ShownWidget | AskedQuestion

# What the turn running in this context posted (openai-agents runs tools in tasks that copy the
# context of the run, so a tool sees its own turn's list).
_turn_posts: ContextVar[list[Posted] | None] = ContextVar("chatkit_widget_posts", default=None)


def _posts(what: str) -> list[Posted]:
    posts = _turn_posts.get()
    if posts is None:
        raise RuntimeError(f"{what}() works inside a tool while a chat turn runs")
    return posts


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
    posts = _posts("notify")
    if level not in _LEVELS:
        raise ValueError(f"level must be one of {', '.join(map(repr, _LEVELS))}, not {level!r}")
    if not isinstance(message, str) or not message.strip():
        raise ValueError("a notice needs a message")
    posts.append(NoticeEvent(level=level, message=message, title=title))


def show_widget(widget: WidgetRoot | dict[str, Any], *, copy_text: str | None = None) -> None:
    """Show a ChatKit widget (a card, a list, a form...) in the chat from a tool.

    Its buttons and forms send their actions to the chat's ``@chat.action`` handlers.

    Args:
        widget: ChatKit widget JSON (a dict whose ``type`` is ``"Card"``, ``"ListView"`` or
            ``"Basic"``), what ``chatkit.widgets.WidgetTemplate.build`` returns, or a root
            of ``chatkit.widgets`` (``Card(...)``).
        copy_text: What Copy copies and ``chat.messages`` shows for it.

    Raises:
        RuntimeError: when no chat turn is running in this context.
        ValueError: for a dict that is not a widget root.
        TypeError: for anything else that is not a widget root.

    Example:
        ```python
        @function_tool
        def offer(item: str) -> str:
            show_widget({"type": "Card", "children": [
                {"type": "Text", "value": item},
                {"type": "Button", "label": "Buy",
                 "onClickAction": {"type": "shop.buy", "payload": {"item": item}}},
            ]})
            return "Shown to the user."
        ```
    """
    posts = _posts("show_widget")
    posts.append(ShownWidget(as_widget_root(widget, "show_widget()"), copy_text))


def ask_user(
    question: str,
    options: Sequence[str] | None = None,
    *,
    multiple: bool = False,
    description: str | None = None,
) -> None:
    """Ask the user a question in the chat from a tool: options to pick, or free text.

    The question shows after the tool's row with Submit and Skip (a multiple-choice one also
    takes an answer of the user's own). The turn goes on and ends as usual; when the user
    answers, the agent runs again and reads the answer in its history, so the tool should
    tell the model that the question is asked (and not wait for it).

    Args:
        question: What to ask.
        options: The choices (suggestions: the user may type another); ``None`` asks for free
            text.
        multiple: Several options may be picked.
        description: A hint under a free-text question.

    Raises:
        RuntimeError: when no chat turn is running in this context.
        ValueError: an empty question or option, or options that repeat.
    """
    if not isinstance(question, str) or not question.strip():
        raise ValueError("ask_user() needs a question")
    choices = None if options is None else tuple(options)
    if choices is not None:
        if not choices or not all(isinstance(c, str) and c.strip() for c in choices):
            raise ValueError("ask_user() options must be non-empty strings")
        if len(set(choices)) != len(choices):
            raise ValueError("ask_user() options must differ from each other")
    _posts("ask_user").append(AskedQuestion(question, choices, multiple, description))


def as_widget_root(widget: object, where: str) -> WidgetRoot:
    """``widget`` as a ChatKit widget root, or a clear error saying what ``where`` takes."""
    if isinstance(widget, Card | ListView | BasicRoot | DynamicWidgetRoot):
        return widget
    if isinstance(widget, dict):
        try:
            return DynamicWidgetRoot.model_validate(widget)
        except ValidationError as exc:
            raise ValueError(
                f"{where} needs ChatKit widget JSON whose type is Card, ListView or Basic: "
                f"{exc.errors()[0]['msg']} at {'.'.join(map(str, exc.errors()[0]['loc']))}"
            ) from None
    raise TypeError(
        f"{where} takes ChatKit widget JSON (a dict) or a chatkit.widgets root (Card, "
        f"ListView, BasicRoot), not {type(widget).__name__}"
    )


def collect_posts() -> list[Posted]:
    """Start collecting this context's posts (call before the run starts); returns the list."""
    posts: list[Posted] = []
    _turn_posts.set(posts)
    return posts


def drain(posts: list[Posted]) -> list[Posted]:
    """What was posted since the last drain."""
    out = posts[:]
    posts.clear()
    return out

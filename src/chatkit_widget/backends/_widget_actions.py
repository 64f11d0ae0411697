"""Python handlers for widget actions: ``@chat.action("order.confirm")`` in a notebook.

A widget a tool showed (``show_widget``) sends ChatKit's ``threads.custom_action`` when its
button is pressed or its form submitted; the in-process server looks the action's type up here
and runs the handler in the kernel. The handler's answer streams into the same turn.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from chatkit.errors import CustomStreamError
from chatkit.store import Store
from chatkit.types import (
    AssistantMessageContent,
    AssistantMessageItem,
    HiddenContextItem,
    ThreadItemDoneEvent,
    ThreadItemReplacedEvent,
    ThreadMetadata,
    ThreadStreamEvent,
    WidgetItem,
)
from chatkit.widgets import WidgetRoot

from .._tool_output import as_widget_root

#: Action types this package uses itself (edits, approvals, versions).
RESERVED_PREFIX = "chatkit_widget."


@dataclass
class WidgetAction:
    """A widget's action as an ``@chat.action`` handler receives it.

    Attributes:
        type: The action's type (``"order.confirm"``).
        payload: Its payload, with a form's field values merged in by name.
        item_id: The widget item that sent it (``None`` for an action sent from elsewhere).
        widget: That widget as it is now, or ``None``.
        thread_id: The conversation.
    """

    type: str
    payload: Any
    item_id: str | None
    widget: WidgetRoot | None
    thread_id: str
    _note: str | None = field(default=None, repr=False)

    def ask_agent(self, note: str) -> None:
        """Have the agent reply once the handler returns, told ``note`` (what the user did).

        The note joins the conversation as hidden context: the model reads it, the user does
        not see it.
        """
        if not isinstance(note, str) or not note.strip():
            raise ValueError("ask_agent() needs a note for the agent")
        self._note = note

    @property
    def asked_agent(self) -> bool:
        """Whether the handler called ``ask_agent``."""
        return self._note is not None


#: What a handler may return: a widget (or its JSON) replaces the one that sent the action,
#: text is posted as a reply, ``None`` changes nothing in the chat.
HandlerResult = WidgetRoot | dict[str, Any] | str | None
ActionHandler = Callable[[WidgetAction], HandlerResult | Awaitable[HandlerResult]]


def check_action_type(action_type: object) -> str:
    """The action type a handler is registered for, or a clear error."""
    if not isinstance(action_type, str) or not action_type.strip():
        raise ValueError("an action handler needs the action's type, e.g. 'order.confirm'")
    if action_type.startswith(RESERVED_PREFIX):
        raise ValueError(f"action types starting with {RESERVED_PREFIX!r} are this package's own")
    return action_type


async def run_handler(
    handler: ActionHandler,
    action: WidgetAction,
    sender: WidgetItem | None,
    thread: ThreadMetadata,
    store: Store[Any],
    context: Any,
) -> AsyncIterator[ThreadStreamEvent]:
    """Run ``handler`` and stream what it answered; a note for the agent comes last.

    Raises:
        CustomStreamError: the handler failed or returned something else than its contract.
    """
    try:
        result = handler(action)
        if inspect.isawaitable(result):
            result = await result
    except Exception as exc:
        raise CustomStreamError(
            f"The action handler for {action.type!r} failed: {type(exc).__name__}: {exc}",
            allow_retry=False,
        ) from exc
    if isinstance(result, str):
        if result.strip():
            yield ThreadItemDoneEvent(item=_reply(result, thread, store, context))
    elif result is not None:
        widget = _widget_of(result, action.type)
        if sender is None:
            raise CustomStreamError(
                f"The handler for {action.type!r} returned a widget, but no widget sent it.",
                allow_retry=False,
            )
        yield ThreadItemReplacedEvent(item=sender.model_copy(update={"widget": widget}))
    if action._note is not None:
        hidden = HiddenContextItem(
            id=store.generate_item_id("message", thread, context),
            thread_id=thread.id,
            created_at=datetime.now(),
            content=action._note,
        )
        yield ThreadItemDoneEvent(item=hidden)  # stored, never sent to the client


def _widget_of(result: object, action_type: str) -> WidgetRoot:
    """What a handler returned, other than text or None, as the widget replacing its sender."""
    try:
        return as_widget_root(result, f"The handler for {action_type!r}'s widget")
    except ValueError as exc:
        raise CustomStreamError(str(exc), allow_retry=False) from None
    except TypeError:
        raise CustomStreamError(
            f"The handler for {action_type!r} returned a {type(result).__name__}; "
            "it may return a widget or widget JSON (replacing the one that sent the action), "
            "text, or None.",
            allow_retry=False,
        ) from None


def _reply(
    text: str, thread: ThreadMetadata, store: Store[Any], context: Any
) -> AssistantMessageItem:
    return AssistantMessageItem(
        id=store.generate_item_id("message", thread, context),
        thread_id=thread.id,
        created_at=datetime.now(),
        content=[AssistantMessageContent(text=text)],
    )

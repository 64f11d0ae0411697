"""Widgets from the notebook: a tool shows one (``show_widget``), its actions reach Python
handlers (``@chat.action``), whose answer streams into the same turn; real Runner, real store."""

from __future__ import annotations

import json
from typing import Any

import pytest
from agents import Agent, function_tool
from chatkit.actions import ActionConfig
from chatkit.widgets import Button, Card, Form, Input, Text, Title

from chatkit_widget import (
    ChatError,
    ChatKitBackend,
    ChatWidget,
    OfflineDemoModel,
    WidgetAction,
    ask_user,
    show_widget,
)
from chatkit_widget.backends._history import HistoryConverter

from .conftest import FrontEnd


@function_tool
def offer_order(order_id: str) -> str:
    """Show the order for confirmation."""
    show_widget(
        Card(
            children=[
                Title(value=f"Order {order_id}"),
                Form(
                    onSubmitAction=ActionConfig(type="order.confirm", payload={"id": order_id}),
                    children=[Input(name="note"), Button(label="Confirm", submit=True)],
                ),
            ]
        ),
        copy_text=f"Order {order_id}: confirm?",
    )
    return "Shown to the user."


def order_chat() -> ChatWidget:
    agent = Agent(name="shop", model=OfflineDemoModel(delay=0), tools=[offer_order])
    return ChatWidget(agent=agent, store=":memory:")


async def shown_widget(front_end: FrontEnd) -> dict[str, Any]:
    assert (
        await front_end.chat.ask('use tool offer_order with {"order_id": "42"}')
        == "Shown to the user."
    )
    widgets = [m for m in front_end.chat.messages if m["role"] == "widget"]
    assert len(widgets) == 1
    return widgets[0]


async def act(front_end: FrontEnd, item_id: str, action: dict[str, Any]) -> list[dict[str, Any]]:
    rid = front_end.request(
        "threads.custom_action", thread_id=front_end.chat.thread_id, item_id=item_id, action=action
    )
    assert (await front_end.until(rid, "end"))["reason"] in ("done", "error")
    return front_end.events(rid)


async def test_a_tool_shows_a_widget_after_its_row_and_it_is_kept_with_the_thread() -> None:
    chat = order_chat()
    front_end = FrontEnd(chat)
    widget = await shown_widget(front_end)
    assert widget["text"] == "Order 42: confirm?"
    assert widget["widget"]["type"] == "Card"
    assert widget["widget"]["children"][0] == {"type": "Title", "value": "Order 42"}
    events = [e for m in front_end.received if m["kind"] == "event" for e in m["events"]]
    done = [e["item"] for e in events if e["type"] == "thread.item.done"]
    kinds = [item["type"] for item in done]
    assert kinds.index("widget") == kinds.index("task") + 1  # right after the tool's row
    # The model saw it was shown: the next turn's history holds the widget.
    stored = await chat._backend.store.load_all_items(chat.thread_id, {})  # type: ignore[attr-defined]
    assert [item.type for item in stored].count("widget") == 1
    with pytest.raises(RuntimeError, match="inside a tool while a chat turn runs"):
        show_widget(Card(children=[]))
    chat.close()


async def test_a_form_action_reaches_its_handler_which_replaces_the_widget_in_place() -> None:
    chat = order_chat()
    front_end = FrontEnd(chat)
    seen: list[WidgetAction] = []

    @chat.action("order.confirm")
    def confirm(action: WidgetAction) -> Card:
        seen.append(action)
        return Card(children=[Text(value=f"Order {action.payload['id']} placed")])

    widget = await shown_widget(front_end)
    payload = {"id": "42", "note": "leave at the door"}  # the form's values, merged in
    events = await act(front_end, widget["id"], {"type": "order.confirm", "payload": payload})
    assert [(a.type, a.payload, a.item_id) for a in seen] == [
        ("order.confirm", payload, widget["id"])
    ]
    assert seen[0].widget is not None and seen[0].widget.type == "Card"
    replaced = [e["item"] for e in events if e["type"] == "thread.item.replaced"]
    assert [item["id"] for item in replaced] == [widget["id"]]
    assert replaced[0]["widget"]["children"] == [{"type": "Text", "value": "Order 42 placed"}]
    # Stored replaced: a reload shows the new widget, once.
    widgets = [m for m in chat.messages if m["role"] == "widget"]
    assert [w["widget"]["children"][0]["value"] for w in widgets] == ["Order 42 placed"]
    chat.close()


async def test_a_handler_can_reply_and_ask_the_agent_to_go_on() -> None:
    chat = order_chat()
    front_end = FrontEnd(chat)

    @chat.action("order.confirm")
    async def confirm(action: WidgetAction) -> str:
        action.ask_agent("The user confirmed order 42.")
        return "Placing your order."

    widget = await shown_widget(front_end)
    events = await act(front_end, widget["id"], {"type": "order.confirm", "payload": {"id": "42"}})
    replies = [
        e["item"]["content"][0]["text"]
        for e in events
        if e["type"] == "thread.item.done" and e["item"]["type"] == "assistant_message"
    ]
    assert replies[0] == "Placing your order."
    assert len(replies) == 2  # then the agent's own reply, having read the note
    assert all(e["item"]["type"] != "hidden_context_item" for e in events if "item" in e)
    stored = await chat._backend.store.load_all_items(chat.thread_id, {})  # type: ignore[attr-defined]
    notes = [item.content for item in stored if item.type == "hidden_context_item"]
    assert notes == ["The user confirmed order 42."]
    chat.close()


async def test_a_failing_or_missing_handler_is_a_clear_error_in_the_chat() -> None:
    chat = order_chat()
    front_end = FrontEnd(chat)
    widget = await shown_widget(front_end)
    events = await act(front_end, widget["id"], {"type": "order.confirm", "payload": {}})
    errors = [e for e in events if e["type"] == "error"]
    assert "@chat.action('order.confirm')" in errors[0]["message"]

    @chat.action("order.confirm")
    def confirm(action: WidgetAction) -> None:
        raise KeyError("id")

    events = await act(front_end, widget["id"], {"type": "order.confirm", "payload": {}})
    errors = [e for e in events if e["type"] == "error"]
    assert "order.confirm" in errors[0]["message"] and "KeyError" in errors[0]["message"]
    # Nothing the user saw is lost: the widget is still there, unchanged.
    assert [m["text"] for m in chat.messages if m["role"] == "widget"] == ["Order 42: confirm?"]
    chat.close()


def test_registering_handlers_checks_what_it_is_given() -> None:
    chat = ChatWidget(store=":memory:")
    with pytest.raises(ValueError, match="this package's own"):
        chat.action("chatkit_widget.edit")
    with pytest.raises(ValueError, match="needs the action's type"):
        chat.action("")
    chat.close()
    remote = ChatWidget(backend=ChatKitBackend("http://127.0.0.1:9/chatkit"))
    with pytest.raises(TypeError, match="in-process agent backend"):
        remote.action("order.confirm")(lambda action: None)
    remote.close()


async def test_send_action_presses_a_widget_from_python() -> None:
    chat = order_chat()
    front_end = FrontEnd(chat)

    @chat.action("order.confirm")
    def confirm(action: WidgetAction) -> str:
        return f"Order {action.payload['id']} placed ({action.item_id})."

    widget = await shown_widget(front_end)
    reply = await chat.send_action("order.confirm", {"id": "42"}, item_id=widget["id"])
    assert reply == f"Order 42 placed ({widget['id']})."
    assert chat.messages[-1]["text"] == reply
    with pytest.raises(ChatError, match=r"order\.cancel"):
        await chat.send_action("order.cancel")
    chat.close()
    with pytest.raises(ValueError, match="no conversation is open"):
        ChatWidget(store=":memory:").send_action("order.confirm")


async def test_widgets_as_chatkit_json_and_bad_widgets_get_clear_errors() -> None:
    shown: list[str] = []

    @function_tool
    def card(kind: str) -> str:
        """Show a card built from JSON."""
        widget: dict[str, Any] = {"type": "Card", "children": [{"type": "Text", "value": kind}]}
        if kind == "bad":
            widget = {"type": "Text", "value": "not a root"}
        try:
            show_widget(widget if kind != "object" else object())  # type: ignore[arg-type]
        except (TypeError, ValueError) as exc:
            shown.append(str(exc))
            return "refused"
        return "shown"

    chat = ChatWidget(agent=Agent(name="a", model=OfflineDemoModel(delay=0), tools=[card]))
    assert await chat.ask('use tool card with {"kind": "json"}') == "shown"
    widget = next(m for m in chat.messages if m["role"] == "widget")
    assert widget["widget"] == {"type": "Card", "children": [{"type": "Text", "value": "json"}]}
    assert await chat.ask('use tool card with {"kind": "bad"}') == "refused"
    assert await chat.ask('use tool card with {"kind": "object"}') == "refused"
    assert "type is Card, ListView or Basic" in shown[0]
    assert "not object" in shown[1]

    @chat.action("card.swap")
    def swap(action: WidgetAction) -> dict[str, Any]:
        return {"type": "Card", "children": [{"type": "Text", "value": "swapped"}]}

    await chat.send_action("card.swap", item_id=widget["id"])
    widget = next(m for m in chat.messages if m["role"] == "widget")
    assert widget["widget"]["children"][0]["value"] == "swapped"
    chat.close()


async def test_a_tool_asks_a_question_and_the_agent_reads_the_answer() -> None:
    @function_tool
    def ask_size() -> str:
        """Ask which size the user wants."""
        ask_user("Which size?", ["Small", "Large"])
        return "Asked the user; their answer comes in the next turn."

    chat = ChatWidget(agent=Agent(name="a", model=OfflineDemoModel(delay=0), tools=[ask_size]))
    front_end = FrontEnd(chat)
    await chat.ask("use tool ask_size")
    question = next(m for m in chat.messages if m["role"] == "question")
    assert question["text"] == "Which size? (unanswered)"
    assert question["status"] == "pending"
    answers = {"answer": {"values": ["Large"], "skipped": False}}
    rid = front_end.request(
        "threads.add_structured_input",
        thread_id=chat.thread_id,
        item_id=question["id"],
        input={"status": "answered", "answers": answers},
    )
    assert (await front_end.until(rid, "end"))["reason"] == "done"
    events = front_end.events(rid)
    replaced = [e["item"] for e in events if e["type"] == "thread.item.replaced"]
    assert replaced[0]["status"] == "answered"
    replies = [
        e
        for e in events
        if e["type"] == "thread.item.done" and e["item"]["type"] == "assistant_message"
    ]
    assert len(replies) == 1  # the agent ran again
    answered = next(m for m in chat.messages if m["role"] == "question")
    assert (answered["text"], answered["status"]) == ("Which size? Large", "answered")
    # What the model read on that run: the question and its answer.
    store = chat._backend.store  # type: ignore[attr-defined]
    history = await HistoryConverter().to_agent_input(
        await store.load_all_items(chat.thread_id, {})
    )
    assert "Which size?: Large" in json.dumps(history)
    with pytest.raises(ValueError, match="differ"):
        ask_user("Again?", ["a", "a"])  # checked before the turn is: a clear error either way
    chat.close()


def test_ask_user_outside_a_turn_is_a_clear_error() -> None:
    with pytest.raises(RuntimeError, match="inside a tool while a chat turn runs"):
        ask_user("Which size?")

"""Edit-and-resend, feedback, rich tool results and the start-screen/theme options."""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
import pandas as pd
import pytest
import traitlets
from agents import Agent, function_tool

from chatkit_widget import ChatError, ChatWidget, OfflineDemoModel

from .conftest import FrontEnd


def edit_request(front_end: FrontEnd, item_id: str, text: str) -> str:
    return front_end.request(
        "threads.custom_action",
        thread_id=front_end.chat.thread_id,
        item_id=None,
        action={"type": "chatkit_widget.edit", "payload": {"item_id": item_id, "text": text}},
    )


async def test_edit_continues_the_thread_from_the_edited_message(front_end: FrontEnd) -> None:
    chat = front_end.chat
    await chat.ask("count to 3")
    await chat.ask("echo: second")
    await chat.ask("echo: third")
    second = [m for m in chat.messages if m["role"] == "user"][1]
    later = [m["id"] for m in chat.messages if m["created_at"] > second["created_at"]]

    rid = edit_request(front_end, second["id"], "echo: edited")
    assert (await front_end.until(rid, "end"))["reason"] == "done"

    events = front_end.events(rid)
    removed = [e["item_id"] for e in events if e["type"] == "thread.item.removed"]
    assert sorted(removed) == sorted(later)
    replaced = next(e["item"] for e in events if e["type"] == "thread.item.replaced")
    assert replaced["id"] == second["id"]
    assert replaced["content"][0]["text"] == "echo: edited"
    assert [(m["role"], m["text"]) for m in chat.messages] == [
        ("user", "count to 3"),
        ("assistant", "1 2 3"),
        ("user", "echo: edited"),
        ("assistant", "edited"),
    ]
    assert chat.messages[2]["id"] == second["id"]


async def test_edit_of_an_assistant_message_is_refused(front_end: FrontEnd) -> None:
    chat = front_end.chat
    await chat.ask("count to 2")
    reply = chat.messages[-1]
    rid = edit_request(front_end, reply["id"], "hijack")
    await front_end.until(rid, "end")
    errors = [e for e in front_end.events(rid) if e["type"] == "error"]
    assert errors and "Only a message you sent" in errors[0]["message"]
    assert [m["text"] for m in chat.messages] == ["count to 2", "1 2"]


async def test_feedback_is_stored_and_shown_on_reload(front_end: FrontEnd) -> None:
    chat = front_end.chat
    await chat.ask("count to 2")
    await chat.ask("count to 3")
    first, second = [m["id"] for m in chat.messages if m["role"] == "assistant"]
    rid = front_end.request(
        "items.feedback", thread_id=chat.thread_id, item_ids=[first], kind="positive"
    )
    await front_end.until(rid, "response")
    rid = front_end.request(
        "items.feedback", thread_id=chat.thread_id, item_ids=[second], kind="negative"
    )
    await front_end.until(rid, "response")
    # changing one's mind overwrites
    rid = front_end.request(
        "items.feedback", thread_id=chat.thread_id, item_ids=[first], kind="negative"
    )
    await front_end.until(rid, "response")

    feedback = {m["id"]: m.get("feedback") for m in chat.messages if m["role"] == "assistant"}
    assert feedback == {first: "negative", second: "negative"}
    rid = front_end.request("items.list", thread_id=chat.thread_id, order="asc", limit=50)
    page = (await front_end.until(rid, "response"))["result"]
    shown = {i["id"]: i.get("feedback") for i in page["data"] if i["type"] == "assistant_message"}
    assert shown == {first: "negative", second: "negative"}


async def test_feedback_goes_with_a_retried_reply(front_end: FrontEnd) -> None:
    chat = front_end.chat
    await chat.ask("count to 2")
    user, reply = chat.messages
    rid = front_end.request(
        "items.feedback", thread_id=chat.thread_id, item_ids=[reply["id"]], kind="negative"
    )
    await front_end.until(rid, "response")
    assert chat.messages[1]["feedback"] == "negative"
    rid = front_end.request(
        "threads.retry_after_item", thread_id=chat.thread_id, item_id=user["id"]
    )
    await front_end.until(rid, "end")
    assert [m.get("feedback") for m in chat.messages] == [None, None]
    assert chat.thread_id is not None
    assert chat._backend.feedback_sync(chat.thread_id) == {}  # gone with its item


@function_tool
def sales_table() -> pd.DataFrame:
    """Sales by region."""
    return pd.DataFrame({"region": ["north", "south"], "sales": [120, 80]})


@function_tool
def sales_chart() -> Any:
    """A bar chart of sales."""
    fig, ax = plt.subplots()
    ax.bar(["north", "south"], [120, 80])
    return fig


async def test_tools_returning_display_objects_carry_a_mimebundle() -> None:
    agent = Agent(name="a", model=OfflineDemoModel(delay=0), tools=[sales_table, sales_chart])
    chat = ChatWidget(agent=agent, store=":memory:")
    await chat.ask("use tool sales_table")
    await chat.ask("use tool sales_chart")
    table, chart = [m["tool"] for m in chat.messages if m["role"] == "tool"]
    assert "<table" in table["display"]["text/html"] and "north" in table["display"]["text/html"]
    # the model got the text form
    assert "north" in table["output"] and "<table" not in table["output"]
    png = chart["display"]["image/png"]
    assert png.startswith("iVBORw0KGgo")  # base64 of the PNG signature
    assert chart["output"].startswith("Figure(")
    assert plt.get_fignums() == []  # the chat took the figure: it will not pop up in a cell
    chat.close()


class BrokenFigure:
    """Looks like a matplotlib figure; cannot draw itself."""

    canvas = None

    def savefig(self, *_args: Any, **_kwargs: Any) -> None:
        raise RuntimeError("no renderer")

    def __str__(self) -> str:
        return "BrokenFigure()"


@function_tool
def broken_chart() -> Any:
    """A chart that cannot be drawn."""
    return BrokenFigure()


async def test_a_figure_that_cannot_draw_still_succeeds_as_text() -> None:
    chat = ChatWidget(agent=Agent(name="a", model=OfflineDemoModel(delay=0), tools=[broken_chart]))
    assert await chat.ask("use tool broken_chart") == "BrokenFigure()"
    tool = next(m["tool"] for m in chat.messages if m["role"] == "tool")
    assert tool["status"] == "success" and "display" not in tool
    chat.close()


async def test_plain_tool_results_have_no_bundle(front_end: FrontEnd) -> None:
    await front_end.chat.ask("add a task: buy milk")
    tool = next(m["tool"] for m in front_end.chat.messages if m["role"] == "tool")
    assert "display" not in tool


def test_theme_dict_is_normalised_and_validated() -> None:
    chat = ChatWidget(
        store=":memory:",
        theme={
            "colorScheme": "dark",
            "radius": "pill",
            "typography": {"baseSize": 15, "fontFamily": "Inter, sans-serif"},
            "color": {"accent": {"primary": "#0a7"}, "surface": {"background": "#111"}},
            "message_bubble_user": "#223",
        },
    )
    assert chat.theme == {
        "color_scheme": "dark",
        "radius": "pill",
        "base_size": 15,
        "font_family": "Inter, sans-serif",
        "accent": "#0a7",
        "background": "#111",
        "user_bubble": "#223",
    }
    chat.theme = "light"
    assert chat.theme == "light"
    with pytest.raises(traitlets.TraitError, match="unknown theme option 'shadow'"):
        chat.theme = {"shadow": "big"}
    with pytest.raises(traitlets.TraitError, match="CSS colour"):
        chat.theme = {"primary": "red; background: url(x)"}
    assert chat.theme == "light"  # a refused value changes nothing
    with pytest.raises(ValueError, match="density must be one of"):
        ChatWidget(store=":memory:", theme={"density": "tight"})
    chat.close()


def test_greeting_and_prompts() -> None:
    chat = ChatWidget(
        store=":memory:",
        greeting="What shall we plan?",
        prompts=["list tasks", {"label": "Count", "prompt": "count to 5"}],
    )
    assert chat.greeting == "What shall we plan?"
    assert chat.prompts == [
        {"label": "list tasks", "prompt": "list tasks"},
        {"label": "Count", "prompt": "count to 5"},
    ]
    with pytest.raises(TypeError, match="starter prompt"):
        ChatWidget(store=":memory:", prompts=[3])
    assert chat.features == ["edit", "feedback", "notebooks"]
    chat.close()


async def test_renames_and_ratings_are_announced_to_every_view(front_end: FrontEnd) -> None:
    chat = front_end.chat
    threads: list[dict[str, Any]] = []
    chat.on("thread", threads.append)
    await chat.ask("count to 2")
    reply_id = chat.messages[-1]["id"]

    rid = front_end.request(
        "items.feedback", thread_id=chat.thread_id, item_ids=[reply_id], kind="positive"
    )
    await front_end.until(rid, "changed")
    (event,) = front_end.for_id(rid)[-1]["events"]
    assert event["type"] == "thread.item.replaced"
    assert event["item"]["id"] == reply_id and event["item"]["feedback"] == "positive"

    rid = front_end.request("threads.update", thread_id=chat.thread_id, title="Counting")
    changed = await front_end.until(rid, "changed")
    assert [(e["type"], e["thread"]["title"]) for e in changed["events"]] == [
        ("thread.updated", "Counting")
    ]
    # the rename reaches Python callbacks too, whichever view made it
    assert threads[-1] == {"id": chat.thread_id, "title": "Counting", "reason": "updated"}
    assert chat.threads()[0]["title"] == "Counting"


async def test_a_locked_thread_takes_no_new_messages_until_reopened(front_end: FrontEnd) -> None:
    chat = front_end.chat
    await chat.ask("count to 2")
    chat.set_thread_status("locked", reason="Archived by the team")
    changed = [m for m in front_end.received if m["kind"] == "changed"][-1]
    (event,) = changed["events"]
    assert event["type"] == "thread.updated"
    assert event["thread"]["status"] == {"type": "locked", "reason": "Archived by the team"}

    with pytest.raises(ChatError, match="This conversation is locked: Archived by the team"):
        await chat.ask("count to 3")
    assert [m["text"] for m in chat.messages] == ["count to 2", "1 2"]  # nothing was added
    # the status persists (a reload shows it)
    rid = front_end.request("threads.get_by_id", thread_id=chat.thread_id)
    assert (await front_end.until(rid, "response"))["result"]["status"]["type"] == "locked"

    chat.set_thread_status("active")
    assert await chat.ask("count to 3") == "1 2 3"
    with pytest.raises(ValueError, match="status must be"):
        chat.set_thread_status("frozen")

"""Edit keeps the earlier version: each version of an edited message, and what followed it,
can be shown again (``< 1/2 >``), reloaded, and is what the store (and so the model) holds."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from chatkit_widget.backends._in_process import InProcessBackend
from chatkit_widget.backends._versions import VERSIONS

from .conftest import FrontEnd


def custom_action(front_end: FrontEnd, action: str, payload: dict[str, Any]) -> str:
    return front_end.request(
        "threads.custom_action",
        thread_id=front_end.chat.thread_id,
        item_id=None,
        action={"type": action, "payload": payload},
    )


async def run(front_end: FrontEnd, action: str, **payload: Any) -> list[dict[str, Any]]:
    rid = custom_action(front_end, f"chatkit_widget.{action}", payload)
    assert (await front_end.until(rid, "end"))["reason"] in ("done", "error")
    return front_end.events(rid)


def shown(front_end: FrontEnd) -> list[str]:
    return [m["text"] for m in front_end.chat.messages]


def user_item(events: list[dict[str, Any]], item_id: str) -> dict[str, Any]:
    return next(
        e["item"]
        for e in events
        if e["type"] == "thread.item.replaced" and e["item"]["id"] == item_id
    )


async def loaded_versions(front_end: FrontEnd) -> dict[str, Any]:
    """Each user message's ``versions`` as a reloaded view gets them (items.list)."""
    rid = front_end.request("items.list", thread_id=front_end.chat.thread_id, limit=50, order="asc")
    page = (await front_end.until(rid, "response"))["result"]
    return {
        item["content"][0]["text"]: item.get("versions")
        for item in page["data"]
        if item["type"] == "user_message"
    }


async def test_an_edit_keeps_the_earlier_version_and_either_can_be_shown(
    front_end: FrontEnd,
) -> None:
    chat = front_end.chat
    for text in ("echo: first", "echo: second", "echo: third"):
        await chat.ask(text)
    second = chat.messages[2]["id"]

    events = await run(front_end, "edit", item_id=second, text="echo: edited")
    assert user_item(events, second)["versions"] == {"index": 1, "count": 2}
    assert shown(front_end) == ["echo: first", "first", "echo: edited", "edited"]
    assert await loaded_versions(front_end) == {
        "echo: first": None,
        "echo: edited": {"index": 1, "count": 2},
    }

    # Back to version 1: the earlier question and everything that followed it return.
    events = await run(front_end, "version", item_id=second, index=0)
    removed = [e["item_id"] for e in events if e["type"] == "thread.item.removed"]
    assert len(removed) == 2 and second in removed
    assert user_item(events, second)["versions"] == {"index": 0, "count": 2}
    assert shown(front_end) == [
        "echo: first",
        "first",
        "echo: second",
        "second",
        "echo: third",
        "third",
    ]
    assert (await loaded_versions(front_end))["echo: second"] == {"index": 0, "count": 2}

    # And to version 2 again; a new turn continues whichever version is shown.
    await run(front_end, "version", item_id=second, index=1)
    assert shown(front_end) == ["echo: first", "first", "echo: edited", "edited"]
    await chat.ask("echo: fourth")
    assert shown(front_end)[-2:] == ["echo: fourth", "fourth"]


async def test_a_second_edit_adds_a_third_version_and_inner_edits_come_back_with_theirs(
    front_end: FrontEnd,
) -> None:
    chat = front_end.chat
    await chat.ask("echo: a")
    await chat.ask("echo: b")
    first, second = chat.messages[0]["id"], chat.messages[2]["id"]
    await run(front_end, "edit", item_id=second, text="echo: b2")  # b has 2 versions
    await run(front_end, "edit", item_id=first, text="echo: a2")  # a has 2; b's go with a1
    assert shown(front_end) == ["echo: a2", "a2"]
    events = await run(front_end, "edit", item_id=first, text="echo: a3")
    assert user_item(events, first)["versions"] == {"index": 2, "count": 3}

    await run(front_end, "version", item_id=first, index=0)
    assert shown(front_end) == ["echo: a", "a", "echo: b2", "b2"]
    assert await loaded_versions(front_end) == {
        "echo: a": {"index": 0, "count": 3},
        "echo: b2": {"index": 1, "count": 2},
    }
    await run(front_end, "version", item_id=second, index=0)
    assert shown(front_end) == ["echo: a", "a", "echo: b", "b"]


async def test_a_version_that_does_not_exist_is_a_clear_error(front_end: FrontEnd) -> None:
    chat = front_end.chat
    await chat.ask("echo: only")
    events = await run(front_end, "version", item_id=chat.messages[0]["id"], index=1)
    errors = [e["message"] for e in events if e["type"] == "error"]
    assert errors == ["This message has no version 2 to show."]
    assert shown(front_end) == ["echo: only", "only"]


async def test_a_stopped_reply_shown_again_still_says_it_was_stopped(front_end: FrontEnd) -> None:
    rid = front_end.request("threads.create", input=front_end.message("count to 400"))
    while sum(e["type"] == "thread.item.updated" for e in front_end.events(rid)) < 5:
        await asyncio.sleep(0.01)
    front_end.send({"kind": "cancel", "id": rid})
    assert (await front_end.until(rid, "end"))["reason"] == "cancelled"
    question = front_end.chat.messages[0]["id"]
    await run(front_end, "edit", item_id=question, text="echo: instead")

    events = await run(front_end, "version", item_id=question, index=0)
    replies = [
        e["item"]
        for e in events
        if e["type"] == "thread.item.replaced" and e["item"]["type"] == "assistant_message"
    ]
    assert len(replies) == 1
    assert replies[0]["stopped"] is True, "as when the thread is loaded"
    assert front_end.chat.messages[1]["stopped"] is True


def as_written_before(versions: dict[str, Any]) -> dict[str, Any]:
    """The versions table as threads stored it before: kept versions as objects, not text."""

    def kept(version: Any) -> Any:
        if version is None:
            return None
        version = json.loads(version) if isinstance(version, str) else version
        return {**version, "versions": as_written_before(version["versions"])}

    return {message: [kept(v) for v in entries] for message, entries in versions.items()}


async def test_versions_kept_by_an_earlier_release_still_show(front_end: FrontEnd) -> None:
    chat = front_end.chat
    await chat.ask("echo: a")
    await chat.ask("echo: b")
    first, second = chat.messages[0]["id"], chat.messages[2]["id"]
    await run(front_end, "edit", item_id=second, text="echo: b2")
    await run(front_end, "edit", item_id=first, text="echo: a2")
    assert isinstance(chat._backend, InProcessBackend)
    store = chat._backend.store
    assert chat.thread_id is not None
    thread = store.load_thread_sync(chat.thread_id)
    versions = thread.metadata[VERSIONS]
    # Kept as text: ChatKit compares the thread with a copy after every streamed event.
    assert all(isinstance(v, str) for v in versions[first] if v is not None)
    thread.metadata[VERSIONS] = as_written_before(versions)
    store.save_thread_sync(thread)

    await run(front_end, "version", item_id=first, index=0)
    assert shown(front_end) == ["echo: a", "a", "echo: b2", "b2"]
    await run(front_end, "version", item_id=second, index=0)
    assert shown(front_end) == ["echo: a", "a", "echo: b", "b"]

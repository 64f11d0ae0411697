"""``chat.export()``, ``chat.to_markdown()`` and ``chat.on(...)``."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import pytest

from chatkit_widget import ChatWidget

from .conftest import FrontEnd


async def test_export_markdown_and_json_include_tool_calls(front_end: FrontEnd) -> None:
    chat = front_end.chat
    await chat.ask("add a task: buy milk")
    await chat.ask("count to 3")
    reply_id = chat.messages[-1]["id"]
    rid = front_end.request(
        "items.feedback", thread_id=chat.thread_id, item_ids=[reply_id], kind="positive"
    )
    await front_end.until(rid, "response")

    markdown = chat.to_markdown()
    assert markdown == chat.export("markdown")
    assert markdown.startswith("# add a task: buy milk\n")
    assert "**You**\n\nadd a task: buy milk" in markdown
    assert "**Tool `add_task`** (success)" in markdown
    assert '"title": "buy milk"' in markdown
    assert "Result:\n\n```\nAdded task #1: buy milk\n```" in markdown
    assert "**Assistant** (rated good)\n\n1 2 3" in markdown

    data = json.loads(chat.export("json"))
    assert data["thread"]["id"] == chat.thread_id
    assert data["thread"]["title"] == "add a task: buy milk"
    assert data["messages"] == json.loads(json.dumps(chat.messages))


async def test_export_errors_are_clear(front_end: FrontEnd) -> None:
    with pytest.raises(ValueError, match="no conversation is open"):
        front_end.chat.export()
    await front_end.chat.ask("count to 1")
    with pytest.raises(ValueError, match="'markdown' or 'json'"):
        front_end.chat.export("pdf")


async def test_an_older_thread_can_be_exported_by_id(front_end: FrontEnd) -> None:
    chat = front_end.chat
    await chat.ask("count to 2")
    first = chat.thread_id
    chat.new_thread()
    await chat.ask("count to 4")
    assert first is not None
    assert "1 2\n" in chat.export("markdown", thread_id=first)
    assert "1 2 3 4" not in chat.export("markdown", thread_id=first)


async def test_callbacks_see_messages_tools_threads_and_errors(front_end: FrontEnd) -> None:
    chat = front_end.chat
    seen: dict[str, list[dict[str, Any]]] = {"message": [], "tool": [], "thread": [], "error": []}
    for name, log in seen.items():
        chat.on(name, log.append)

    await chat.ask("add a task: buy milk")
    assert [(m["role"], m["text"]) for m in seen["message"]] == [
        ("user", "add a task: buy milk"),
        ("assistant", "Added **buy milk** to your task list."),
    ]
    assert [(t["tool"]["name"], t["tool"]["status"]) for t in seen["tool"]] == [
        ("add_task", "success")
    ]
    created = seen["thread"][0]
    assert created == {"id": chat.thread_id, "title": None, "reason": "created"}
    assert seen["thread"][1]["reason"] == "updated"
    assert seen["thread"][1]["title"] == "add a task: buy milk"

    first = chat.thread_id
    chat.new_thread()
    await chat.ask("count to 1")
    assert first is not None
    chat.open_thread(first)
    assert seen["thread"][-1] == {"id": first, "title": "add a task: buy milk", "reason": "opened"}

    # an error event: a custom action the backend does not know
    rid = front_end.request(
        "threads.custom_action",
        thread_id=first,
        item_id=None,
        action={"type": "nope", "payload": {}},
    )
    await front_end.until(rid, "end")
    assert seen["error"] == [
        {
            "message": "No handler for the action 'nope': register one with @chat.action('nope')",
            "allow_retry": False,
        }
    ]


async def test_async_callbacks_run_and_unsubscribe_works() -> None:
    chat = ChatWidget(store=":memory:")
    got: list[str] = []
    done = asyncio.Event()

    async def on_message(message: dict[str, Any]) -> None:
        got.append(message["role"])
        if message["role"] == "assistant":
            done.set()

    remove = chat.on("message", on_message)
    await chat.ask("count to 1")
    await asyncio.wait_for(done.wait(), 5)
    assert got == ["user", "assistant"]
    remove()
    await chat.ask("count to 1")
    assert got == ["user", "assistant"]
    chat.close()


async def test_a_failing_callback_is_logged_and_the_chat_goes_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    chat = ChatWidget(store=":memory:")

    def broken(_message: dict[str, Any]) -> None:
        raise RuntimeError("callback bug")

    chat.on("message", broken)
    with caplog.at_level(logging.ERROR):
        assert await chat.ask("count to 2") == "1 2"
    assert "a 'message' callback failed" in caplog.text
    with pytest.raises(ValueError, match="unknown event 'reply'"):
        chat.on("reply", print)
    chat.close()


async def test_cited_sources_reach_messages_and_the_export(front_end: FrontEnd) -> None:
    chat = front_end.chat
    await chat.ask("search: notebooks")
    reply = chat.messages[-1]
    assert reply["sources"] == [
        {"title": "Project Jupyter", "url": "https://jupyter.org"},
        {"title": "ChatKit Python SDK", "url": "https://github.com/openai/chatkit-python"},
    ]
    assert (
        "Sources:\n\n1. [Project Jupyter](https://jupyter.org)\n2. [ChatKit" in chat.to_markdown()
    )
    # the search ran as a web_search workflow task, stored before the reply
    assert chat.thread_id is not None
    items = chat._backend.items_sync(chat.thread_id)
    assert [i.type for i in items] == ["user_message", "workflow", "assistant_message"]
    task: Any = items[1].workflow.tasks[0]  # type: ignore[attr-defined]
    assert (task.type, task.queries, task.status_indicator) == (
        "web_search",
        ["notebooks"],
        "complete",
    )
    assert items[1].workflow.summary.title == "Searched the web for “notebooks”"  # type: ignore[attr-defined]
    urls = [source.url for source in task.sources]
    assert urls == ["https://jupyter.org", "https://github.com/openai/chatkit-python"]


async def test_a_file_search_shows_as_a_file_task_and_cites_files(front_end: FrontEnd) -> None:
    chat = front_end.chat
    await chat.ask("search files: roadmap")
    assert chat.messages[-1]["sources"] == [
        {"title": "notes/roadmap.md", "filename": "notes/roadmap.md"},
        {"title": "notes/decisions.md", "filename": "notes/decisions.md"},
    ]
    assert chat.thread_id is not None
    items = chat._backend.items_sync(chat.thread_id)
    task: Any = items[1].workflow.tasks[0]  # type: ignore[attr-defined]
    assert task.type == "file" and task.status_indicator == "complete"
    assert [s.filename for s in task.sources] == ["notes/roadmap.md", "notes/decisions.md"]
    assert "Sources:\n\n1. notes/roadmap.md\n2. notes/decisions.md" in chat.to_markdown()

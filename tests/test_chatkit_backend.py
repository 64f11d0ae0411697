"""ChatKitBackend: a ChatWidget driven by a real ChatKit server over HTTP.

The server (``tests.support.remote_servers.RecordingChatKitServer``) is a minimal
``ChatKitServer`` on a real uvicorn socket; the widget is driven as the browser drives it
(``FrontEnd``) and from Python (``ask``, ``messages``, ``threads``...).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from chatkit_widget import BackendError, ChatError, ChatKitBackend, ChatWidget, RetryConfig

from .conftest import FrontEnd
from .support.http_servers import serve_app
from .support.remote_servers import DEFAULT_TOKEN, RecordingChatKitServer, chatkit_app, eventually

Server = tuple[RecordingChatKitServer, str]


@pytest.fixture
def server() -> Iterator[Server]:
    srv = RecordingChatKitServer(DEFAULT_TOKEN)
    with serve_app(chatkit_app(srv)) as base:
        yield srv, f"{base}/chatkit"


def make_chat(url: str, **options: Any) -> ChatWidget:
    options.setdefault("token", DEFAULT_TOKEN)
    options.setdefault("retry", RetryConfig(retry_delay=0.01))
    return ChatWidget(backend=ChatKitBackend(url, **options))


@pytest.fixture
def chat(server: Server) -> Iterator[ChatWidget]:
    widget = make_chat(server[1])
    yield widget
    widget.stop()
    widget.close()


def done_items(events: list[dict[str, Any]], type_: str) -> list[dict[str, Any]]:
    return [
        e["item"] for e in events if e["type"] == "thread.item.done" and e["item"]["type"] == type_
    ]


def reply_text(events: list[dict[str, Any]]) -> str:
    replies = done_items(events, "assistant_message")
    assert replies, f"no assistant message completed in {[e['type'] for e in events]}"
    return "".join(part["text"] for part in replies[-1]["content"])


def is_text_delta(event: dict[str, Any]) -> bool:
    return bool(
        event["type"] == "thread.item.updated"
        and event["update"]["type"] == "assistant_message.content_part.text_delta"
    )


# -- from Python --------------------------------------------------------------------------------


async def test_ask_returns_the_servers_reply_and_sends_the_bearer_token(
    server: Server, chat: ChatWidget
) -> None:
    srv, _ = server
    assert await chat.ask("hello there") == "You said: hello there"
    store: Any = srv.store
    assert chat.thread_id is not None
    assert chat.thread_id in [t.id for t, _ in store.threads_with_activity_sync(10)]
    assert "threads.create" in srv.request_types()
    assert srv.authorizations and set(srv.authorizations) == {f"Bearer {DEFAULT_TOKEN}"}


async def test_extra_headers_go_with_every_request(server: Server) -> None:
    srv, url = server
    chat = make_chat(url, headers={"X-Workspace": "lab-7"})
    await chat.ask("hi")
    assert chat.messages  # a read goes to the server too
    assert len(srv.requests) >= 2
    assert all(r.headers.get("x-workspace") == "lab-7" for r in srv.requests)
    assert all(
        r.headers.get("content-type", "").startswith("application/json") for r in srv.requests
    )
    chat.close()


async def test_messages_threads_and_open_thread_read_the_server(
    server: Server, chat: ChatWidget
) -> None:
    srv, _ = server
    await chat.ask("first question")
    first = chat.thread_id
    await chat.ask("second question")
    assert chat.thread_id == first
    added = [r.body for r in srv.requests if r.type == "threads.add_user_message"]
    assert [b["params"]["thread_id"] for b in added] == [first]
    assert [(m["role"], m["text"]) for m in chat.messages] == [
        ("user", "first question"),
        ("assistant", "You said: first question"),
        ("user", "second question"),
        ("assistant", "You said: second question"),
    ]

    chat.new_thread()
    assert await chat.ask("other topic") == "You said: other topic"
    second = chat.thread_id
    assert second not in (None, first)
    threads = chat.threads()
    assert [t["id"] for t in threads][:2] == [second, first]
    assert {t["id"]: t["title"] for t in threads}[first] == "first question"
    assert all({"id", "title", "created_at", "updated_at"} <= set(t) for t in threads)

    chat.open_thread(first)  # type: ignore[arg-type]
    assert chat.thread_id == first
    assert [m["text"] for m in chat.messages if m["role"] == "user"] == [
        "first question",
        "second question",
    ]
    with pytest.raises(BackendError):
        chat.open_thread("thr_does_not_exist")


# -- as the browser drives it -------------------------------------------------------------------


async def test_the_front_end_streams_create_and_add_user_message(
    server: Server, chat: ChatWidget
) -> None:
    srv, _ = server
    fe = FrontEnd(chat)
    rid = fe.request("threads.create", input=fe.message("hi there"))
    assert (await fe.until(rid, "end"))["reason"] == "done"
    events = fe.events(rid)
    assert events[0]["type"] == "thread.created"
    thread_id = events[0]["thread"]["id"]
    assert done_items(events, "user_message")[0]["content"][0]["text"] == "hi there"
    assert any(is_text_delta(e) for e in events), "the reply was not streamed"
    assert reply_text(events) == "You said: hi there"
    assert not [e for e in events if e["type"] in ("error", "progress_update")]

    rid = fe.request("threads.add_user_message", thread_id=thread_id, input=fe.message("again"))
    assert (await fe.until(rid, "end"))["reason"] == "done"
    assert reply_text(fe.events(rid)) == "You said: again"
    last = [r for r in srv.requests if r.type == "threads.add_user_message"][-1]
    assert last.body["params"]["thread_id"] == thread_id
    assert last.body["params"]["input"]["content"] == [{"type": "input_text", "text": "again"}]


async def test_threads_list_pages_with_limit_after_and_order(
    server: Server, chat: ChatWidget
) -> None:
    srv, _ = server
    ids = []
    for text in ["one", "two", "three"]:
        chat.new_thread()
        await chat.ask(text)
        ids.append(chat.thread_id)
    fe = FrontEnd(chat)

    rid = fe.request("threads.list", limit=2, order="desc")
    page = (await fe.until(rid, "response"))["result"]
    assert [t["id"] for t in page["data"]] == [ids[2], ids[1]]
    assert page["has_more"] is True
    rid = fe.request("threads.list", limit=2, order="desc", after=page["after"])
    page = (await fe.until(rid, "response"))["result"]
    assert [t["id"] for t in page["data"]] == [ids[0]]
    assert page["has_more"] is False
    rid = fe.request("threads.list", limit=10, order="asc")
    page = (await fe.until(rid, "response"))["result"]
    assert [t["id"] for t in page["data"]] == ids

    sent = [r.body["params"] for r in srv.requests if r.type == "threads.list"]
    assert {"limit": 10, "order": "asc"}.items() <= sent[-1].items()


async def test_items_list_pages_with_limit_after_and_order(
    server: Server, chat: ChatWidget
) -> None:
    await chat.ask("one")
    await chat.ask("two")
    thread_id = chat.thread_id
    fe = FrontEnd(chat)
    rid = fe.request("items.list", thread_id=thread_id, limit=3, order="asc")
    page = (await fe.until(rid, "response"))["result"]
    assert [i["type"] for i in page["data"]] == [
        "user_message",
        "assistant_message",
        "user_message",
    ]
    assert page["has_more"] is True
    rid = fe.request("items.list", thread_id=thread_id, limit=3, order="asc", after=page["after"])
    rest = (await fe.until(rid, "response"))["result"]
    assert [i["type"] for i in rest["data"]] == ["assistant_message"]
    assert rest["has_more"] is False
    rid = fe.request("items.list", thread_id=thread_id, limit=1, order="desc")
    newest = (await fe.until(rid, "response"))["result"]
    assert newest["data"][0]["content"][0]["text"] == "You said: two"


async def test_retry_after_item_regenerates_the_reply(server: Server, chat: ChatWidget) -> None:
    srv, _ = server
    await chat.ask("say it again")
    user, old_reply = chat.messages
    fe = FrontEnd(chat)
    rid = fe.request("threads.retry_after_item", thread_id=chat.thread_id, item_id=user["id"])
    assert (await fe.until(rid, "end"))["reason"] == "done"
    assert reply_text(fe.events(rid)) == "You said: say it again"
    assert srv.responded == ["say it again", "say it again"]
    messages = chat.messages
    assert [m["role"] for m in messages] == ["user", "assistant"]
    assert messages[1]["id"] != old_reply["id"]


async def test_feedback_reaches_the_servers_add_feedback(server: Server, chat: ChatWidget) -> None:
    srv, _ = server
    await chat.ask("rate me")
    reply_id = chat.messages[1]["id"]
    fe = FrontEnd(chat)
    rid = fe.request(
        "items.feedback", thread_id=chat.thread_id, item_ids=[reply_id], kind="negative"
    )
    await fe.until(rid, "response")
    assert not [m for m in fe.for_id(rid) if m["kind"] == "error"]
    assert srv.feedback == [(chat.thread_id, [reply_id], "negative")]


async def test_a_client_tool_round_trip(server: Server, chat: ChatWidget) -> None:
    srv, _ = server
    scopes: list[str] = []

    @chat.client_tool
    def get_selection(scope: str) -> dict[str, Any]:
        """The notebook's current selection."""
        scopes.append(scope)
        return {"cells": [3, 4]}

    assert await chat.ask("what is my selection?") == 'The selection is {"cells": [3, 4]}'
    assert scopes == ["notebook"]
    outputs = [r.body["params"] for r in srv.requests if r.type == "threads.add_client_tool_output"]
    assert outputs == [{"thread_id": chat.thread_id, "result": {"cells": [3, 4]}}]
    _user, tool, reply = chat.messages
    assert tool["role"] == "tool"
    assert tool["tool"]["name"] == "get_selection"
    assert tool["tool"]["arguments"] == {"scope": "notebook"}
    assert tool["tool"]["output"] == {"cells": [3, 4]}
    assert tool["tool"]["status"] == "success"
    assert reply["text"] == 'The selection is {"cells": [3, 4]}'


async def test_a_client_tool_round_trip_is_one_stream_for_the_front_end(
    server: Server, chat: ChatWidget
) -> None:
    @chat.client_tool
    async def get_selection(scope: str) -> str:
        """The notebook's current selection."""
        return f"{scope}: cell 7"

    fe = FrontEnd(chat)
    rid = fe.request("threads.create", input=fe.message("selection please"))
    assert (await fe.until(rid, "end"))["reason"] == "done"
    events = fe.events(rid)
    calls = done_items(events, "client_tool_call")
    assert calls and calls[0]["name"] == "get_selection" and calls[0]["status"] == "pending"
    assert reply_text(events) == 'The selection is "notebook: cell 7"'
    assert [m["kind"] for m in fe.for_id(rid)].count("end") == 1


async def test_a_server_error_event_fails_ask_with_its_message(
    server: Server, chat: ChatWidget
) -> None:
    with pytest.raises(ChatError, match="The server failed on purpose"):
        await chat.ask("please fail event")
    fe = FrontEnd(chat)
    rid = fe.request("threads.create", input=fe.message("fail event again"))
    assert (await fe.until(rid, "end"))["reason"] == "error"
    errors = [e for e in fe.events(rid) if e["type"] == "error"]
    assert [(e["message"], e["allow_retry"]) for e in errors] == [
        ("The server failed on purpose", False)
    ]


async def test_a_custom_stream_error_arrives_retryable(server: Server, chat: ChatWidget) -> None:
    fe = FrontEnd(chat)
    rid = fe.request("threads.create", input=fe.message("fail raise"))
    assert (await fe.until(rid, "end"))["reason"] == "error"
    errors = [e for e in fe.events(rid) if e["type"] == "error"]
    assert [(e["message"], e["allow_retry"]) for e in errors] == [
        ("Custom failure from the server", True)
    ]


async def test_stop_from_the_front_end_closes_the_http_stream(
    server: Server, chat: ChatWidget
) -> None:
    srv, _ = server
    fe = FrontEnd(chat)
    rid = fe.request("threads.create", input=fe.message("be slow"))
    await eventually(lambda: any(is_text_delta(e) for e in fe.events(rid)), "the reply to start")
    fe.send({"kind": "cancel", "id": rid})
    assert (await fe.until(rid, "end"))["reason"] == "cancelled"
    thread_id = fe.events(rid)[0]["thread"]["id"]
    await eventually(lambda: thread_id in srv.cancelled, "the server to see the disconnect")
    # ChatKit saved the partial reply server side: it is far shorter than the whole one
    partial = [m for m in chat.messages if m["role"] == "assistant"]
    assert len(partial) == 1 and 0 < len(partial[0]["text"].split()) < 400


async def test_chat_stop_stops_a_running_ask(server: Server, chat: ChatWidget) -> None:
    srv, _ = server
    task = chat.send("slow down")
    await eventually(lambda: srv.responded, "the server to start replying")
    chat.stop()
    with pytest.raises(ChatError):
        await task
    await eventually(lambda: srv.cancelled, "the server to see the disconnect")
    # the chat goes on
    assert await chat.ask("still there?") == "You said: still there?"


async def test_server_built_workflows_and_sources_reach_the_front_end(
    server: Server, chat: ChatWidget
) -> None:
    fe = FrontEnd(chat)
    rid = fe.request("threads.create", input=fe.message("show a workflow"))
    assert (await fe.until(rid, "end"))["reason"] == "done"
    workflow = done_items(fe.events(rid), "workflow")[0]["workflow"]
    assert [t["type"] for t in workflow["tasks"]] == ["custom", "image"]
    assert workflow["tasks"][0]["content"] == "Found **3** results"
    thread_id = fe.events(rid)[0]["thread"]["id"]

    rid = fe.request("threads.add_user_message", thread_id=thread_id, input=fe.message("sources"))
    assert (await fe.until(rid, "end"))["reason"] == "done"
    reply = done_items(fe.events(rid), "assistant_message")[-1]
    sources = [a["source"] for a in reply["content"][0]["annotations"]]
    assert [(s["type"], s["title"]) for s in sources] == [
        ("entity", "Task 42"),
        ("url", "Example doc"),
    ]
    assert chat.messages[-1]["sources"] == [
        {"title": "Task 42"},
        {"title": "Example doc", "url": "https://example.com/doc"},
    ]


async def test_other_requests_are_forwarded_too(server: Server, chat: ChatWidget) -> None:
    srv, _ = server
    await chat.ask("keep me")
    keep = chat.thread_id
    chat.new_thread()
    await chat.ask("drop me")
    drop = chat.thread_id
    fe = FrontEnd(chat)
    rid = fe.request("threads.update", thread_id=keep, title="Renamed")
    assert (await fe.until(rid, "response"))["result"]["title"] == "Renamed"
    rid = fe.request("threads.get_by_id", thread_id=keep)
    thread = (await fe.until(rid, "response"))["result"]
    assert thread["title"] == "Renamed"
    assert [i["type"] for i in thread["items"]["data"]] == ["user_message", "assistant_message"]
    rid = fe.request("threads.delete", thread_id=drop)
    await fe.until(rid, "response")
    assert {t["id"]: t["title"] for t in chat.threads()} == {keep: "Renamed"}
    assert {"threads.update", "threads.get_by_id", "threads.delete"} <= set(srv.request_types())


def test_the_servers_own_images_are_trusted_and_nothing_else() -> None:
    remote = ChatWidget(backend=ChatKitBackend("https://chat.example:8443/api/chatkit"))
    assert remote.image_origins == ["https://chat.example:8443"]
    remote.close()
    local = ChatWidget(store=":memory:")
    assert local.image_origins == []
    local.close()

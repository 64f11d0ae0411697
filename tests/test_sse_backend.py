"""SSEBackend: a ChatWidget on a api-style chat API (``data: {"content": ...}`` frames).

The server (``tests.support.remote_servers.SSEChatAPI``) runs on a real uvicorn socket and keeps its
conversations in memory; it records every request's body and ``Authorization``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import pytest

from chatkit_widget import ChatError, ChatWidget, RetryConfig, SSEBackend

from .conftest import FrontEnd
from .support.http_servers import serve_app
from .support.remote_servers import DEFAULT_TOKEN, SSEChatAPI, eventually, sse_chat_app

StartAPI = Callable[..., tuple[SSEChatAPI, str]]


@pytest.fixture
def start_api() -> Iterator[StartAPI]:
    """Start a api server: ``api, base = start_api(text_key="delta")``."""
    with ExitStack() as stack:

        def start(**options: Any) -> tuple[SSEChatAPI, str]:
            api = SSEChatAPI(DEFAULT_TOKEN, **options)
            return api, stack.enter_context(serve_app(sse_chat_app(api)))

        yield start


@pytest.fixture
def chats() -> Iterator[list[ChatWidget]]:
    """Widgets to close after the test (before the servers stop)."""
    made: list[ChatWidget] = []
    yield made
    for chat in made:
        chat.stop()
        chat.close()


@pytest.fixture
def make_chat(chats: list[ChatWidget]) -> Callable[..., ChatWidget]:
    def make(base: str, **options: Any) -> ChatWidget:
        options.setdefault("token", DEFAULT_TOKEN)
        options.setdefault("retry", RetryConfig(retry_delay=0.01))
        chat = ChatWidget(backend=SSEBackend(f"{base}/api/chat", **options))
        chats.append(chat)
        return chat

    return make


def turns(chat: ChatWidget) -> list[tuple[str, str]]:
    return [(m["role"], m["text"]) for m in chat.messages]


def reply_text(events: list[dict[str, Any]]) -> str:
    done = [
        e["item"]
        for e in events
        if e["type"] == "thread.item.done" and e["item"]["type"] == "assistant_message"
    ]
    assert done, f"no assistant message completed in {[e['type'] for e in events]}"
    return "".join(part["text"] for part in done[-1]["content"])


async def test_ask_posts_the_message_and_joins_the_content_frames(
    start_api: StartAPI, make_chat: Callable[..., ChatWidget]
) -> None:
    api, base = start_api()
    chat = make_chat(base)
    assert await chat.ask("hello there") == "You said: hello there"
    (request,) = api.requests
    assert request.path == "/api/chat"
    assert request.authorization == f"Bearer {DEFAULT_TOKEN}"
    assert request.body["message"] == "hello there"
    assert "conversation_id" in request.body
    assert turns(chat) == [("user", "hello there"), ("assistant", "You said: hello there")]


async def test_extra_headers_go_with_every_request(
    start_api: StartAPI, make_chat: Callable[..., ChatWidget]
) -> None:
    api, base = start_api()
    chat = make_chat(base, headers={"X-Workspace": "lab-7"})
    await chat.ask("hi")
    await chat.ask("hi again")
    assert [r.headers.get("x-workspace") for r in api.requests] == ["lab-7", "lab-7"]


@pytest.mark.parametrize("text_key", ["content", "delta", "text"])
async def test_text_frames_with_any_known_key_make_one_reply(
    start_api: StartAPI, make_chat: Callable[..., ChatWidget], text_key: str
) -> None:
    _api, base = start_api(text_key=text_key)
    chat = make_chat(base)
    assert await chat.ask("one two three") == "You said: one two three"
    assert turns(chat) == [("user", "one two three"), ("assistant", "You said: one two three")]


@pytest.mark.parametrize("announce", ["frame", "header", "both"])
async def test_the_servers_conversation_id_is_sent_back(
    start_api: StartAPI, make_chat: Callable[..., ChatWidget], announce: str
) -> None:
    api, base = start_api(announce=announce)
    chat = make_chat(base)
    await chat.ask("first")
    await chat.ask("second")
    await chat.ask("third")
    assert len(api.conversations) == 1, api.conversation_ids
    (server_id,) = api.conversations
    assert api.conversation_ids[1:] == [server_id, server_id]
    messages = api.conversations[server_id]["messages"]
    assert [m["content"] for m in messages if m["role"] == "user"] == ["first", "second", "third"]


async def test_without_a_server_id_the_client_mints_one_per_conversation(
    start_api: StartAPI, make_chat: Callable[..., ChatWidget]
) -> None:
    api, base = start_api(announce=None)
    chat = make_chat(base)
    await chat.ask("first")
    await chat.ask("second")
    chat.new_thread()
    await chat.ask("elsewhere")
    ids = api.conversation_ids
    assert isinstance(ids[0], str) and ids[0]
    assert ids[1] == ids[0]
    assert isinstance(ids[2], str) and ids[2] and ids[2] != ids[0]


async def test_tool_frames_become_tool_rows(
    start_api: StartAPI, make_chat: Callable[..., ChatWidget]
) -> None:
    _api, base = start_api()
    chat = make_chat(base)
    assert await chat.ask("use the tool") == "Found 3 cats."
    user, tool, reply = chat.messages
    assert (user["role"], reply["role"], reply["text"]) == ("user", "assistant", "Found 3 cats.")
    assert tool["role"] == "tool"
    assert {k: tool["tool"][k] for k in ("name", "arguments", "output", "status")} == {
        "name": "lookup",
        "arguments": {"q": "cats"},
        "output": "3 cats found",
        "status": "success",
    }


async def test_a_failed_tool_frame_becomes_an_error_row(
    start_api: StartAPI, make_chat: Callable[..., ChatWidget]
) -> None:
    _api, base = start_api()
    chat = make_chat(base)
    assert await chat.ask("tool error please") == "The lookup failed."
    tool = [m for m in chat.messages if m["role"] == "tool"]
    assert len(tool) == 1
    assert tool[0]["tool"]["name"] == "lookup"
    assert tool[0]["tool"]["status"] == "error"
    assert tool[0]["tool"]["output"] == "lookup exploded"


async def test_an_error_frame_keeps_the_partial_reply_and_fails_the_turn(
    start_api: StartAPI, make_chat: Callable[..., ChatWidget]
) -> None:
    _api, base = start_api()
    chat = make_chat(base)
    with pytest.raises(ChatError, match="model overloaded"):
        await chat.ask("trigger an error")
    assert turns(chat) == [("user", "trigger an error"), ("assistant", "You said:")]

    fe = FrontEnd(chat)
    rid = fe.request(
        "threads.add_user_message", thread_id=chat.thread_id, input=fe.message("error again")
    )
    assert (await fe.until(rid, "end"))["reason"] == "error"
    events = fe.events(rid)
    errors = [e for e in events if e["type"] == "error"]
    assert len(errors) == 1 and "model overloaded" in errors[0]["message"]
    assert reply_text(events) == "You said:"
    assert [e["type"] for e in events].index("thread.item.done") < [
        e["type"] for e in events
    ].index("error")


async def test_a_plain_json_reply_works(
    start_api: StartAPI, make_chat: Callable[..., ChatWidget]
) -> None:
    api, base = start_api(streaming=False)
    chat = make_chat(base)
    assert await chat.ask("no stream") == "You said: no stream"
    assert await chat.ask("still none") == "You said: still none"
    assert len(api.conversations) == 1  # the JSON's conversation_id was sent back
    assert turns(chat)[-1] == ("assistant", "You said: still none")


async def test_threads_include_the_servers_conversations_and_open_them(
    start_api: StartAPI, make_chat: Callable[..., ChatWidget]
) -> None:
    api, base = start_api()
    api.add_conversation([("user", "What is 2+2?"), ("assistant", "4")], title="Arithmetic")
    chat = make_chat(base)
    threads = chat.threads()
    found = [t for t in threads if t["title"] == "Arithmetic"]
    assert len(found) == 1, threads
    assert {"id", "title", "created_at", "updated_at"} <= set(found[0])
    reads = [r for r in api.requests if r.path == "/api/conversations"]
    assert reads and reads[-1].authorization == f"Bearer {DEFAULT_TOKEN}"

    chat.open_thread(found[0]["id"])
    assert chat.thread_id == found[0]["id"]
    assert turns(chat) == [("user", "What is 2+2?"), ("assistant", "4")]
    # continuing it talks to the same server conversation
    (conv_id,) = api.conversations
    await chat.ask("and 3+3?")
    assert api.conversation_ids[-1] == conv_id


async def test_an_explicit_conversations_url_is_used(
    start_api: StartAPI, make_chat: Callable[..., ChatWidget]
) -> None:
    api, base = start_api()
    api.add_conversation([("user", "hi"), ("assistant", "hello")], title="Greeting")
    chat = make_chat(base, conversations_url=f"{base}/api/conversations")
    assert [t["title"] for t in chat.threads()] == ["Greeting"]


async def test_a_conversation_is_listed_once_after_a_turn(
    start_api: StartAPI, make_chat: Callable[..., ChatWidget]
) -> None:
    _api, base = start_api()
    chat = make_chat(base)
    await chat.ask("hello world")
    threads = chat.threads()
    assert len(threads) == 1, threads
    assert threads[0]["id"] == chat.thread_id


async def test_the_front_end_streams_create_and_add_user_message(
    start_api: StartAPI, make_chat: Callable[..., ChatWidget]
) -> None:
    api, base = start_api()
    chat = make_chat(base)
    fe = FrontEnd(chat)
    rid = fe.request("threads.create", input=fe.message("hi there"))
    assert (await fe.until(rid, "end"))["reason"] == "done"
    events = fe.events(rid)
    assert events[0]["type"] == "thread.created"
    thread_id = events[0]["thread"]["id"]
    users = [
        e["item"]
        for e in events
        if e["type"] == "thread.item.done" and e["item"]["type"] == "user_message"
    ]
    assert users and users[0]["content"][0]["text"] == "hi there"
    assert reply_text(events) == "You said: hi there"
    assert not [e for e in events if e["type"] in ("error", "progress_update")]

    rid = fe.request("threads.add_user_message", thread_id=thread_id, input=fe.message("again"))
    assert (await fe.until(rid, "end"))["reason"] == "done"
    assert reply_text(fe.events(rid)) == "You said: again"
    assert len(api.conversations) == 1


async def test_stop_closes_the_stream_and_the_server_sees_it(
    start_api: StartAPI, make_chat: Callable[..., ChatWidget]
) -> None:
    api, base = start_api()
    chat = make_chat(base)
    fe = FrontEnd(chat)
    rid = fe.request("threads.create", input=fe.message("be slow"))
    await eventually(
        lambda: any(e["type"] == "thread.item.updated" for e in fe.events(rid)),
        "the reply to start",
    )
    fe.send({"kind": "cancel", "id": rid})
    assert (await fe.until(rid, "end"))["reason"] == "cancelled"
    await eventually(lambda: api.disconnects, "the server to see the disconnect")


async def test_a_stopped_reply_is_kept_and_marked_stopped(
    start_api: StartAPI, make_chat: Callable[..., ChatWidget]
) -> None:
    api, base = start_api()
    chat = make_chat(base)
    fe = FrontEnd(chat)  # sees the events of ask() too, as every view does
    task = chat.send("slow please")
    await eventually(
        lambda: any(
            e["type"] == "thread.item.updated"
            for m in fe.received
            if m["kind"] == "event"
            for e in m["events"]
        ),
        "the reply to start",
    )
    chat.stop()
    with pytest.raises(ChatError):
        await task
    await eventually(lambda: api.disconnects, "the server to see the disconnect")
    user, reply = chat.messages
    assert user["text"] == "slow please"
    assert reply["role"] == "assistant" and reply["text"].startswith("w0")
    assert reply.get("stopped") is True


async def test_done_ends_the_turn_even_if_the_server_keeps_the_connection_open(
    start_api: StartAPI, make_chat: Callable[..., ChatWidget]
) -> None:
    api, base = start_api()
    chat = make_chat(base)
    # the server holds the connection 10 s after [DONE]
    assert await asyncio.wait_for(chat.ask("linger a bit"), 5) == "You said: linger a bit"
    await eventually(lambda: api.disconnects, "the client to hang up after [DONE]")

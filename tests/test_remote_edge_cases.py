"""Edge cases of the remote backends found in review, each against a real server on 127.0.0.1.

Redirects, absurd ``Retry-After`` values, a reply that stalls after the server accepted the
request, a body that ends cleanly mid-reply, concurrent 401s, a server that echoes the token,
credentials in a URL, and an SSE chat API history opened before it was ever listed.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import AsyncIterator
from typing import Any

import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

from chatkit_widget import ChatError, ChatKitBackend, ChatWidget, RetryConfig, SSEBackend

from .conftest import FrontEnd
from .support.http_servers import serve_app
from .support.remote_servers import SSEChatAPI, sse_chat_app

TOKEN = "edge-SECRET-token"
FAST = RetryConfig(max_retries=2, retry_delay=0.01)


def _frame(data: Any) -> bytes:
    return f"data: {json.dumps(data)}\n\n".encode()


def _message_events(thread_id: str, words: list[str]) -> list[dict[str, Any]]:
    """A ChatKit stream that creates a thread and starts a reply of ``words``."""
    created = "2026-01-01T00:00:00"
    thread = {"id": thread_id, "created_at": created, "status": {"type": "active"}, "items": {}}
    thread["items"] = {"data": [], "has_more": False}
    item = {
        "id": "msg_1",
        "thread_id": thread_id,
        "created_at": created,
        "type": "assistant_message",
        "content": [{"type": "output_text", "text": "", "annotations": []}],
    }
    events: list[dict[str, Any]] = [
        {"type": "thread.created", "thread": thread},
        {"type": "thread.item.added", "item": item},
    ]
    for word in words:
        update = {
            "type": "assistant_message.content_part.text_delta",
            "content_index": 0,
            "delta": word,
        }
        events.append({"type": "thread.item.updated", "item_id": "msg_1", "update": update})
    return events


class EdgeServer:
    """One behaviour per path; records the turns (streaming requests) that arrive."""

    def __init__(self) -> None:
        self.posts: dict[str, int] = {}
        self.authorizations: list[str | None] = []
        self.lock = threading.Lock()

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/{behaviour}")
        async def handle(behaviour: str, request: Request) -> Response:
            body = await request.json()
            if body.get("type") == "threads.get_by_id":  # the widget checks the new thread
                thread = _message_events("thr_edge", [])[0]["thread"]
                return JSONResponse(thread)
            with self.lock:
                self.posts[behaviour] = self.posts.get(behaviour, 0) + 1
                self.authorizations.append(request.headers.get("authorization"))
            if behaviour == "moved":
                return Response(status_code=307, headers={"Location": "/elsewhere?key=x"})
            if behaviour == "moved-with-credentials":
                location = "https://user:pw@other.example/chatkit?key=x"
                return Response(status_code=308, headers={"Location": location})
            if behaviour == "busy-until":  # an HTTP date in the past: retry at once
                return Response(
                    status_code=503, headers={"Retry-After": "Wed, 21 Oct 2015 07:28:00 -0000"}
                )
            if behaviour == "busy-forever":
                return Response(status_code=429, headers={"Retry-After": "inf"})
            if behaviour == "busy-a-day":
                return Response(status_code=503, headers={"Retry-After": "86400"})
            if behaviour == "echo":
                detail = f"bad token {request.headers.get('authorization')}"
                return JSONResponse({"detail": detail}, status_code=403)
            if behaviour == "renew":
                await asyncio.sleep(0.05)  # let concurrent requests all meet the 401
                if request.headers.get("authorization") != "Bearer fresh-1":
                    return JSONResponse({"detail": "expired"}, status_code=401)
                return JSONResponse({"ok": True})
            return StreamingResponse(self._stream(behaviour), media_type="text/event-stream")

        return app

    async def _stream(self, behaviour: str) -> AsyncIterator[bytes]:
        events = _message_events("thr_edge", ["Half ", "a "])
        for event in events:
            yield _frame(event)
        if behaviour == "stall":  # accepted, then silence longer than the client's timeout
            await asyncio.sleep(3)
        if behaviour == "failed":  # the server reports an error and leaves the reply open
            yield _frame({"type": "error", "code": "custom", "message": "model down"})
        if behaviour == "client-tool":  # a workflow left open on purpose, then a client call
            workflow = {
                "id": "wf_1",
                "thread_id": "thr_edge",
                "created_at": "2026-01-01T00:00:00",
                "type": "workflow",
                "workflow": {"type": "reasoning", "tasks": [], "expanded": False},
            }
            call = {
                "id": "cc_1",
                "thread_id": "thr_edge",
                "created_at": "2026-01-01T00:00:00",
                "type": "client_tool_call",
                "status": "pending",
                "call_id": "call_1",
                "name": "get_selection",
                "arguments": {},
            }
            reply = events[1]["item"]
            reply = {**reply, "content": [{**reply["content"][0], "text": "Half a "}]}
            yield _frame({"type": "thread.item.done", "item": reply})
            yield _frame({"type": "thread.item.added", "item": workflow})
            yield _frame({"type": "thread.item.done", "item": call})
        # "short": the body simply ends, cleanly, with the reply still open


@pytest.fixture
def edge() -> Any:
    server = EdgeServer()
    with serve_app(server.app()) as base:
        yield server, base


async def _turn(chat: ChatWidget) -> tuple[str, list[dict[str, Any]]]:
    fe = FrontEnd(chat)
    rid = fe.request("threads.create", input=fe.message("hello"))
    end = await fe.until(rid, "end", wait_s=20)
    return end["reason"], fe.events(rid)


async def test_a_redirect_is_an_error_that_names_where_to_go(edge: Any) -> None:
    _server, base = edge
    backend = ChatKitBackend(f"{base}/moved", token=TOKEN, retry=FAST)
    reason, events = await _turn(ChatWidget(backend=backend))
    errors = [e for e in events if e["type"] == "error"]
    assert reason == "error" and len(errors) == 1
    assert "redirected the request to /elsewhere: use that URL" in errors[0]["message"]
    assert "key=x" not in errors[0]["message"]


@pytest.mark.parametrize("behaviour", ["busy-forever", "busy-a-day"])
async def test_an_absurd_retry_after_fails_the_turn_clearly(edge: Any, behaviour: str) -> None:
    server, base = edge
    chat = ChatWidget(backend=ChatKitBackend(f"{base}/{behaviour}", token=TOKEN, retry=FAST))
    reason, events = await _turn(chat)
    errors = [e for e in events if e["type"] == "error"]
    assert reason == "error"
    if behaviour == "busy-a-day":  # honoured as far as sensible: no day-long wait, a message
        assert errors[0]["message"].endswith("asks to wait 86400 s; try again later.")
        assert errors[0]["allow_retry"] is True
        assert server.posts[behaviour] == 1
    else:  # not a number of seconds: ignored, the usual backoff applies
        assert "Rate limited (tried 3 times)." == errors[0]["message"]
        assert server.posts[behaviour] == 3


async def test_a_reply_that_stalls_after_acceptance_is_cut_not_sent_again(edge: Any) -> None:
    server, base = edge
    backend = ChatKitBackend(f"{base}/stall", token=TOKEN, retry=FAST, timeout=0.5)
    reason, events = await _turn(ChatWidget(backend=backend))
    assert reason == "error"
    assert server.posts["stall"] == 1  # sending it again could answer the turn twice
    done = [e["item"] for e in events if e["type"] == "thread.item.done"]
    assert done and done[-1]["incomplete"] is True
    assert done[-1]["content"][0]["text"] == "Half a "
    assert "stopped sending before the reply finished" in events[-1]["message"]


async def test_a_body_that_ends_mid_reply_is_a_cut(edge: Any) -> None:
    _server, base = edge
    backend = ChatKitBackend(f"{base}/short", token=TOKEN, retry=FAST)
    reason, events = await _turn(ChatWidget(backend=backend))
    assert reason == "error"
    done = [e["item"] for e in events if e["type"] == "thread.item.done"]
    assert done[-1]["incomplete"] is True and done[-1]["content"][0]["text"] == "Half a "
    assert events[-1]["type"] == "error" and events[-1]["allow_retry"] is True


async def test_concurrent_401s_share_one_renewal(edge: Any) -> None:
    server, base = edge
    renewals: list[int] = []

    def provider() -> str:  # sync, slow: runs in a worker thread, not on the event loop
        renewals.append(1)
        threading.Event().wait(0.1)
        return f"fresh-{len(renewals)}"

    backend = ChatKitBackend(f"{base}/renew", token="expired", token_provider=provider)
    request = {"type": "threads.list", "params": {}}
    results = await asyncio.gather(*(backend.call(request) for _ in range(3)))
    assert results == [{"ok": True}] * 3
    assert len(renewals) == 1  # a rotating provider would have invalidated its own tokens
    assert server.authorizations.count("Bearer fresh-1") == 3


async def test_a_server_that_echoes_the_token_does_not_show_it(edge: Any) -> None:
    _server, base = edge
    chat = ChatWidget(backend=ChatKitBackend(f"{base}/echo", token=TOKEN, retry=FAST))
    with pytest.raises(ChatError) as caught:
        await chat.ask("hello")
    assert TOKEN not in str(caught.value)
    assert "bad token Bearer [token]" in str(caught.value)


def test_urls_with_credentials_and_bad_headers_are_refused_without_echoing_them() -> None:
    with pytest.raises(ValueError, match="must not hold credentials") as caught:
        ChatKitBackend("https://bob:hunter2@chat.example.com/chatkit")
    assert "hunter2" not in str(caught.value)
    with pytest.raises(ValueError, match="http:// or https://") as caught:
        SSEBackend("ftp://example.com/api/chat?key=hunter2")
    assert "hunter2" not in str(caught.value)
    with pytest.raises(ValueError, match="X-Api-Key") as caught:
        ChatKitBackend("https://chat.example.com/chatkit", headers={"X-Api-Key": "hunter2\n"})
    assert "hunter2" not in str(caught.value)


async def test_a_listed_conversation_opened_by_id_is_imported_once_before_new_turns() -> None:
    api = SSEChatAPI(token=TOKEN)
    earlier = api.add_conversation([("user", "earlier question"), ("assistant", "earlier")])
    with serve_app(sse_chat_app(api)) as base:
        backend = SSEBackend(f"{base}/api/chat", token=TOKEN)
        chat = ChatWidget(backend=backend, thread_id=earlier)
        # Two views loading it at once, then a new turn: the history comes in once, first.
        request = {"type": "items.list", "params": {"thread_id": earlier, "limit": 50}}
        await asyncio.gather(backend.call(request), backend.call(request))
        await chat.ask("follow-up")
        texts = [(m["role"], m["text"]) for m in chat.messages]
    assert texts[:2] == [("user", "earlier question"), ("assistant", "earlier")]
    assert texts[2][0] == "user" and texts[2][1] == "follow-up"
    assert len(texts) == 4


async def test_an_sse_chat_cut_with_an_open_tool_row_stays_incomplete_after_reload() -> None:
    class CutWithTool:
        def app(self) -> FastAPI:
            app = FastAPI()

            @app.post("/api/chat")
            async def chat(request: Request) -> StreamingResponse:
                body = await request.json()
                return StreamingResponse(self._frames(body), media_type="text/event-stream")

            return app

        async def _frames(self, body: dict[str, Any]) -> AsyncIterator[bytes]:
            yield _frame({"content": "Looking "})
            yield _frame({"tool": "lookup", "status": "pending", "arguments": {}})
            yield _frame({"content": "while it runs"})
            raise RuntimeError("cut on purpose")  # uvicorn drops the connection mid-body

    with serve_app(CutWithTool().app()) as base:
        chat = ChatWidget(backend=SSEBackend(f"{base}/api/chat", retry=FAST))
        with pytest.raises(ChatError, match="dropped before the reply finished"):
            await chat.ask("find it")
        messages = chat.messages
    # The note that the reply is incomplete follows the message the cut interrupted, before
    # the tool row left open, and is found there on reload.
    assistant = [(m["text"], m.get("incomplete")) for m in messages if m["role"] == "assistant"]
    assert assistant == [("Looking ", None), ("while it runs", True)]
    tools = [m["tool"] for m in messages if m["role"] == "tool"]
    assert tools and tools[0]["status"] == "error"


async def _events(backend: ChatKitBackend) -> list[dict[str, Any]]:
    request = {"type": "threads.create", "params": {"input": {"content": []}}}
    return [event async for event in backend.stream(request)]


async def test_a_workflow_left_open_before_a_client_tool_call_is_no_cut(edge: Any) -> None:
    _server, base = edge
    events = await _events(ChatKitBackend(f"{base}/client-tool", token=TOKEN, retry=FAST))
    assert [e["type"] for e in events if e["type"] == "error"] == []
    assert events[-1]["item"]["type"] == "client_tool_call"  # the bridge runs it next


async def test_a_server_error_is_not_followed_by_a_second_one(edge: Any) -> None:
    _server, base = edge
    events = await _events(ChatKitBackend(f"{base}/failed", token=TOKEN, retry=FAST))
    errors = [e for e in events if e["type"] == "error"]
    assert errors == [{"type": "error", "code": "custom", "message": "model down"}]


async def test_a_refused_request_is_marked_unsent_and_redirects_hide_credentials(
    edge: Any,
) -> None:
    _server, base = edge
    events = await _events(
        ChatKitBackend(f"{base}/moved-with-credentials", token=TOKEN, retry=FAST)
    )
    assert events[-1]["unsent"] is True and events[-1]["allow_retry"] is False
    message = events[-1]["message"]
    assert "https://other.example/chatkit" in message
    assert "pw" not in message and "key=x" not in message


async def test_a_retry_after_date_is_honoured(edge: Any) -> None:
    server, base = edge
    events = await _events(ChatKitBackend(f"{base}/busy-until", token=TOKEN, retry=FAST))
    notices = [e["text"] for e in events if e["type"] == "progress_update"]
    assert notices == [
        f"{base.removeprefix('http://')} answered 503 Service Unavailable; retrying in 0 s "
        f"(retry {n} of 2)"
        for n in (1, 2)
    ]
    assert events[-1]["unsent"] is True and server.posts["busy-until"] == 3


async def test_an_sse_line_too_long_to_keep_is_skipped_to_its_end(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from chatkit_widget.backends import _http

    monkeypatch.setattr(_http, "MAX_LINE", 10)

    async def chunks() -> AsyncIterator[bytes]:
        for chunk in [b"data: 1\n\n", b"data: ", b"x" * 8, b"data: y" * 3, b"z\n", b"\n"]:
            yield chunk
        yield b"data: 2\n\n"

    assert [p async for p in _http.sse_payloads(chunks())] == ["1", "2"]
    assert len([r for r in caplog.records if "over 10 bytes" in r.getMessage()]) == 1


async def test_a_failed_history_import_before_a_turn_does_not_hold_it_or_duplicate() -> None:
    api = SSEChatAPI(token=TOKEN)
    earlier = api.add_conversation([("user", "earlier question"), ("assistant", "earlier")])
    with serve_app(sse_chat_app(api)) as base:
        # The messages endpoint is missing here: the history cannot be fetched.
        backend = SSEBackend(
            f"{base}/api/chat", conversations_url=f"{base}/api/conversations", token=TOKEN
        )
        chat = ChatWidget(backend=backend, thread_id=earlier)
        backend.conversations_url = f"{base}/nowhere"
        await chat.ask("follow-up")
        backend.conversations_url = f"{base}/api/conversations"
        texts = [m["text"] for m in chat.messages]
    assert texts[0] == "follow-up" and len(texts) == 2  # no history appended after the turn

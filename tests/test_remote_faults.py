"""What the remote backends do when the network or the server misbehaves.

Every test runs against a real server on a socket
(``tests.support.remote_servers.FaultServer``), whose plan of faults applies to successive
requests, for ``ChatKitBackend`` (ChatKit events at ``/chatkit``) and ``SSEBackend`` (SSE chat
API frames at ``/api/chat``). The widget is driven as the browser drives it; what the UI would
show is read from the streamed events.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from chatkit_widget import ChatError, ChatKitBackend, ChatWidget, RetryConfig, SSEBackend
from chatkit_widget.backends._base import Backend

from .conftest import FrontEnd
from .support.http_servers import free_port, serve_app
from .support.remote_servers import (
    DEFAULT_TOKEN,
    FaultServer,
    cut_after,
    eventually,
    fault_app,
    junk,
    rate_limited,
    slow_first_byte,
    status,
    unauthorized,
)

KINDS = ["chatkit", "sse"]
FRESH = "fresh-token"
QUESTION = "hello brave new world"
ANSWER = f"You said: {QUESTION}"


@pytest.fixture
def faults() -> Iterator[tuple[FaultServer, str]]:
    server = FaultServer()
    with serve_app(fault_app(server)) as base:
        yield server, base


@pytest.fixture
def chats() -> Iterator[list[ChatWidget]]:
    made: list[ChatWidget] = []
    yield made
    for chat in made:
        chat.stop()
        chat.close()


@pytest.fixture
def make_chat(chats: list[ChatWidget]) -> Callable[..., ChatWidget]:
    """``make_chat(kind, base, **backend_options)``: a widget on a remote backend."""

    def make(kind: str, base: str, **options: Any) -> ChatWidget:
        chat = ChatWidget(backend=make_backend(kind, base, **options))
        chats.append(chat)
        return chat

    return make


def make_backend(kind: str, base: str, **options: Any) -> Backend:
    options.setdefault("token", DEFAULT_TOKEN)
    options.setdefault("retry", RetryConfig(max_retries=3, retry_delay=0.01))
    if kind == "chatkit":
        return ChatKitBackend(f"{base}/chatkit", **options)
    return SSEBackend(f"{base}/api/chat", **options)


async def turn(
    chat: ChatWidget, text: str = QUESTION
) -> tuple[FrontEnd, str, list[dict[str, Any]]]:
    """Send a first message as the UI does; returns the front end, end reason and events."""
    fe = FrontEnd(chat)
    rid = fe.request("threads.create", input=fe.message(text))
    end = await fe.until(rid, "end", wait_s=20)
    return fe, end["reason"], fe.events(rid)


def of_type(events: list[dict[str, Any]], type_: str) -> list[dict[str, Any]]:
    return [e for e in events if e["type"] == type_]


def reply_text(events: list[dict[str, Any]]) -> str:
    done = [
        e["item"]
        for e in of_type(events, "thread.item.done")
        if e["item"]["type"] == "assistant_message"
    ]
    assert done, f"no assistant message completed in {[e['type'] for e in events]}"
    return "".join(part["text"] for part in done[-1]["content"])


def the_error(events: list[dict[str, Any]]) -> dict[str, Any]:
    """The turn's one error event; its message never holds the token."""
    errors = of_type(events, "error")
    assert len(errors) == 1, errors
    assert DEFAULT_TOKEN not in (errors[0].get("message") or "")
    return errors[0]


def progress_texts(events: list[dict[str, Any]]) -> list[str]:
    return [e["text"] for e in of_type(events, "progress_update")]


def provider_for(style: str, calls: list[str], token: str = FRESH) -> Callable[[], Any]:
    def sync_provider() -> str:
        calls.append(token)
        return token

    async def async_provider() -> str:
        calls.append(token)
        return token

    return sync_provider if style == "sync" else async_provider


# -- 401 ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("style", ["sync", "async"])
@pytest.mark.parametrize("kind", KINDS)
async def test_a_401_is_renewed_once_by_the_token_provider_invisibly(
    faults: tuple[FaultServer, str], make_chat: Callable[..., ChatWidget], kind: str, style: str
) -> None:
    server, base = faults
    calls: list[str] = []
    server.plan(unauthorized(unless_token=FRESH))
    chat = make_chat(kind, base, token="stale-token", token_provider=provider_for(style, calls))
    _fe, reason, events = await turn(chat)
    assert reason == "done"
    assert reply_text(events) == ANSWER
    assert not of_type(events, "error")
    assert not of_type(events, "progress_update")
    assert calls == [FRESH]
    assert server.authorizations[:2] == ["Bearer stale-token", f"Bearer {FRESH}"]
    # the fresh token is kept for what follows
    assert await chat.ask("once more") == "You said: once more"
    assert server.authorizations[-1] == f"Bearer {FRESH}"
    assert calls == [FRESH]


@pytest.mark.parametrize("kind", KINDS)
async def test_a_token_provider_alone_supplies_the_first_token(
    faults: tuple[FaultServer, str], make_chat: Callable[..., ChatWidget], kind: str
) -> None:
    server, base = faults
    calls: list[str] = []
    chat = make_chat(kind, base, token=None, token_provider=provider_for("sync", calls))
    assert await chat.ask(QUESTION) == ANSWER
    assert server.authorizations[0] == f"Bearer {FRESH}"
    assert calls == [FRESH]


@pytest.mark.parametrize("kind", KINDS)
async def test_a_second_401_ends_the_turn_not_authorized(
    faults: tuple[FaultServer, str], make_chat: Callable[..., ChatWidget], kind: str
) -> None:
    server, base = faults
    calls: list[str] = []
    server.plan(unauthorized(), unauthorized())
    chat = make_chat(kind, base, token="stale-token", token_provider=provider_for("async", calls))
    _fe, reason, events = await turn(chat)
    assert reason == "error"
    error = the_error(events)
    assert error["message"].startswith("Not authorized")
    assert error["allow_retry"] is False
    assert calls == [FRESH]
    assert len(server.turns) == 2
    assert not of_type(events, "progress_update")


@pytest.mark.parametrize("kind", KINDS)
async def test_a_401_without_a_provider_is_not_retried(
    faults: tuple[FaultServer, str], make_chat: Callable[..., ChatWidget], kind: str
) -> None:
    server, base = faults
    server.plan(unauthorized())
    chat = make_chat(kind, base)
    _fe, reason, events = await turn(chat)
    assert reason == "error"
    error = the_error(events)
    assert error["message"].startswith("Not authorized")
    assert error["allow_retry"] is False
    assert len(server.turns) == 1
    with pytest.raises(ChatError, match=r"^Not authorized"):
        server.plan(unauthorized())
        await chat.ask("again")


# -- 429 and 5xx --------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
async def test_a_429_waits_for_retry_after_and_says_so(
    faults: tuple[FaultServer, str], make_chat: Callable[..., ChatWidget], kind: str
) -> None:
    server, base = faults
    server.plan(rate_limited(retry_after=1))
    chat = make_chat(kind, base)
    _fe, reason, events = await turn(chat)
    assert reason == "done"
    assert reply_text(events) == ANSWER
    assert not of_type(events, "error")
    texts = progress_texts(events)
    assert len(texts) == 1 and re.search(r"rate limited, retrying in 1 s", texts[0], re.I), texts
    assert len(server.turns) == 2
    assert server.turns[1].at - server.turns[0].at >= 0.9


@pytest.mark.parametrize("code", [500, 503])
@pytest.mark.parametrize("kind", KINDS)
async def test_5xx_is_retried_with_notices_and_then_succeeds(
    faults: tuple[FaultServer, str], make_chat: Callable[..., ChatWidget], kind: str, code: int
) -> None:
    server, base = faults
    server.plan(status(code), status(code))
    chat = make_chat(kind, base)
    _fe, reason, events = await turn(chat)
    assert reason == "done"
    assert reply_text(events) == ANSWER
    assert not of_type(events, "error")
    texts = progress_texts(events)
    assert len(texts) == 2 and all("retrying in" in t for t in texts), texts
    assert len(server.turns) == 3
    # the notices come before the reply
    types = [(e["type"], e.get("item", {}).get("type")) for e in events]
    last_notice = max(i for i, t in enumerate(types) if t[0] == "progress_update")
    assert last_notice < types.index(("thread.item.done", "assistant_message"))


@pytest.mark.parametrize("kind", KINDS)
async def test_5xx_gives_up_after_max_retries_with_a_retryable_error(
    faults: tuple[FaultServer, str], make_chat: Callable[..., ChatWidget], kind: str
) -> None:
    server, base = faults
    server.plan(*[status(503)] * 4)
    chat = make_chat(kind, base, retry=RetryConfig(max_retries=3, retry_delay=0.01, backoff=2))
    _fe, reason, events = await turn(chat)
    assert reason == "error"
    assert len(server.turns) == 4  # the first attempt and 3 retries
    texts = progress_texts(events)
    assert len(texts) == 3 and all("retrying in" in t for t in texts), texts
    error = the_error(events)
    assert error["allow_retry"] is True
    assert "503" in error["message"]
    # then the server recovers: the next message goes through
    assert await chat.ask("better now?") == "You said: better now?"


async def test_backoff_grows_between_retries_up_to_max_delay(
    faults: tuple[FaultServer, str], make_chat: Callable[..., ChatWidget]
) -> None:
    server, base = faults
    server.plan(status(503), status(503), status(503))
    retry = RetryConfig(max_retries=3, retry_delay=0.2, backoff=5.0, max_delay=0.5)
    chat = make_chat("chatkit", base, retry=retry)
    _fe, reason, _events = await turn(chat)
    assert reason == "done"
    gaps = server.gaps()
    assert len(gaps) == 3
    # waits of 0.2, then 1.0 and 5.0 capped at 0.5 (upper bounds leave room for a slow machine)
    assert gaps[0] >= 0.19 and gaps[1] >= 0.48 and gaps[2] >= 0.48, gaps
    assert gaps[1] < 0.95 and gaps[2] < 0.95, gaps


def test_retry_config_defaults() -> None:
    retry = RetryConfig()
    assert (retry.max_retries, retry.retry_delay, retry.max_delay, retry.backoff) == (
        3,
        1.0,
        30.0,
        2.0,
    )


UNREACHABLE = {
    # nothing listens on a free port; .invalid never resolves (RFC 2606)
    "refused": (lambda: f"http://127.0.0.1:{free_port()}", r"connection refused"),
    "dns": (lambda: "http://nonexistent.invalid", r"could not find the host .*DNS lookup failed"),
}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("unreachable", UNREACHABLE)
async def test_an_unreachable_server_is_retried_then_reported(
    make_chat: Callable[..., ChatWidget], kind: str, unreachable: str
) -> None:
    url, says = UNREACHABLE[unreachable]
    chat = make_chat(kind, url())
    _fe, reason, events = await turn(chat)
    assert reason == "error"
    texts = progress_texts(events)
    assert len(texts) == 3 and all("retrying in" in t for t in texts), texts
    error = the_error(events)
    assert error["allow_retry"] is True
    assert re.search(says, error["message"], re.I), error


@pytest.mark.parametrize("kind", KINDS)
async def test_a_timeout_before_the_first_byte_is_retried(
    faults: tuple[FaultServer, str], make_chat: Callable[..., ChatWidget], kind: str
) -> None:
    server, base = faults
    server.plan(slow_first_byte(10))
    chat = make_chat(kind, base, timeout=0.5)
    _fe, reason, events = await turn(chat)
    assert reason == "done"
    assert reply_text(events) == ANSWER
    texts = progress_texts(events)
    assert len(texts) == 1 and "retrying in" in texts[0], texts
    assert len(server.turns) == 2
    await eventually(lambda: server.disconnects, "the server to see the client give up")


@pytest.mark.parametrize("kind", KINDS)
async def test_timeouts_give_up_after_max_retries(
    faults: tuple[FaultServer, str], make_chat: Callable[..., ChatWidget], kind: str
) -> None:
    server, base = faults
    server.plan(slow_first_byte(10), slow_first_byte(10))
    chat = make_chat(kind, base, timeout=0.3, retry=RetryConfig(max_retries=1, retry_delay=0.01))
    _fe, reason, events = await turn(chat)
    assert reason == "error"
    assert len(server.turns) == 2
    error = the_error(events)
    assert error["allow_retry"] is True
    assert re.search(r"time", error["message"], re.I), error


# -- a stream cut mid-reply ---------------------------------------------------------------------


def partial_done(events: list[dict[str, Any]]) -> dict[str, Any]:
    """The ``thread.item.done`` of the cut reply; ``incomplete`` on the event or its item."""
    done = [
        e for e in of_type(events, "thread.item.done") if e["item"]["type"] == "assistant_message"
    ]
    assert len(done) == 1, [e["type"] for e in events]
    assert done[0].get("incomplete") is True or done[0]["item"].get("incomplete") is True, done
    return done[0]


async def test_a_cut_chatkit_stream_keeps_the_partial_reply_and_can_be_retried(
    faults: tuple[FaultServer, str], make_chat: Callable[..., ChatWidget]
) -> None:
    server, base = faults
    # thread.created, user message, stream_options, item added, thread.updated, "You", " said:"
    server.plan(cut_after(7))
    chat = make_chat("chatkit", base)
    fe, reason, events = await turn(chat)
    assert reason == "error"
    done = partial_done(events)
    assert "".join(p["text"] for p in done["item"]["content"]) == "You said:"
    error = the_error(events)
    assert error["allow_retry"] is True
    types = [e["type"] for e in events]
    assert types.index("error") > types.index("thread.item.done")
    assert len(server.turns) == 1  # not retried: that would answer the turn twice
    thread_id = events[0]["thread"]["id"]
    (user,) = [
        e["item"]
        for e in of_type(events, "thread.item.done")
        if e["item"]["type"] == "user_message"
    ]
    stored = [i.id for i in server.chatkit.items(thread_id)]
    assert user["id"] in stored  # the user's message is not lost

    rid = fe.request("threads.retry_after_item", thread_id=thread_id, item_id=user["id"])
    assert (await fe.until(rid, "end"))["reason"] == "done"
    assert reply_text(fe.events(rid)) == ANSWER
    assert [(m["role"], m["text"]) for m in chat.messages] == [
        ("user", QUESTION),
        ("assistant", ANSWER),
    ]


async def test_a_cut_sse_stream_keeps_the_partial_reply_and_can_be_retried(
    faults: tuple[FaultServer, str], make_chat: Callable[..., ChatWidget]
) -> None:
    server, base = faults
    server.plan(cut_after(3))  # {"conversation_id"}, "You", " said:"
    chat = make_chat("sse", base)
    fe, reason, events = await turn(chat)
    assert reason == "error"
    done = partial_done(events)
    assert "".join(p["text"] for p in done["item"]["content"]) == "You said:"
    error = the_error(events)
    assert error["allow_retry"] is True
    types = [e["type"] for e in events]
    assert types.index("error") > types.index("thread.item.done")
    assert len(server.turns) == 1
    first = chat.messages[0]
    assert (first["role"], first["text"]) == ("user", QUESTION)

    thread_id = events[0]["thread"]["id"]
    (user,) = [
        e["item"]
        for e in of_type(events, "thread.item.done")
        if e["item"]["type"] == "user_message"
    ]
    rid = fe.request("threads.retry_after_item", thread_id=thread_id, item_id=user["id"])
    assert (await fe.until(rid, "end"))["reason"] == "done"
    assert reply_text(fe.events(rid)) == ANSWER
    assert server.turns[-1].body["message"] == QUESTION
    assert [(m["role"], m["text"]) for m in chat.messages] == [
        ("user", QUESTION),
        ("assistant", ANSWER),
    ]


# -- malformed frames ---------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
async def test_malformed_frames_are_skipped_with_a_warning_each(
    faults: tuple[FaultServer, str],
    make_chat: Callable[..., ChatWidget],
    kind: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    server, base = faults
    caplog.set_level(logging.WARNING)
    server.plan(junk())
    chat = make_chat(kind, base)
    _fe, reason, events = await turn(chat)
    assert reason == "done"
    assert reply_text(events) == ANSWER
    assert not of_type(events, "error")
    assert not of_type(events, "no.such.event")
    assert server.junk_sent >= 3
    warnings = [
        r
        for r in caplog.records
        if r.levelno == logging.WARNING and r.name.startswith("chatkit_widget")
    ]
    assert len(warnings) >= server.junk_sent, [r.getMessage() for r in warnings]


# -- Stop ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
async def test_stop_closes_the_connection(
    faults: tuple[FaultServer, str], make_chat: Callable[..., ChatWidget], kind: str
) -> None:
    server, base = faults
    chat = make_chat(kind, base)
    fe = FrontEnd(chat)
    rid = fe.request("threads.create", input=fe.message("be slow"))
    await eventually(
        lambda: any(e["type"] == "thread.item.updated" for e in fe.events(rid)),
        "the reply to start",
    )
    fe.send({"kind": "cancel", "id": rid})
    assert (await fe.until(rid, "end"))["reason"] == "cancelled"
    await eventually(lambda: server.disconnects, "the server to see the disconnect")
    if kind == "chatkit":
        await eventually(lambda: server.chatkit.cancelled, "handle_stream_cancelled to run")


@pytest.mark.parametrize("kind", KINDS)
async def test_chat_stop_closes_the_connection(
    faults: tuple[FaultServer, str], make_chat: Callable[..., ChatWidget], kind: str
) -> None:
    server, base = faults
    chat = make_chat(kind, base)
    fe = FrontEnd(chat)  # every view sees the turns ask() runs
    task = chat.send("slow, please")
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
    ends = [m for m in fe.received if m["kind"] == "end"]
    assert [m["reason"] for m in ends] == ["cancelled"]
    await eventually(lambda: server.disconnects, "the server to see the disconnect")


# -- secrets ------------------------------------------------------------------------------------

SECRET = "sk-test-SECRET-123"
FRESH_SECRET = "sk-fresh-SECRET-456"


@pytest.mark.parametrize("kind", KINDS)
async def test_tokens_never_leak(
    faults: tuple[FaultServer, str],
    make_chat: Callable[..., ChatWidget],
    kind: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    server, base = faults
    caplog.set_level(logging.DEBUG)
    calls: list[str] = []
    provider = provider_for("sync", calls, FRESH_SECRET)
    chat = make_chat(kind, base, token=SECRET, token_provider=provider)
    messages: list[str] = []

    def errors_of(events: list[dict[str, Any]]) -> None:
        messages.extend(e.get("message") or "" for e in of_type(events, "error"))
        messages.extend(progress_texts(events))

    # a 401 renewed by the provider, then 503s until it gives up, then a cut stream
    server.plan(unauthorized(unless_token=FRESH_SECRET))
    _fe, reason, events = await turn(chat)
    assert reason == "done"
    server.plan(*[status(503)] * 4)
    _fe, reason, events = await turn(chat, "second")
    errors_of(events)
    assert reason == "error"
    server.plan(cut_after(3))
    _fe, reason, events = await turn(chat, "third message here")
    errors_of(events)
    assert reason == "error"
    server.plan(unauthorized(), unauthorized())
    _fe, reason, events = await turn(chat, "fourth")
    errors_of(events)
    assert reason == "error"
    server.plan(rate_limited(retry_after=0), junk())
    _fe, reason, events = await turn(chat, "fifth")
    errors_of(events)
    assert reason == "done"
    # no provider: a plain 401; nothing listening
    plain = make_chat(kind, base, token=SECRET)
    server.plan(unauthorized())
    _fe, reason, events = await turn(plain)
    errors_of(events)
    refused = make_chat(kind, f"http://127.0.0.1:{free_port()}", token=SECRET)
    _fe, reason, events = await turn(refused)
    errors_of(events)
    assert reason == "error"
    unknown = make_chat(kind, "http://nonexistent.invalid", token=SECRET, token_provider=provider)
    _fe, reason, events = await turn(unknown)
    errors_of(events)
    assert reason == "error"

    # the secrets did travel (so this test can fail) ...
    assert f"Bearer {SECRET}" in server.authorizations
    assert f"Bearer {FRESH_SECRET}" in server.authorizations
    assert any(r.name.startswith(("httpx", "httpcore")) for r in caplog.records)
    assert len(messages) >= 10
    # ... but show nowhere else
    shown = [
        *messages,
        *(repr(c) for c in (chat, plain, refused, unknown)),
        *(repr(c._backend) for c in (chat, plain, refused, unknown)),
        *(json.dumps(c.get_state(), default=str) for c in (chat, plain, refused, unknown)),
        *(r.getMessage() for r in caplog.records),
        caplog.text,
    ]
    leaks = [text for text in shown if "SECRET" in text]
    assert not leaks, leaks

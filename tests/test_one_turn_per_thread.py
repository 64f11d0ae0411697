"""A thread runs one turn at a time, whichever process or host serves its requests.

Two tabs (or two hosts behind a load balancer) sending to one conversation at once must not
interleave it: the second turn waits for the first, then sees its reply. ``_turns.claim_thread``
does it through the store, so these tests use real stores: in one process, and across two real
``serve`` processes on one SQLite file and on one PostgreSQL database.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from pathlib import Path

import httpx
import pytest

from chatkit_widget import OfflineDemoModel
from chatkit_widget._messages import to_messages
from chatkit_widget.backends import AgentBackend
from chatkit_widget.backends._in_process import turn_request
from chatkit_widget.demo import demo_agent
from chatkit_widget.server import mint_token
from chatkit_widget.store import SQLiteStore

from .support.http_servers import serve_process

SECRET = "turn-order-secret-0123456789abcdef0123456789abcdef"


def counted(n: int) -> str:
    return " ".join(str(i) for i in range(1, n + 1))


def assert_turns_in_order(messages: list[dict[str, object]], counts: list[int]) -> None:
    """User and assistant alternate, each reply whole and answering the message before it."""
    assert [m["role"] for m in messages] == ["user", "assistant"] * (len(messages) // 2)
    asked = [m["text"] for m in messages[::2]]
    answered = [m["text"] for m in messages[1::2]]
    assert sorted(asked) == sorted(f"count to {n}" for n in counts)
    for question, answer in zip(asked, answered, strict=True):
        assert answer == counted(int(str(question).split()[-1]))
    assert not any(m.get("incomplete") for m in messages)


async def test_two_sends_to_one_thread_at_once_are_answered_one_after_the_other(
    tmp_path: Path,
) -> None:
    store = SQLiteStore(tmp_path / "chats.sqlite")
    backend = AgentBackend(demo_agent(model=OfflineDemoModel(delay=0.01)), store)
    created = [e async for e in backend.stream(turn_request("count to 3", None))]
    thread_id = next(e["thread"]["id"] for e in created if e["type"] == "thread.created")

    async def send(text: str) -> list[dict[str, object]]:
        return [dict(e) async for e in backend.stream(turn_request(text, thread_id))]

    first, second = await asyncio.gather(send("count to 60"), send("count to 40"))
    assert not [e for e in first + second if e["type"] == "error"]
    assert_turns_in_order(to_messages(store.all_items_sync(thread_id)), [3, 60, 40])


async def test_a_turn_kept_waiting_too_long_says_the_thread_is_busy_and_stores_nothing(
    tmp_path: Path,
) -> None:
    store = SQLiteStore(tmp_path / "chats.sqlite")
    backend = AgentBackend(demo_agent(model=OfflineDemoModel(delay=0.01)), store)
    backend.server.turn_wait_limit = 0.3
    created = [e async for e in backend.stream(turn_request("count to 3", None))]
    thread_id = next(e["thread"]["id"] for e in created if e["type"] == "thread.created")

    long_turn = backend.stream(turn_request("count to 300", thread_id))
    async for event in long_turn:  # streaming (3 s in all): the thread is held
        if event["type"] == "thread.item.updated":
            break
    late = [e async for e in backend.stream(turn_request("count to 5", thread_id))]
    (error,) = [e for e in late if e["type"] == "error"]
    assert "still answering" in str(error["message"]) and error["allow_retry"] is True
    assert not [e for e in late if e["type"] == "thread.item.added"], "its message was not stored"
    async for _ in long_turn:
        pass

    again = [e async for e in backend.stream(turn_request("count to 5", thread_id))]
    assert not [e for e in again if e["type"] == "error"]
    assert_turns_in_order(to_messages(store.all_items_sync(thread_id)), [3, 300, 5])


@pytest.fixture(params=["sqlite", "postgres"])
def shared_store(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "postgres":
        return str(request.getfixturevalue("postgres_url"))
    return str(tmp_path / "shared.sqlite")


def test_two_hosts_answering_one_thread_at_once_keep_its_turns_in_order(
    shared_store: str,
) -> None:
    headers = {"Authorization": f"Bearer {mint_token('ada', secret=SECRET)}"}
    target = "tests.support.serve_target:agent"  # the offline model at 100 tokens a second
    with (
        serve_process(target, shared_store, SECRET) as host_a,
        serve_process(target, shared_store, SECRET) as host_b,
    ):
        first = httpx.post(
            host_a.url + "/api/chat", json={"message": "count to 3"}, headers=headers, timeout=60
        )
        conversation = json.loads(first.text.split("\n")[0].removeprefix("data: "))
        thread_id = conversation["conversation_id"]

        streamed: dict[str, str] = {}
        first_token: dict[str, float] = {}
        last_token: dict[str, float] = {}

        def send(host: str, text: str, started: threading.Event | None = None) -> None:
            body = {"message": text, "conversation_id": thread_id}
            with httpx.stream(
                "POST", host + "/api/chat", json=body, headers=headers, timeout=60
            ) as reply:
                assert reply.status_code == 200
                parts = []
                for line in reply.iter_lines():
                    if line.startswith('data: {"content"'):
                        first_token.setdefault(text, time.monotonic())
                        last_token[text] = time.monotonic()
                        parts.append(json.loads(line.removeprefix("data: "))["content"])
                        if started is not None:
                            started.set()
                streamed[text] = "".join(parts)

        # Host B is asked while host A streams its reply: B answers once A's reply is whole.
        streaming = threading.Event()
        on_a = threading.Thread(target=send, args=(host_a.url, "count to 150", streaming))
        on_a.start()
        assert streaming.wait(30)
        send(host_b.url, "count to 100")
        on_a.join()
        assert streamed == {"count to 150": counted(150), "count to 100": counted(100)}
        assert first_token["count to 100"] > last_token["count to 150"], "B streamed alongside A"

        listing = {"type": "items.list", "params": {"thread_id": thread_id, "order": "asc"}}
        items = httpx.post(host_b.url + "/chatkit", json=listing, headers=headers).json()["data"]
    messages = [
        {
            "role": "user" if item["type"] == "user_message" else "assistant",
            "text": item["content"][0]["text"],
        }
        for item in items
        if item["type"] in ("user_message", "assistant_message")
    ]
    assert len({item["id"] for item in items}) == len(items), "no item twice"
    assert_turns_in_order(messages, [3, 150, 100])

"""``chatkit-widget serve``: the HTTP app on real sockets, its tokens, and the CLI."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest

from chatkit_widget import SQLiteStore
from chatkit_widget._cli import main
from chatkit_widget.server import (
    MissingSecretError,
    TokenError,
    create_app,
    mint_token,
    verify_token,
)
from chatkit_widget.server._app import STORE_ENV, TARGET_ENV, app_from_env
from chatkit_widget.server._body_limit import parse_size
from chatkit_widget.server._rate_limit import RateLimit
from tests.support.http_servers import free_port, serve_app, serve_process
from tests.support.serve_target import make_agent

SECRET = "test-secret-0123456789abcdef0123456789abcdef"
REPO = Path(__file__).resolve().parent.parent
COUNT_TO_200 = " ".join(str(i) for i in range(1, 201))
JSON_ONLY = {"Accept": "application/json"}


def auth(user: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint_token(user, secret=SECRET)}"}


def chat_input(text: str) -> dict[str, Any]:
    return {
        "content": [{"type": "input_text", "text": text}],
        "attachments": [],
        "inference_options": {},
    }


def sse(response: httpx.Response) -> list[str]:
    """The data of each server-sent event, in order."""
    return [line[len("data: ") :] for line in response.iter_lines() if line.startswith("data: ")]


class Client:
    """Speaks both protocols to one app as one user."""

    def __init__(self, url: str, user: str) -> None:
        self.http = httpx.Client(base_url=url, headers=auth(user), timeout=30)

    def close(self) -> None:
        self.http.close()

    def call(self, type_: str, **params: Any) -> httpx.Response:
        return self.http.post("/chatkit", json={"type": type_, "params": params})

    def stream(self, type_: str, **params: Any) -> list[dict[str, Any]]:
        body = {"type": type_, "params": params}
        with self.http.stream("POST", "/chatkit", json=body) as response:
            assert response.status_code == 200, response.read()
            assert response.headers["content-type"].startswith("text/event-stream")
            return [json.loads(data) for data in sse(response)]

    def create_thread(self, text: str) -> tuple[str, list[dict[str, Any]]]:
        events = self.stream("threads.create", input=chat_input(text))
        assert events[0]["type"] == "thread.created"
        return events[0]["thread"]["id"], events

    def sse_chat(
        self, message: str, conversation_id: str | None = None
    ) -> tuple[httpx.Response, list[str]]:
        body = {"message": message, "conversation_id": conversation_id}
        with self.http.stream("POST", "/api/chat", json=body) as response:
            return response, sse(response) if response.status_code == 200 else []


def reply_text(events: list[dict[str, Any]]) -> str:
    done = [
        e["item"]
        for e in events
        if e["type"] == "thread.item.done" and e["item"]["type"] == "assistant_message"
    ]
    return "".join(part["text"] for part in done[-1]["content"])


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "server.sqlite"


@pytest.fixture
def url(store_path: Path) -> Iterator[str]:
    with serve_app(create_app(make_agent, store=store_path, secret=SECRET)) as base:
        yield base


@pytest.fixture
def alice(url: str) -> Iterator[Client]:
    client = Client(url, "alice")
    yield client
    client.close()


@pytest.fixture
def bob(url: str) -> Iterator[Client]:
    client = Client(url, "bob")
    yield client
    client.close()


# -- tokens -------------------------------------------------------------------------------------


def test_token_round_trip_and_claims() -> None:
    token = mint_token("alice", secret=SECRET, expires_in=60)
    assert verify_token(token, SECRET) == "alice"
    claims = jwt.decode(token, SECRET, algorithms=["HS256"])
    assert claims["sub"] == "alice"
    assert claims["exp"] - claims["iat"] == 60


def test_mint_token_reads_the_secret_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHATKIT_WIDGET_SECRET", SECRET)
    assert verify_token(mint_token("carol"), SECRET) == "carol"
    monkeypatch.delenv("CHATKIT_WIDGET_SECRET")
    with pytest.raises(MissingSecretError, match="CHATKIT_WIDGET_SECRET"):
        mint_token("carol")


@pytest.mark.parametrize(
    ("token", "message"),
    [
        (mint_token("alice", secret="another-secret-" + "x" * 32), "signature"),
        (jwt.encode({"sub": "alice", "exp": int(time.time()) - 10}, SECRET), "expired"),
        (jwt.encode({"exp": int(time.time()) + 86400}, SECRET), "'sub'"),
        (jwt.encode({"sub": "", "exp": int(time.time()) + 86400}, SECRET), "no user"),
        ("not-a-jwt", "not a JWT"),
        ("a.b\xb7.c", "not a JWT"),  # PyJWT says "'utf-8' codec can't decode byte 0xb7"
    ],
    # Made at collection time: the valid expiries are a day away, not seconds.
    ids=["bad-signature", "expired", "no-sub", "empty-sub", "garbage", "not-utf8"],
)
def test_verify_token_rejects(token: str, message: str) -> None:
    with pytest.raises(TokenError, match=message):
        verify_token(token, SECRET)


def test_create_app_needs_a_secret(monkeypatch: pytest.MonkeyPatch, store_path: Path) -> None:
    monkeypatch.delenv("CHATKIT_WIDGET_SECRET", raising=False)
    with pytest.raises(MissingSecretError, match="CHATKIT_WIDGET_SECRET"):
        create_app(make_agent, store=store_path)


# -- authentication -----------------------------------------------------------------------------

EXPIRED = jwt.encode({"sub": "alice", "exp": int(time.time()) - 10}, SECRET)


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer garbage"},
        {"Authorization": f"Bearer {EXPIRED}"},
        {"Authorization": f"Basic {SECRET}"},
    ],
    ids=["no-header", "garbage", "expired", "not-bearer"],
)
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/chatkit"),
        ("POST", "/api/chat"),
        ("GET", "/api/conversations"),
        ("GET", "/api/conversations/x/messages"),
    ],
)
def test_requests_without_a_valid_token_get_401(
    url: str, headers: dict[str, str], method: str, path: str
) -> None:
    body = {"type": "threads.list", "params": {}} if path == "/chatkit" else {"message": "hi"}
    response = httpx.request(method, url + path, headers=headers, json=body)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["detail"]


def test_health_needs_no_token(url: str) -> None:
    assert httpx.get(url + "/health").json() == {"status": "ok"}


# -- ChatKit protocol ---------------------------------------------------------------------------


def test_chatkit_threads_create_streams_a_reply_that_list_and_items_show(alice: Client) -> None:
    thread_id, events = alice.create_thread("count to 5")
    assert reply_text(events) == "1 2 3 4 5"
    deltas = [e for e in events if e["type"] == "thread.item.updated"]
    assert len(deltas) >= 5  # it really streamed, word by word

    threads = alice.call("threads.list").json()["data"]
    assert [(t["id"], t["title"]) for t in threads] == [(thread_id, "count to 5")]
    items = alice.call("items.list", thread_id=thread_id, order="asc").json()["data"]
    assert [i["type"] for i in items] == ["user_message", "assistant_message"]
    assert items[1]["content"][0]["text"] == "1 2 3 4 5"

    events = alice.stream(
        "threads.add_user_message", thread_id=thread_id, input=chat_input("echo: again")
    )
    assert reply_text(events) == "again"
    assert len(alice.call("items.list", thread_id=thread_id, order="asc").json()["data"]) == 4


def test_chatkit_rejects_bad_requests_with_400(alice: Client) -> None:
    response = alice.http.post("/chatkit", content=b"{not json")
    assert response.status_code == 400
    assert "not valid JSON" in response.json()["detail"]
    response = alice.call("threads.no_such_request")
    assert response.status_code == 400
    assert "Invalid ChatKit request" in response.json()["detail"]
    response = alice.call("attachments.create", name="a.txt", size=1, mime_type="text/plain")
    assert response.status_code == 400
    assert "not supported" in response.json()["detail"]


def test_users_see_only_their_own_threads(alice: Client, bob: Client) -> None:
    thread_id, _ = alice.create_thread("echo: secret plans")
    bobs_thread, _ = bob.create_thread("echo: bob's own")

    for response in [
        bob.call("threads.get_by_id", thread_id=thread_id),
        bob.call("items.list", thread_id=thread_id, order="asc"),
        bob.call("threads.update", thread_id=thread_id, title="mine now"),
        bob.call("threads.delete", thread_id=thread_id),
        bob.call("threads.add_user_message", thread_id=thread_id, input=chat_input("hi")),
        bob.call("items.list", thread_id="thr_does_not_exist"),
        bob.http.get(f"/api/conversations/{thread_id}/messages"),
        bob.http.post("/api/chat", json={"message": "hi", "conversation_id": thread_id}),
    ]:
        assert response.status_code == 404, response.text
        assert response.json() == {"detail": response.json()["detail"]}
    # Another user's thread and a missing one answer alike: existence does not leak.
    missing = bob.call("threads.get_by_id", thread_id="thr_does_not_exist")
    assert missing.status_code == 404
    assert missing.json() == bob.call("threads.get_by_id", thread_id=thread_id).json()

    assert [t["id"] for t in bob.call("threads.list").json()["data"]] == [bobs_thread]
    assert [c["id"] for c in bob.http.get("/api/conversations").json()["conversations"]] == [
        bobs_thread
    ]
    # Alice's thread is untouched by bob's attempts.
    thread = alice.call("threads.get_by_id", thread_id=thread_id).json()
    assert thread["title"] == "echo: secret plans"
    assert len(thread["items"]["data"]) == 2


def test_disconnect_cancels_the_run_and_keeps_the_partial_reply(alice: Client) -> None:
    body = {"type": "threads.create", "params": {"input": chat_input("count to 200")}}
    thread_id = None
    deltas = 0
    with alice.http.stream("POST", "/chatkit", json=body) as response:
        for line in response.iter_lines():  # read as it streams
            if not line.startswith("data: "):
                continue
            event = json.loads(line.removeprefix("data: "))
            if event["type"] == "thread.created":
                thread_id = event["thread"]["id"]
            deltas += event["type"] == "thread.item.updated"
            if deltas >= 5:
                break  # leaving the block closes the connection mid-reply
    assert thread_id is not None

    deadline = time.monotonic() + 10
    while True:
        messages = alice.http.get(f"/api/conversations/{thread_id}/messages").json()["messages"]
        replies = [m for m in messages if m["role"] == "assistant"]
        if replies and replies[0].get("stopped"):
            break
        assert time.monotonic() < deadline, messages
        time.sleep(0.05)
    partial = replies[0]["text"]
    assert partial.startswith("1 2 3")
    assert COUNT_TO_200.startswith(partial)
    assert len(partial) < len(COUNT_TO_200)  # the run stopped, not finished
    time.sleep(0.3)  # and it stays stopped: nothing more is written after the cancel
    items = alice.call("items.list", thread_id=thread_id, order="asc").json()["data"]
    assert [i["type"] for i in items] == ["user_message", "assistant_message"]
    assert items[1]["content"][0]["text"] == partial
    assert items[1]["stopped"] is True, "a ChatKit client sees the stop too"
    alice.call("items.feedback", thread_id=thread_id, item_ids=[items[1]["id"]], kind="negative")
    thread = alice.call("threads.get_by_id", thread_id=thread_id).json()
    assert thread["items"]["data"][-1]["feedback"] == "negative"


# -- the SSE chat API -----------------------------------------------------------------------


def test_sse_chat_chat_streams_frames(alice: Client) -> None:
    response, frames = alice.sse_chat("echo: Hello there, SSE chat client")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    first = json.loads(frames[0])
    assert list(first) == ["conversation_id"]
    assert response.headers["x-conversation-id"] == first["conversation_id"]
    assert frames[-1] == "[DONE]"
    chunks = [json.loads(f) for f in frames[1:-1]]
    assert all(list(c) == ["content"] for c in chunks)
    assert len(chunks) > 1
    assert "".join(c["content"] for c in chunks) == "Hello there, SSE chat client"
    # The conversation is a ChatKit thread like any other.
    items = alice.call("items.list", thread_id=first["conversation_id"], order="asc").json()["data"]
    assert [i["type"] for i in items] == ["user_message", "assistant_message"]


def test_sse_chat_chat_tool_frames(alice: Client) -> None:
    _, frames = alice.sse_chat('use tool divide with {"a": 6, "b": 3}')
    parsed = [json.loads(f) for f in frames[1:-1]]
    tools = [f for f in parsed if "tool" in f]
    assert [(t["tool"], t["status"]) for t in tools] == [
        ("divide", "pending"),
        ("divide", "success"),
    ]
    assert tools[0]["arguments"] == tools[1]["arguments"] == {"a": 6, "b": 3}
    assert tools[1]["output"] == "2.0"
    assert tools[0]["call_id"] == tools[1]["call_id"]
    # The tool frames come before the reply that uses the result.
    assert parsed.index(tools[1]) < min(i for i, f in enumerate(parsed) if "content" in f)
    assert "".join(f.get("content", "") for f in parsed) == "2.0"

    _, frames = alice.sse_chat('use tool divide with {"a": 1, "b": 0}')
    tools = [json.loads(f) for f in frames if f.startswith('{"tool"')]
    assert [t["status"] for t in tools] == ["pending", "error"]
    assert "ZeroDivisionError" in tools[1]["error"]
    assert "output" not in tools[1]


def test_sse_chat_chat_error_frame(alice: Client, caplog: pytest.LogCaptureFixture) -> None:
    _, frames = alice.sse_chat("use tool no_such_tool")
    assert frames[-1] == "[DONE]"
    errors = [json.loads(f)["error"] for f in frames[1:-1] if f.startswith('{"error"')]
    # Users of a deployment see what failed, not the exception's text (it may hold secrets);
    # the operator's log has it.
    assert errors == ["The agent failed (ModelBehaviorError); the server's log has the details."]
    assert any("no_such_tool" in r.getMessage() + str(r.exc_info) for r in caplog.records)


def test_sse_chat_client_minted_ids_continue_one_conversation(alice: Client, bob: Client) -> None:
    conversation_id = "8f14e45f-ceea-467f-a9f4-d2d5f6b1c2aa"
    response, frames = alice.sse_chat("echo: first", conversation_id)
    assert response.headers["x-conversation-id"] == conversation_id
    assert json.loads(frames[0]) == {"conversation_id": conversation_id}
    _, frames = alice.sse_chat("echo: second", conversation_id)
    assert json.loads(frames[0]) == {"conversation_id": conversation_id}

    messages = alice.http.get(f"/api/conversations/{conversation_id}/messages").json()["messages"]
    assert [(m["role"], m["content"]) for m in messages] == [
        ("user", "echo: first"),
        ("assistant", "first"),
        ("user", "echo: second"),
        ("assistant", "second"),
    ]
    assert all(m["content"] == m["text"] for m in messages)
    conversations = alice.http.get("/api/conversations").json()["conversations"]
    assert [c["id"] for c in conversations] == [conversation_id]
    # The id is taken: another user cannot write into it.
    response, _ = bob.sse_chat("echo: intruder", conversation_id)
    assert response.status_code == 404
    assert (
        len(alice.http.get(f"/api/conversations/{conversation_id}/messages").json()["messages"])
        == 4
    )


def test_sse_chat_chat_json_reply(alice: Client) -> None:
    response = alice.http.post(
        "/api/chat", json={"message": "count to 4"}, headers={"Accept": "application/json"}
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["content"] == "1 2 3 4"
    response = alice.http.post(
        "/api/chat",
        json={"message": "echo: more", "conversation_id": body["conversation_id"]},
        headers={"Accept": "application/json"},
    )
    assert response.json() == {"conversation_id": body["conversation_id"], "content": "more"}


def test_sse_chat_chat_json_reply_reports_a_failed_turn(alice: Client) -> None:
    response = alice.http.post(
        "/api/chat",
        json={"message": "use tool no_such_tool"},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 502
    body = response.json()
    assert "ModelBehaviorError" in body["detail"] and "no_such_tool" not in body["detail"]
    assert body["conversation_id"].startswith("thr_")


def test_sse_chat_chat_disconnect_keeps_the_partial_reply(alice: Client) -> None:
    body = {"message": "count to 200", "conversation_id": "stopped-early"}
    chunks = 0
    with alice.http.stream("POST", "/api/chat", json=body) as response:
        for line in response.iter_lines():
            chunks += line.startswith('data: {"content"')
            if chunks >= 3:
                break
    deadline = time.monotonic() + 10
    url = "/api/conversations/stopped-early/messages"
    while not any(m.get("stopped") for m in alice.http.get(url).json()["messages"]):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    reply = alice.http.get(url).json()["messages"][-1]
    assert reply["role"] == "assistant"
    assert reply["text"].startswith("1 2 3") and len(reply["text"]) < len(COUNT_TO_200)


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"message": ""}, "message"),
        ({"message": "   "}, "message"),
        ({}, "message"),
        ({"message": 3}, "message"),
        ({"message": "hi", "conversation_id": "has spaces/and slashes"}, "conversation_id"),
        ([1, 2], "message"),
    ],
)
def test_sse_chat_chat_rejects_bad_bodies(alice: Client, body: Any, detail: str) -> None:
    response = alice.http.post("/api/chat", json=body)
    assert response.status_code == 400
    assert detail in response.json()["detail"]
    assert alice.http.get("/api/conversations").json() == {"conversations": []}


def test_sse_chat_conversations_and_messages(alice: Client) -> None:
    first, _ = alice.create_thread("echo: one")
    _, frames = alice.sse_chat('use tool divide with {"a": 1, "b": 4}')
    second = json.loads(frames[0])["conversation_id"]

    conversations = alice.http.get("/api/conversations").json()["conversations"]
    assert [c["id"] for c in conversations] == [second, first]  # newest first
    assert conversations[1]["title"] == "echo: one"
    for conversation in conversations:
        assert set(conversation) == {"id", "title", "created_at", "updated_at"}
        created = datetime.fromisoformat(conversation["created_at"])
        assert datetime.fromisoformat(conversation["updated_at"]) >= created

    messages = alice.http.get(f"/api/conversations/{second}/messages").json()["messages"]
    assert [m["role"] for m in messages] == ["user", "tool", "assistant"]
    tool = messages[1]
    assert tool["tool"] == {
        "name": "divide",
        "arguments": {"a": 1, "b": 4},
        "output": "0.25",
        "status": "success",
    }
    assert messages[2]["content"] == messages[2]["text"] == "0.25"
    for message in messages:
        assert {"id", "role", "text", "content", "created_at"} <= set(message)


# -- statelessness ------------------------------------------------------------------------------


def test_two_apps_share_one_store(store_path: Path) -> None:
    one = create_app(make_agent, store=store_path, secret=SECRET)
    two = create_app(make_agent(), store=store_path, secret=SECRET)
    with serve_app(one) as url_one, serve_app(two) as url_two:
        first, second = Client(url_one, "alice"), Client(url_two, "alice")
        try:
            _, frames = first.sse_chat("echo: started on one")
            conversation_id = json.loads(frames[0])["conversation_id"]
            _, frames = second.sse_chat("echo: continued on two", conversation_id)
            assert json.loads(frames[0]) == {"conversation_id": conversation_id}
            texts = [
                m["text"]
                for m in second.http.get(f"/api/conversations/{conversation_id}/messages").json()[
                    "messages"
                ]
            ]
            assert texts == [
                "echo: started on one",
                "started on one",
                "echo: continued on two",
                "continued on two",
            ]
            # And the ChatKit endpoint of the first app sees the turn the second one ran.
            items = first.call("items.list", thread_id=conversation_id, order="asc").json()["data"]
            assert len(items) == 4
            assert [t["id"] for t in first.call("threads.list").json()["data"]] == [conversation_id]
        finally:
            first.close()
            second.close()


# -- the command line ---------------------------------------------------------------------------


def test_cli_token_prints_a_verifiable_token(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CHATKIT_WIDGET_SECRET", SECRET)
    assert main(["token", "--user", "u", "--expires-in", "120"]) == 0
    token = capsys.readouterr().out.strip()
    assert verify_token(token, SECRET) == "u"
    claims = jwt.decode(token, SECRET, algorithms=["HS256"])
    assert claims["exp"] - claims["iat"] == 120


def test_cli_needs_the_secret(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("CHATKIT_WIDGET_SECRET", raising=False)
    assert main(["token", "--user", "u"]) != 0
    assert main(["serve", "tests.support.serve_target:agent"]) != 0
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2
    assert all("CHATKIT_WIDGET_SECRET" in line for line in err)


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("tests.support.serve_target", "MODULE:ATTR"),
        ("no_such_module_for_serve:agent", "Could not import"),
        ("tests.support.serve_target:missing", "no attribute"),
        ("tests.support.serve_target:not_an_agent", "not an agents.Agent"),
        ("tests.support.serve_target:not_a_factory", "returned a int"),
    ],
)
def test_cli_serve_rejects_bad_targets(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    target: str,
    message: str,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("CHATKIT_WIDGET_SECRET", SECRET)
    monkeypatch.setenv("CHATKIT_WIDGET_STORE", str(tmp_path / "chats.sqlite"))
    monkeypatch.chdir(REPO)
    assert main(["serve", target, "--port", str(free_port())]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert message in err


@pytest.mark.parametrize(
    ("store", "message"),
    [("mysql://me:hunter2@db/chat", "is a URL this package cannot open"), ("", "is a folder")],
)
def test_cli_serve_rejects_a_store_it_cannot_open_before_importing_the_agent(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    store: str,
    message: str,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("CHATKIT_WIDGET_SECRET", SECRET)
    target = "no_such_module_for_serve:agent"  # never imported: the store is checked first
    assert main(["serve", target, "--store", store or str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and message in err and "hunter2" not in err


def test_workers_build_the_app_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, store_path: Path
) -> None:
    """What each ``--workers`` process runs (uvicorn's factory mode)."""
    monkeypatch.setenv("CHATKIT_WIDGET_SECRET", SECRET)
    monkeypatch.setenv(TARGET_ENV, "tests.support.serve_target:make_agent")
    monkeypatch.setenv(STORE_ENV, str(store_path))
    monkeypatch.chdir(REPO)
    with serve_app(app_from_env()) as url:
        client = Client(url, "alice")
        try:
            _, frames = client.sse_chat("echo: from a worker", "worker-conversation")
            assert (
                "".join(json.loads(f).get("content", "") for f in frames[1:-1]) == "from a worker"
            )
        finally:
            client.close()
    assert SQLiteStore(store_path).owns_thread_sync("worker-conversation", "alice")


def test_cli_serve_runs_a_server(tmp_path: Path) -> None:
    store = tmp_path / "cli.sqlite"
    target = "tests.support.serve_target:agent"
    with serve_process(target, store, SECRET) as served:
        response = httpx.post(
            served.url + "/api/chat",
            json={"message": "echo: over the wire"},
            headers={**auth("cli-user"), "Accept": "application/json"},
            timeout=30,
        )
        assert response.status_code == 200
        assert response.json()["content"] == "over the wire"
        assert store.exists()
        served.process.terminate()
        output = served.output()
    assert f"Serving {target} at {served.url}" in output
    assert "(ChatKit: /chatkit, chat API: /api/chat)" in output
    assert mint_token("cli-user", secret=SECRET).split(".")[0] not in output.replace("eyJ", "")


def test_the_package_imports_without_the_serve_extra() -> None:
    code = (
        "import sys\n"
        "for name in ('fastapi', 'uvicorn', 'jwt'):\n"
        "    sys.modules[name] = None  # as if not installed\n"
        "import chatkit_widget\n"
        "from chatkit_widget._cli import main\n"
        "sys.exit(main(['token', '--user', 'u']))\n"
    )
    env = {**os.environ, "CHATKIT_WIDGET_SECRET": SECRET}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert done.returncode == 1
    assert "pip install 'chatkit-widget[serve]'" in done.stderr
    assert done.stdout == ""


# -- request size ----------------------------------------------------------------------------


def test_a_body_over_the_limit_gets_413_and_nothing_is_stored(
    alice: Client, store_path: Path
) -> None:
    huge = "x" * 2_000_000  # 2 MB: twice the default limit
    for response in (
        alice.call("threads.create", input=chat_input(huge)),
        alice.http.post("/api/chat", json={"message": huge}),
    ):
        assert response.status_code == 413
        assert "larger than this server accepts (1 MB)" in response.json()["detail"]
    assert SQLiteStore(store_path).load_threads_sync(10, None, "desc").data == []
    # Under the limit, a long message goes through.
    long = "echo: " + "y" * 500_000
    response = alice.http.post("/api/chat", json={"message": long}, headers=JSON_ONLY)
    assert response.status_code == 200 and len(response.json()["content"]) == 500_000


def test_a_chunked_body_is_cut_off_at_the_limit(store_path: Path) -> None:
    app = create_app(make_agent, store=store_path, secret=SECRET, max_body=1000)

    def chunks() -> Iterator[bytes]:  # no Content-Length: the server counts as it reads
        body = json.dumps({"message": "z" * 5000}).encode()
        for start in range(0, len(body), 500):
            yield body[start : start + 500]

    with serve_app(app) as base:
        response = httpx.post(
            base + "/api/chat", content=chunks(), headers={**auth("alice"), **JSON_ONLY}
        )
    assert response.status_code == 413
    assert "(1 KB)" in response.json()["detail"]
    assert SQLiteStore(store_path).load_threads_sync(10, None, "desc").data == []


@pytest.mark.parametrize(
    ("text", "size"), [("1MB", 1_000_000), ("512 kb", 512_000), ("2000", 2000), ("10B", 10)]
)
def test_max_body_sizes_parse(text: str, size: int) -> None:
    assert parse_size(text) == size


def test_a_bad_max_body_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "tests.support.serve_target:agent", "--max-body", "lots"]) == 2
    assert "not a size: 'lots'" in capsys.readouterr().err


# -- browsers on other origins, readiness ------------------------------------------------------


def test_only_the_allowed_origins_may_call_from_a_browser(store_path: Path) -> None:
    app = create_app(
        make_agent, store=store_path, secret=SECRET, cors_origins=["https://app.example.com"]
    )
    preflight = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type",
    }
    with serve_app(app) as base:
        allowed = httpx.options(
            base + "/api/chat", headers={"Origin": "https://app.example.com", **preflight}
        )
        assert allowed.status_code == 200
        assert allowed.headers["access-control-allow-origin"] == "https://app.example.com"
        assert "access-control-allow-credentials" not in allowed.headers
        turn = httpx.post(
            base + "/api/chat",
            json={"message": "echo: hi"},
            headers={**auth("alice"), **JSON_ONLY, "Origin": "https://app.example.com"},
            timeout=30,
        )
        assert turn.status_code == 200
        assert turn.headers["access-control-allow-origin"] == "https://app.example.com"
        assert "x-conversation-id" in turn.headers["access-control-expose-headers"].lower()
        other = httpx.options(
            base + "/api/chat", headers={"Origin": "https://elsewhere.example", **preflight}
        )
        assert "access-control-allow-origin" not in other.headers


def test_without_allowed_origins_no_browser_page_may_call(url: str) -> None:
    response = httpx.get(
        url + "/api/conversations", headers={**auth("alice"), "Origin": "https://app.example.com"}
    )
    assert response.status_code == 200 and "access-control-allow-origin" not in response.headers


@pytest.mark.parametrize(
    "origin", ["https://app.example.com/", "app.example.com", "https://app.example.com/chat"]
)
def test_a_url_that_is_not_an_origin_is_refused(origin: str, store_path: Path) -> None:
    with pytest.raises(ValueError, match="not an origin"):
        create_app(make_agent, store=store_path, secret=SECRET, cors_origins=[origin])


class _Unreachable(SQLiteStore):
    """A store whose database does not answer (a server that is down)."""

    async def thread_exists(self, thread_id: str) -> bool:
        raise OSError("connection refused")


def test_ready_says_whether_the_store_answers(
    url: str, store_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    assert httpx.get(url + "/ready").json() == {"status": "ready"}
    with serve_app(create_app(make_agent, store=_Unreachable(store_path), secret=SECRET)) as down:
        response = httpx.get(down + "/ready")
        assert response.status_code == 503
        assert "cannot be reached" in response.json()["detail"]
        assert httpx.get(down + "/health").status_code == 200, "alive, though not ready"
    # Why, for the operator: in the log, not for whoever probes.
    assert "/ready: connection refused" in [record.getMessage() for record in caplog.records]


def test_each_request_is_one_json_log_line_without_tokens_or_text(
    alice: Client, caplog: pytest.LogCaptureFixture
) -> None:
    secret_text = "echo: my bank password is hunter2"
    # On the logger itself, whether or not a worker's setup (app_from_env, tested above)
    # stopped it propagating to the root logger, where caplog listens.
    access = logging.getLogger("chatkit_widget.access")
    propagates, access.propagate = access.propagate, False
    access.addHandler(caplog.handler)
    try:
        with caplog.at_level(logging.INFO, logger="chatkit_widget.access"):
            alice.create_thread(secret_text)
            alice.http.get("/api/conversations")
            httpx.get(alice.http.base_url.join("/api/conversations"))  # no token: 401
            # A line is written once the response's last byte is sent, after the client
            # may already hold it: wait for the third.
            deadline = time.monotonic() + 10
            while sum(r.name.endswith("access") for r in caplog.records) < 3:
                assert time.monotonic() < deadline, "a request was not logged"
                time.sleep(0.01)
    finally:
        access.removeHandler(caplog.handler)
        access.propagate = propagates
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name.endswith("access")]
    turn, listed, refused = lines[-3:]
    assert turn["path"] == "/chatkit" and turn["status"] == 200 and turn["user"] == "alice"
    assert turn["deltas"] >= 1 and turn["duration_ms"] > 0
    assert listed["method"] == "GET" and listed["deltas"] == 0
    assert refused["status"] == 401 and refused["user"] is None
    logged = caplog.text
    token = alice.http.headers["Authorization"].split()[1]
    assert token not in logged and "hunter2" not in logged


# -- rate limit ---------------------------------------------------------------------------------


def test_turns_over_the_rate_limit_get_429_and_reads_do_not_count(store_path: Path) -> None:
    app = create_app(
        make_agent, store=store_path, secret=SECRET, rate_limit=RateLimit.parse("3/minute")
    )
    with serve_app(app) as base:
        ada, grace = Client(base, "ada"), Client(base, "grace")
        thread_id, _ = ada.create_thread("echo: one")
        for text in ("echo: two", "echo: three"):
            ada.stream("threads.add_user_message", thread_id=thread_id, input=chat_input(text))
        for _ in range(5):
            assert ada.http.get("/api/conversations").status_code == 200, "reads are free"
        over = ada.call("threads.add_user_message", thread_id=thread_id, input=chat_input("x"))
        assert over.status_code == 429
        assert "allows 3/minute per user" in over.json()["detail"]
        assert 1 <= int(over.headers["retry-after"]) <= 60
        chat_api = ada.http.post("/api/chat", json={"message": "echo: x"})
        assert chat_api.status_code == 429, "both protocols count against one limit"
        assert grace.create_thread("echo: mine")[0], "another user has their own limit"
        ada.close()
        grace.close()
    stored = SQLiteStore(store_path).all_items_sync(thread_id)
    assert [i.type for i in stored].count("user_message") == 3, "a refused turn stores nothing"


def test_workers_on_one_store_share_the_limit(store_path: Path) -> None:
    limit = RateLimit.parse("2/minute")
    first = create_app(make_agent, store=store_path, secret=SECRET, rate_limit=limit)
    second = create_app(make_agent, store=store_path, secret=SECRET, rate_limit=limit)
    with serve_app(first) as one, serve_app(second) as two:
        a, b = Client(one, "ada"), Client(two, "ada")
        a.create_thread("echo: on the first worker")
        b.create_thread("echo: on the second worker")
        assert a.call("threads.create", input=chat_input("echo: third")).status_code == 429
        a.close()
        b.close()


@pytest.mark.parametrize("text", ["30", "0/minute", "3/day", "lots"])
def test_a_bad_rate_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="not a rate"):
        RateLimit.parse(text)

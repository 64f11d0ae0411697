"""Both remote backends against the project's own ``chatkit-widget serve`` app on 127.0.0.1.

The pieces users combine: a notebook widget on ``ChatKitBackend`` or ``SSEBackend``, talking to
an agent deployed with ``create_app`` (what ``serve`` runs), authenticated by its JWTs.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from chatkit_widget import BackendError, ChatError, ChatKitBackend, ChatWidget, SSEBackend
from chatkit_widget.server import create_app, mint_token

from .support.http_servers import serve_app
from .support.serve_target import make_agent

SECRET = "serve-test-secret-" + "s" * 32


@pytest.fixture
def base(tmp_path: Path) -> Iterator[str]:
    app = create_app(make_agent, store=tmp_path / "server.sqlite", secret=SECRET)
    with serve_app(app) as url:
        yield url


def token(user: str) -> str:
    return mint_token(user, secret=SECRET)


async def test_both_backends_share_one_users_conversations(base: str) -> None:
    chatkit = ChatWidget(backend=ChatKitBackend(f"{base}/chatkit", token=token("ada")))
    sse = ChatWidget(backend=SSEBackend(f"{base}/api/chat", token=token("ada")))

    assert await chatkit.ask("echo: over chatkit") == "over chatkit"
    assert await sse.ask("echo: over the sse chat api") == "over the sse chat api"
    assert await sse.ask("echo: and again") == "and again"  # the same conversation

    # One store behind both endpoints: each widget's history lists both conversations.
    titles = {"echo: over chatkit", "echo: over the sse chat api"}
    assert {t["title"] for t in chatkit.threads()} == titles
    assert {t["title"] for t in sse.threads()} == titles
    assert [m["text"] for m in sse.messages] == [
        "echo: over the sse chat api",
        "over the sse chat api",
        "echo: and again",
        "and again",
    ]
    # The SSE chat API widget opens the conversation it did not start, with its messages.
    sse.open_thread(chatkit.thread_id)
    assert [m["text"] for m in sse.messages] == ["echo: over chatkit", "over chatkit"]


async def test_a_tool_run_on_the_server_shows_as_a_tool_message(base: str) -> None:
    for backend in (
        ChatKitBackend(f"{base}/chatkit", token=token("ada")),
        SSEBackend(f"{base}/api/chat", token=token("ada")),
    ):
        chat = ChatWidget(backend=backend)
        await chat.ask('use tool divide with {"a": 1, "b": 4}')
        tools = [m["tool"] for m in chat.messages if m["role"] == "tool"]
        assert [(t["name"], t["output"], t["status"]) for t in tools] == [
            ("divide", "0.25", "success")
        ], type(backend).__name__


async def test_another_user_cannot_open_or_continue_a_conversation(base: str) -> None:
    ada = ChatWidget(backend=ChatKitBackend(f"{base}/chatkit", token=token("ada")))
    await ada.ask("echo: private")
    bob = ChatWidget(backend=ChatKitBackend(f"{base}/chatkit", token=token("bob")))
    assert bob.threads() == []
    with pytest.raises(BackendError):
        bob.open_thread(ada.thread_id)
    bob_sse = ChatWidget(backend=SSEBackend(f"{base}/api/chat", token=token("bob")))
    assert bob_sse.threads() == []


async def test_a_rejected_token_is_renewed_by_the_provider(base: str) -> None:
    calls: list[str] = []

    async def renew() -> str:
        calls.append("renewed")
        return token("ada")

    rotated = mint_token("ada", secret="an-old-secret-" + "o" * 32)  # the server answers 401
    chat = ChatWidget(
        backend=ChatKitBackend(f"{base}/chatkit", token=rotated, token_provider=renew)
    )
    assert await chat.ask("echo: hello") == "hello"
    assert calls == ["renewed"]

    refused = ChatWidget(backend=SSEBackend(f"{base}/api/chat", token=rotated))
    with pytest.raises(ChatError, match="Not authorized"):
        await refused.ask("echo: hello")
    assert refused.messages[0]["text"] == "echo: hello"  # what the user typed is kept

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from agents import set_tracing_disabled

from chatkit_widget import ChatWidget

from .support.postgres import PostgresServer

set_tracing_disabled(True)


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test touches the real Jupyter data dir or reaches OpenAI."""
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(tmp_path / "jupyter-data"))
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.setenv("OPENAI_AGENTS_DISABLE_TRACING", "1")


class FrontEnd:
    """Plays the browser: sends envelopes to the widget's handler, records what comes back.

    ``received`` holds the bridge's messages; with ``through_comm`` it holds what the comm
    carries instead (text deltas in short, as `_protocol.to_comm` writes them).
    """

    def __init__(self, chat: ChatWidget, *, through_comm: bool = False) -> None:
        self.chat = chat
        self.received: list[dict[str, Any]] = []
        if through_comm:
            chat._send = self._from_comm  # type: ignore[method-assign]
        else:
            chat._post = self.received.append  # type: ignore[method-assign]
            chat._bridge._send = self.received.append
        self._n = 0

    def _from_comm(self, msg: dict[str, Any], buffers: object = None) -> None:
        if msg["method"] == "custom":
            self.received.append(msg["content"])

    def send(self, msg: dict[str, Any]) -> None:
        self.chat._on_front_end_msg(self.chat, msg, [])

    def request(self, type_: str, **params: Any) -> str:
        self._n += 1
        rid = f"r{self._n}"
        self.send({"kind": "request", "id": rid, "request": {"type": type_, "params": params}})
        return rid

    def message(self, text: str) -> dict[str, Any]:
        return {
            "content": [{"type": "input_text", "text": text}],
            "attachments": [],
            "inference_options": {},
        }

    def for_id(self, rid: str) -> list[dict[str, Any]]:
        return [m for m in self.received if m["id"] == rid]

    def events(self, rid: str) -> list[dict[str, Any]]:
        return [e for m in self.for_id(rid) if m["kind"] == "event" for e in m["events"]]

    async def until(self, rid: str, kind: str, wait_s: float = 10.0) -> dict[str, Any]:
        async def wait() -> dict[str, Any]:
            while True:
                found = [m for m in self.for_id(rid) if m["kind"] == kind]
                if found:
                    return found[-1]
                await asyncio.sleep(0.005)

        return await asyncio.wait_for(wait(), wait_s)


@pytest.fixture
def front_end() -> Iterator[FrontEnd]:
    chat = ChatWidget(store=":memory:")
    yield FrontEnd(chat)
    chat.stop()
    chat.close()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One throwaway PostgreSQL cluster for the whole run (about 2 s to start)."""
    server = PostgresServer()
    yield server
    server.remove()


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> str:
    """A fresh, empty database on the run's PostgreSQL server."""
    return postgres_server.new_database()

"""The in-process backend reads the server's events as models, without SSE in between.

What reaches the bridge must be exactly what ``ChatKitServer.process`` would have written as an
SSE frame: the same JSON, event for event.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from chatkit.types import ThreadStreamEvent

from chatkit_widget import ChatWidget, OfflineDemoModel
from chatkit_widget.backends import _in_process
from chatkit_widget.backends._agent import AgentBackend
from chatkit_widget.backends._base import BackendError
from chatkit_widget.demo import demo_agent

# Turns of the offline model that together stream every kind of event it makes: text, a
# reasoning workflow, searches with citations, tool rows, a thread title and Markdown.
TURNS = [
    "count to 5",
    "think: why is the sky blue?",
    "search: notebooks",
    "search files: roadmap",
    "add a task: buy milk",
    "list tasks",
    "show markdown",
    "echo: a line\n\nand *another*",
]


async def test_every_event_is_the_json_an_sse_frame_would_carry(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    chat = ChatWidget(agent=demo_agent(model=OfflineDemoModel(delay=0)), store=":memory:")
    backend = chat._backend
    assert isinstance(backend, AgentBackend)
    seen: list[tuple[Any, Any]] = []
    direct = _in_process.event_json

    def both(event: ThreadStreamEvent) -> Any:
        frame = b"data: " + backend.server._serialize(event) + b"\n\n"
        seen.append((direct(event), _in_process.event_of(frame)))
        return direct(event)

    monkeypatch.setattr(_in_process, "event_json", both)
    try:
        for text in TURNS:
            await chat.ask(text)
    finally:
        chat.close()
    kinds = {(sent["type"], sent.get("update", {}).get("type")) for sent, _ in seen}
    assert ("thread.item.updated", "assistant_message.content_part.text_delta") in kinds
    assert ("thread.item.updated", "workflow.task.updated") in kinds
    assert {"thread.created", "thread.updated", "thread.item.added", "thread.item.done"} <= {
        kind for kind, _ in kinds
    }
    for sent, framed in seen:
        # The same JSON, keys in the same order (the front end gets this dict as it is).
        assert json.dumps(sent) == json.dumps(framed)


async def test_a_request_that_does_not_stream_is_refused_as_a_stream() -> None:
    chat = ChatWidget(store=":memory:")
    try:
        with pytest.raises(BackendError, match="not a streaming request"):
            async for _ in chat._backend.stream({"type": "threads.list", "params": {}}):
                pass
    finally:
        chat.close()

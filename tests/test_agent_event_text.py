"""A reply's text as the agent event converter keeps it: streamed pieces, joined when it ends."""

from __future__ import annotations

from collections.abc import AsyncIterator
from types import SimpleNamespace as Raw
from typing import Any

from chatkit.types import AssistantMessageItem, ThreadItemDoneEvent, ThreadStreamEvent

from chatkit_widget.backends._agent_events import AgentEventConverter


class Run:
    """Stands in for openai-agents' streamed run: raw model events, in order."""

    def __init__(self, *events: Any) -> None:
        self._events = events

    async def stream_events(self) -> AsyncIterator[Any]:
        for data in self._events:
            yield Raw(type="raw_response_event", data=data)


def converter() -> AgentEventConverter:
    ids = iter(range(100))
    return AgentEventConverter("thr_1", lambda kind: f"{kind}_{next(ids)}", {})


def opened(raw_id: str = "m1") -> list[Any]:
    return [
        Raw(type="response.output_item.added", item=Raw(type="message", id=raw_id)),
        Raw(
            type="response.content_part.added",
            item_id=raw_id,
            content_index=0,
            part=Raw(type="output_text"),
        ),
    ]


def delta(text: str, index: int = 0, raw_id: str = "m1") -> Any:
    return Raw(type="response.output_text.delta", item_id=raw_id, content_index=index, delta=text)


def done(*texts: str, raw_id: str = "m1") -> Any:
    parts = [Raw(type="output_text", text=t, annotations=[]) for t in texts]
    return Raw(type="response.output_item.done", item=Raw(type="message", id=raw_id, content=parts))


async def events(convert: AgentEventConverter, *raw: Any) -> list[ThreadStreamEvent]:
    return [event async for event in convert.events(Run(*raw))]  # type: ignore[arg-type]


def texts(event: ThreadStreamEvent) -> list[str]:
    assert isinstance(event, ThreadItemDoneEvent)
    assert isinstance(event.item, AssistantMessageItem)
    return [part.text for part in event.item.content]


async def test_a_reply_ends_with_the_text_that_streamed_in_each_part() -> None:
    streamed = [delta("Hel"), delta("lo"), delta(" there", index=1), delta("!")]
    out = await events(converter(), *opened(), *streamed, done())
    assert texts(out[-1]) == ["Hello!", " there"]


async def test_the_models_own_final_text_wins() -> None:
    out = await events(converter(), *opened(), delta("draft"), done("final"))
    assert texts(out[-1]) == ["final"]


async def test_a_failed_run_keeps_the_partial_reply_once() -> None:
    convert = converter()
    await events(convert, *opened(), delta("par"), delta("tial"))
    (kept,) = convert.close("The run failed.")
    assert texts(kept) == ["partial"]
    assert convert.close("again") == []


async def test_a_reply_with_nothing_visible_is_not_kept_by_close() -> None:
    convert = converter()
    await events(convert, *opened(), delta("  "))
    assert convert.close("The run failed.") == []

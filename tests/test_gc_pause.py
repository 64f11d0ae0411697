"""A turn reads its thread with Python's cyclic collector paused (``backends/_gc_pause.py``)."""

import gc
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from chatkit_widget import ChatWidget
from chatkit_widget.backends._gc_pause import collector_paused


@pytest.fixture
def collector_restored() -> Iterator[None]:
    """Whatever a test does to the collector, the next test finds it as this one did."""
    was_enabled = gc.isenabled()
    yield
    if was_enabled:
        gc.enable()
    else:
        gc.disable()


@dataclass
class WatchedChat:
    """A chat whose thread loads note whether the collector ran (``("load", enabled)``)."""

    chat: ChatWidget
    seen: list[tuple[str, bool]]


@pytest.fixture
def watched(collector_restored: None) -> Iterator[WatchedChat]:
    chat = ChatWidget(store=":memory:")
    seen: list[tuple[str, bool]] = []
    store: Any = chat._backend.store  # type: ignore[attr-defined]
    load = store.load_all_items

    async def load_and_note(*args: Any) -> Any:
        seen.append(("load", gc.isenabled()))
        return await load(*args)

    store.load_all_items = load_and_note
    yield WatchedChat(chat, seen)
    chat.close()


async def test_the_thread_is_read_with_the_collector_paused_and_the_reply_streams_with_it(
    watched: WatchedChat,
) -> None:
    gc.enable()
    chat, seen = watched.chat, watched.seen
    chat._bridge.observers.append(lambda event: seen.append((event["type"], gc.isenabled())))
    await chat.ask("count to 3")
    await chat.ask("count to 5")
    assert ("load", False) in seen
    streamed = [enabled for kind, enabled in seen if kind == "thread.item.updated"]
    assert streamed and all(streamed), "the collector stayed paused while the reply streamed"
    assert gc.isenabled()


async def test_a_kernel_that_turned_the_collector_off_keeps_it_off(watched: WatchedChat) -> None:
    gc.disable()
    await watched.chat.ask("count to 3")
    assert watched.seen == [("load", False)]
    assert not gc.isenabled()


@pytest.mark.usefixtures("collector_restored")
def test_overlapping_pauses_let_the_collector_run_again_when_the_last_one_ends() -> None:
    gc.enable()
    first, second = collector_paused(), collector_paused()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)
    assert not gc.isenabled(), "the first turn's end resumed it while the second still read"
    second.__exit__(None, None, None)
    assert gc.isenabled()

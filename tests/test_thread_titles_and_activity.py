"""What History shows of a thread the kernel keeps: a title that reads well, real activity times."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from chatkit.store import Store
from chatkit.types import InferenceOptions, ThreadMetadata, UserMessageItem, UserMessageTextContent

from chatkit_widget import ChatWidget, SQLiteStore
from chatkit_widget.backends._in_process import TITLE_LENGTH, title_from

from .conftest import FrontEnd
from .support.memory_store import MemoryStore

T0 = datetime(2026, 3, 1, 9, 0, 0)


def message(text: str, thread: str = "t", at: datetime = T0, item_id: str = "m") -> UserMessageItem:
    return UserMessageItem(
        id=item_id,
        thread_id=thread,
        created_at=at,
        content=[UserMessageTextContent(text=text)],
        inference_options=InferenceOptions(),
    )


def test_a_short_first_message_is_the_title_on_one_line() -> None:
    assert title_from(message("Plot   the\n\tsales by region")) == "Plot the sales by region"
    assert title_from(message("")) == ""
    exact = "x" * (TITLE_LENGTH - 10) + " " + "y" * 9
    assert title_from(message(exact)) == exact, "60 characters fit as they are"


def test_a_long_first_message_is_cut_at_a_word_with_an_ellipsis() -> None:
    text = (
        "Could you load the quarterly sales spreadsheet, clean the region names and "
        "then plot revenue by region?"
    )
    title = title_from(message(text))
    assert title == "Could you load the quarterly sales spreadsheet, clean the…"
    assert len(title) <= TITLE_LENGTH
    assert text.startswith(title.removesuffix("…")), "whole words only"


def test_the_cut_drops_dangling_punctuation_and_a_long_url_is_cut_inside() -> None:
    text = "Summarise this: " + "word " * 8 + "and, finally, something else entirely here"
    title = title_from(message(text))
    assert not title.removesuffix("…").endswith((",", ":", " "))
    assert title.endswith("…") and len(title) <= TITLE_LENGTH
    url = "https://example.com/" + "a" * 100
    assert title_from(message(url)) == url[: TITLE_LENGTH - 1] + "…"
    assert title_from(message(f"Explain {url}")) == f"Explain {url}"[: TITLE_LENGTH - 1] + "…"


def test_markdown_that_only_marks_lines_up_is_left_out() -> None:
    assert title_from(message("# Plot the data\n\n> as before")) == "Plot the data as before"
    assert title_from(message("- apples\n* pears\n1. plums\n2) figs")) == "apples pears plums figs"
    assert title_from(message("```python\nprint(1)\n```")) == "print(1)"
    # Not line markup: a tag, a negative number, bold text.
    assert title_from(message("#42 fails")) == "#42 fails"
    assert title_from(message("-5 degrees")) == "-5 degrees"
    assert title_from(message("**Why** now?")) == "**Why** now?"


@pytest.fixture(params=["sqlite", "any ChatKit store"])
def store(request: pytest.FixtureRequest) -> Iterator[Store[Any]]:
    yield SQLiteStore(":memory:") if request.param == "sqlite" else MemoryStore()


async def test_history_lists_each_thread_with_when_its_newest_item_was_made(
    store: Store[Any],
) -> None:
    nb = {"chatkit_widget.notebook": "a.ipynb"}
    # "old" was started first but continued last; "empty" has no item yet.
    for thread_id, hours in (("old", 0), ("new", 1), ("empty", 2)):
        created = T0 + timedelta(hours=hours)
        await store.save_thread(ThreadMetadata(id=thread_id, created_at=created, metadata=nb), {})
    await store.add_thread_item("old", message("hi", "old", T0, "m1"), {})
    await store.add_thread_item("new", message("yo", "new", T0 + timedelta(hours=1), "m2"), {})
    await store.add_thread_item("old", message("again", "old", T0 + timedelta(hours=3), "m3"), {})
    chat = ChatWidget(store=store)
    front_end = FrontEnd(chat)

    async def listed(notebook: str | None = None) -> list[dict[str, Any]]:
        rid = f"list{len(front_end.received)}"
        request: dict[str, Any] = {"type": "threads.list", "params": {"limit": 10}}
        if notebook is not None:
            request["metadata"] = {"notebook": notebook}
        front_end.send({"kind": "request", "id": rid, "request": request})
        data: list[dict[str, Any]] = (await front_end.until(rid, "response"))["result"]["data"]
        return data

    try:
        for threads in (await listed(), await listed("a.ipynb")):
            # Still listed by creation (cursors stay valid while turns run); History sorts.
            assert [t["id"] for t in threads] == ["empty", "new", "old"]
            when = {t["id"]: t.get("updated_at") for t in threads}
            assert when == {
                "old": (T0 + timedelta(hours=3)).isoformat(),
                "new": (T0 + timedelta(hours=1)).isoformat(),
                "empty": None,  # the client falls back to created_at
            }
        # Renaming is not activity.
        rid = front_end.request("threads.update", thread_id="new", title="Renamed")
        await front_end.until(rid, "response")
        renamed = next(t for t in await listed() if t["id"] == "new")
        assert renamed["title"] == "Renamed"
        assert renamed["updated_at"] == (T0 + timedelta(hours=1)).isoformat()
    finally:
        chat.close()

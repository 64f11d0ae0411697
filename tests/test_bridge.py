"""Delta coalescing: fewer, larger messages, never late at the end of an item."""

import asyncio
from typing import Any

import pytest

from chatkit_widget import _bridge
from chatkit_widget._bridge import DeltaCoalescer


def delta(text: str, item: str = "msg_1", index: int = 0) -> dict[str, Any]:
    return {
        "type": "thread.item.updated",
        "item_id": item,
        "update": {
            "type": "assistant_message.content_part.text_delta",
            "content_index": index,
            "delta": text,
        },
    }


async def test_merges_fast_deltas_and_flushes_at_item_done() -> None:
    batches: list[list[dict[str, Any]]] = []
    coalescer = DeltaCoalescer(batches.append, interval=10.0)
    coalescer.add(delta("a"))  # first delta goes out at once (nothing sent for >= interval)
    for ch in "bcdef":
        coalescer.add(delta(ch))
    assert len(batches) == 1
    coalescer.add({"type": "thread.item.done", "item": {"id": "msg_1"}})
    assert len(batches) == 2
    merged, done = batches[1]
    assert merged["update"]["delta"] == "bcdef" and done["type"] == "thread.item.done"


async def test_does_not_merge_across_items_or_parts() -> None:
    batches: list[list[dict[str, Any]]] = []
    coalescer = DeltaCoalescer(batches.append, interval=10.0)
    coalescer.add(delta("x"))
    for event in [delta("a"), delta("b", item="msg_2"), delta("c", index=1)]:
        coalescer.add(event)
    coalescer.flush()
    assert [e["update"]["delta"] for e in batches[1]] == ["a", "b", "c"]


async def test_timer_sends_the_last_delta_when_no_token_follows() -> None:
    batches: list[list[dict[str, Any]]] = []
    coalescer = DeltaCoalescer(batches.append, interval=0.02)
    coalescer.add(delta("a"))
    coalescer.add(delta("b"))
    assert len(batches) == 1
    await asyncio.sleep(0.1)
    assert [e["update"]["delta"] for e in batches[1]] == ["b"]


async def test_flushes_on_token_arrival_when_the_loop_is_blocked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A driver that never yields to the loop: the timer cannot fire, the arrival check must.
    # The clock is simulated (a token every 2 ms) so the test does not depend on timing.
    now = [0.0]
    monkeypatch.setattr(_bridge.time, "monotonic", lambda: now[0])
    batches: list[list[dict[str, Any]]] = []
    coalescer = DeltaCoalescer(batches.append, interval=0.005)
    for _ in range(20):
        now[0] += 0.002
        coalescer.add(delta("t"))
    assert len(batches) == 6  # at 6, 12, ... 36 ms: one message per >= 5 ms of tokens
    sent = sum(len(e["update"]["delta"]) for b in batches for e in b)
    held = sum(len(e["update"]["delta"]) for e in coalescer._pending)
    assert sent + held == 20 and held > 0


def task_update(content: str, item: str = "wf_1", index: int = 0) -> dict[str, Any]:
    return {
        "type": "thread.item.updated",
        "item_id": item,
        "update": {
            "type": "workflow.task.updated",
            "task_index": index,
            "task": {"type": "thought", "content": content},
        },
    }


async def test_a_task_update_supersedes_the_last_one_of_the_same_task() -> None:
    # Reasoning models re-send the whole thought with every token: only the newest matters.
    batches: list[list[dict[str, Any]]] = []
    coalescer = DeltaCoalescer(batches.append, interval=10.0)
    coalescer.add(task_update("T"))
    for content in ["Th", "Thi", "This"]:
        coalescer.add(task_update(content))
    coalescer.add(task_update("Other", index=1))
    coalescer.flush()
    assert [e["update"]["task"]["content"] for e in batches[1]] == ["This", "Other"]


async def test_merging_changes_neither_observed_nor_already_sent_events() -> None:
    batches: list[list[dict[str, Any]]] = []
    coalescer = DeltaCoalescer(batches.append, interval=10.0)
    coalescer.add(delta("x"))  # goes out at once
    first, second = delta("a"), delta("b")
    coalescer.add(first)
    coalescer.add(second)
    assert first["update"]["delta"] == "a" and second["update"]["delta"] == "b"
    coalescer.flush()
    coalescer.add(delta("c"))  # after a flush: a new event, not merged into the one sent
    coalescer.add(task_update("T"))
    coalescer.add(delta("d"))  # a task update in between: not merged into "c"
    coalescer.flush()
    sent = [[e["update"].get("delta", "task") for e in batch] for batch in batches]
    assert sent == [["x"], ["ab"], ["c", "task", "d"]]

"""The items a running stream has opened, kept current so a late view can join mid-turn."""

from __future__ import annotations

import copy
from typing import Any

_CLOSING = {"thread.item.done", "thread.item.removed", "thread.item.replaced"}


class LiveItems:
    """Applies a stream's events to the items it has added and not yet finished.

    Text deltas are kept as chunk lists (joined only for a snapshot), so following a stream
    costs O(delta) per event whatever the length of the reply.
    """

    def __init__(self) -> None:
        self._items: dict[str, dict[str, Any]] = {}
        self._chunks: dict[tuple[str, int], list[str]] = {}

    def apply(self, event: dict[str, Any]) -> None:
        """Follow one ChatKit stream event."""
        kind = event.get("type")
        if kind == "thread.item.added":
            item = copy.deepcopy(event["item"])
            self._items[item["id"]] = item
        elif kind in _CLOSING:
            item_id = event.get("item_id") or event["item"]["id"]
            self._items.pop(item_id, None)
            for key in [k for k in self._chunks if k[0] == item_id]:
                del self._chunks[key]
        elif kind == "thread.item.updated" and event["item_id"] in self._items:
            self._update(self._items[event["item_id"]], event["update"])

    def _update(self, item: dict[str, Any], update: dict[str, Any]) -> None:
        kind = update.get("type", "")
        if kind == "assistant_message.content_part.text_delta":
            self._chunks.setdefault((item["id"], update["content_index"]), []).append(
                update["delta"]
            )
        elif kind in (
            "assistant_message.content_part.added",
            "assistant_message.content_part.done",
        ):
            content = item.setdefault("content", [])
            while len(content) <= update["content_index"]:
                content.append({"type": "output_text", "text": "", "annotations": []})
            content[update["content_index"]] = copy.deepcopy(update["content"])
            self._chunks.pop((item["id"], update["content_index"]), None)
        elif kind == "workflow.task.added":
            item["workflow"]["tasks"].insert(update["task_index"], copy.deepcopy(update["task"]))
        elif kind == "workflow.task.updated":
            item["workflow"]["tasks"][update["task_index"]] = copy.deepcopy(update["task"])

    def open_items(self) -> list[dict[str, Any]]:
        """The items added and not yet done, as they are now (text deltas applied)."""
        return [event["item"] for event in self.snapshot()]

    def snapshot(self) -> list[dict[str, Any]]:
        """``thread.item.added`` events that recreate the open items as they are now."""
        events = []
        for item_id, item in self._items.items():
            current = copy.deepcopy(item)
            for (chunk_item, index), chunks in self._chunks.items():
                if chunk_item == item_id:
                    content = current.setdefault("content", [])
                    while len(content) <= index:  # a delta may come before its part.added
                        content.append({"type": "output_text", "text": "", "annotations": []})
                    content[index]["text"] += "".join(chunks)
            events.append({"type": "thread.item.added", "item": current})
        return events

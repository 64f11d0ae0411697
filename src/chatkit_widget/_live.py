"""The items a running stream has opened, kept current so a late view can join mid-turn."""

from __future__ import annotations

import copy

from ._chatkit_json import ItemAdded, ItemUpdate, StreamEvent, ThreadItemJSON


class LiveItems:
    """Applies a stream's events to the items it has added and not yet finished.

    Text deltas are kept as chunk lists (joined only for a snapshot), so following a stream
    costs O(delta) per event whatever the length of the reply.
    """

    def __init__(self) -> None:
        self._items: dict[str, ThreadItemJSON] = {}
        self._chunks: dict[tuple[str, int], list[str]] = {}

    def apply(self, event: StreamEvent) -> None:
        """Follow one ChatKit stream event."""
        if event["type"] == "thread.item.added":
            item = copy.deepcopy(event["item"])
            self._items[item["id"]] = item
        elif event["type"] in ("thread.item.done", "thread.item.removed", "thread.item.replaced"):
            item_id = (
                event["item_id"] if event["type"] == "thread.item.removed" else event["item"]["id"]
            )
            self._items.pop(item_id, None)
            for key in [k for k in self._chunks if k[0] == item_id]:
                del self._chunks[key]
        elif event["type"] == "thread.item.updated" and event["item_id"] in self._items:
            self._update(self._items[event["item_id"]], event["update"])

    def _update(self, item: ThreadItemJSON, update: ItemUpdate) -> None:
        if update["type"] == "assistant_message.content_part.text_delta":
            self._chunks.setdefault((item["id"], update["content_index"]), []).append(
                update["delta"]
            )
        elif (
            update["type"] == "assistant_message.content_part.added"
            or update["type"] == "assistant_message.content_part.done"
        ):
            content = item.setdefault("content", [])
            while len(content) <= update["content_index"]:
                content.append({"type": "output_text", "text": "", "annotations": []})
            content[update["content_index"]] = copy.deepcopy(update["content"])
            self._chunks.pop((item["id"], update["content_index"]), None)
        elif update["type"] == "workflow.task.added":
            item["workflow"]["tasks"].insert(update["task_index"], copy.deepcopy(update["task"]))
        elif update["type"] == "workflow.task.updated":
            item["workflow"]["tasks"][update["task_index"]] = copy.deepcopy(update["task"])

    def open_items(self) -> list[ThreadItemJSON]:
        """The items added and not yet done, as they are now (text deltas applied)."""
        return [event["item"] for event in self.snapshot()]

    def snapshot(self) -> list[ItemAdded]:
        """``thread.item.added`` events that recreate the open items as they are now."""
        events: list[ItemAdded] = []
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

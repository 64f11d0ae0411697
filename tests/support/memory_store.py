"""A plain in-memory ChatKit ``Store``: what a user might write, and nothing of ``ChatStore``.

openai-chatkit ships no store implementation; this one follows its ``Store`` contract the
simple way (dicts and lists) so the shared store tests can run ``StoreAdapter`` on it.
"""

from __future__ import annotations

from typing import Any, TypeVar

from chatkit.store import NotFoundError, Store
from chatkit.types import Attachment, Page, ThreadItem, ThreadMetadata

T = TypeVar("T")


class MemoryStore(Store[Any]):
    """Threads, items and attachments in dicts; items keep insertion order."""

    def __init__(self) -> None:
        self.threads: dict[str, ThreadMetadata] = {}
        self.items: dict[str, list[ThreadItem]] = {}
        self.attachments: dict[str, Attachment] = {}

    def __repr__(self) -> str:
        return "MemoryStore()"

    async def load_thread(self, thread_id: str, context: Any) -> ThreadMetadata:
        if thread_id not in self.threads:
            raise NotFoundError(f"Thread {thread_id} not found")
        return self.threads[thread_id].model_copy(deep=True)

    async def save_thread(self, thread: ThreadMetadata, context: Any) -> None:
        # ChatKit may pass a full Thread (with items): only the metadata is the thread's.
        self.threads[thread.id] = ThreadMetadata.model_validate(thread.model_dump())

    async def load_threads(
        self, limit: int, after: str | None, order: str, context: Any
    ) -> Page[ThreadMetadata]:
        threads = sorted(self.threads.values(), key=lambda t: (t.created_at, t.id))
        if order == "desc":
            threads.reverse()
        ids = [t.id for t in threads]
        if after is not None:
            if after not in ids:
                raise NotFoundError(f"Thread {after} not found (paging cursor)")
            threads = threads[ids.index(after) + 1 :]
        return _page([t.model_copy(deep=True) for t in threads], limit)

    async def load_thread_items(
        self, thread_id: str, after: str | None, limit: int, order: str, context: Any
    ) -> Page[ThreadItem]:
        items = list(self.items.get(thread_id, []))
        if order == "desc":
            items.reverse()
        if after is not None:
            ids = [i.id for i in items]
            items = items[ids.index(after) + 1 :] if after in ids else []
        return _page([i.model_copy(deep=True) for i in items], limit)

    async def add_thread_item(self, thread_id: str, item: ThreadItem, context: Any) -> None:
        await self.save_item(thread_id, item, context)

    async def save_item(self, thread_id: str, item: ThreadItem, context: Any) -> None:
        if thread_id not in self.threads:
            raise NotFoundError(f"Thread {thread_id} not found")
        items = self.items.setdefault(thread_id, [])
        stored = item.model_copy(deep=True)
        for n, existing in enumerate(items):
            if existing.id == item.id:
                items[n] = stored
                return
        items.append(stored)

    async def load_item(self, thread_id: str, item_id: str, context: Any) -> ThreadItem:
        for item in self.items.get(thread_id, []):
            if item.id == item_id:
                return item.model_copy(deep=True)
        raise NotFoundError(f"Item {item_id} not found in thread {thread_id}")

    async def delete_thread(self, thread_id: str, context: Any) -> None:
        self.threads.pop(thread_id, None)
        self.items.pop(thread_id, None)

    async def delete_thread_item(self, thread_id: str, item_id: str, context: Any) -> None:
        self.items[thread_id] = [i for i in self.items.get(thread_id, []) if i.id != item_id]

    async def save_attachment(self, attachment: Attachment, context: Any) -> None:
        self.attachments[attachment.id] = attachment

    async def load_attachment(self, attachment_id: str, context: Any) -> Attachment:
        if attachment_id not in self.attachments:
            raise NotFoundError(f"Attachment {attachment_id} not found")
        return self.attachments[attachment_id]

    async def delete_attachment(self, attachment_id: str, context: Any) -> None:
        self.attachments.pop(attachment_id, None)


def _page(data: list[T], limit: int) -> Page[T]:
    shown = data[:limit]
    has_more = len(data) > limit
    last = getattr(shown[-1], "id", None) if has_more and shown else None
    return Page(data=shown, has_more=has_more, after=last)

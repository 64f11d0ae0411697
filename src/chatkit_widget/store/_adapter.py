"""``StoreAdapter``: any ChatKit ``Store`` as a ``ChatStore``, and ``as_chat_store``."""

from __future__ import annotations

from typing import Any

from chatkit.store import NotFoundError, Store, StoreItemType
from chatkit.types import Attachment, Page, ThreadItem, ThreadMetadata

from ._base import ChatStore


class StoreAdapter(ChatStore):
    """Give a ChatKit ``Store`` the rest of ``ChatStore``; every ``Store`` call goes to it.

    Feedback has no place in a ChatKit ``Store``: the adapter keeps it in memory, for this
    session only. The synchronous reads run the store's coroutines through ``run_sync``. The
    wrapped store's own use of ``context`` decides who sees which thread, so the adapter does
    not claim ``scopes_by_user``.

    Args:
        store: The ChatKit store that holds the threads.
    """

    def __init__(self, store: Store[Any]) -> None:
        self.store = store
        self._feedback: dict[str, dict[str, str]] = {}

    def __repr__(self) -> str:
        # Error messages name the user's own store, not this wrapper.
        return repr(self.store)

    async def save_feedback(
        self, thread_id: str, item_ids: list[str], kind: str, context: Any
    ) -> None:
        for item_id in item_ids:
            try:
                await self.store.load_item(thread_id, item_id, context)
            except NotFoundError:
                continue
            self._feedback.setdefault(thread_id, {})[item_id] = kind

    async def load_feedback(self, thread_id: str, context: Any) -> dict[str, str]:
        return dict(self._feedback.get(thread_id, {}))

    # -- chatkit.store.Store, delegated -------------------------------------------------------

    def generate_thread_id(self, context: Any) -> str:
        return self.store.generate_thread_id(context)

    def generate_item_id(
        self, item_type: StoreItemType, thread: ThreadMetadata, context: Any
    ) -> str:
        return self.store.generate_item_id(item_type, thread, context)

    async def load_thread(self, thread_id: str, context: Any) -> ThreadMetadata:
        return await self.store.load_thread(thread_id, context)

    async def save_thread(self, thread: ThreadMetadata, context: Any) -> None:
        await self.store.save_thread(thread, context)

    async def load_thread_items(
        self, thread_id: str, after: str | None, limit: int, order: str, context: Any
    ) -> Page[ThreadItem]:
        return await self.store.load_thread_items(thread_id, after, limit, order, context)

    async def load_threads(
        self, limit: int, after: str | None, order: str, context: Any
    ) -> Page[ThreadMetadata]:
        return await self.store.load_threads(limit, after, order, context)

    async def add_thread_item(self, thread_id: str, item: ThreadItem, context: Any) -> None:
        await self.store.add_thread_item(thread_id, item, context)

    async def save_item(self, thread_id: str, item: ThreadItem, context: Any) -> None:
        await self.store.save_item(thread_id, item, context)

    async def load_item(self, thread_id: str, item_id: str, context: Any) -> ThreadItem:
        return await self.store.load_item(thread_id, item_id, context)

    async def delete_thread(self, thread_id: str, context: Any) -> None:
        await self.store.delete_thread(thread_id, context)
        self._feedback.pop(thread_id, None)

    async def delete_thread_item(self, thread_id: str, item_id: str, context: Any) -> None:
        await self.store.delete_thread_item(thread_id, item_id, context)
        self._feedback.get(thread_id, {}).pop(item_id, None)

    async def save_attachment(self, attachment: Attachment, context: Any) -> None:
        await self.store.save_attachment(attachment, context)

    async def load_attachment(self, attachment_id: str, context: Any) -> Attachment:
        return await self.store.load_attachment(attachment_id, context)

    async def delete_attachment(self, attachment_id: str, context: Any) -> None:
        await self.store.delete_attachment(attachment_id, context)


def as_chat_store(store: Store[Any]) -> ChatStore:
    """``store`` itself if it is a ``ChatStore``, else a ``StoreAdapter`` around it.

    Raises:
        TypeError: if ``store`` is not a ChatKit ``Store``.
    """
    if isinstance(store, ChatStore):
        return store
    if isinstance(store, Store):
        return StoreAdapter(store)
    raise TypeError(f"store must be a chatkit.store.Store, not {type(store).__name__}")

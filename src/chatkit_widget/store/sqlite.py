"""A ChatKit ``Store`` on one SQLite file: threads, items and attachment metadata.

Rows hold the item's ChatKit JSON, so any item type round-trips unchanged. Items are ordered by
an insertion sequence rather than ``created_at`` so two items created in the same microsecond
keep their order. Every method is synchronous underneath (``*_sync``): SQLite on a local file
answers in microseconds, and the widget's synchronous API (``chat.messages`` inside a running
event loop) can then read without a second event loop.
"""

from __future__ import annotations

import sqlite3
import threading
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

from chatkit.store import NotFoundError, Store, StoreItemType
from chatkit.types import Attachment, Page, ThreadItem, ThreadMetadata
from pydantic import TypeAdapter

_ITEM = TypeAdapter[ThreadItem](ThreadItem)
_ATTACHMENT = TypeAdapter[Attachment](Attachment)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS threads (
    id TEXT PRIMARY KEY,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS items (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL,
    thread_id TEXT NOT NULL REFERENCES threads(id) ON DELETE CASCADE,
    data TEXT NOT NULL,
    UNIQUE (thread_id, id)
);
CREATE INDEX IF NOT EXISTS items_by_thread ON items (thread_id, seq);
CREATE TABLE IF NOT EXISTS feedback (
    thread_id TEXT NOT NULL,
    item_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    PRIMARY KEY (thread_id, item_id),
    FOREIGN KEY (thread_id, item_id) REFERENCES items(thread_id, id) ON DELETE CASCADE
);
CREATE TABLE IF NOT EXISTS attachments (
    id TEXT PRIMARY KEY,
    data TEXT NOT NULL
);
"""


def _now() -> str:
    return datetime.now().isoformat()


_PREFIXES = {
    "thread": "thr",
    "message": "msg",
    "tool_call": "tc",
    "workflow": "wf",
    "task": "tsk",
    "attachment": "atc",
    "sdk_hidden_context": "shcx",
}


def _new_id(kind: str) -> str:
    # ChatKit's default ids carry 32 random bits: in a long-lived file of thousands of threads
    # a collision (which an upsert would turn into silently merged threads) becomes plausible.
    return f"{_PREFIXES.get(kind, kind)}_{uuid.uuid4().hex[:20]}"


class SQLiteStore(Store[Any]):
    """Persist ChatKit threads in a SQLite file (or ``":memory:"``).

    Args:
        path: The database file; its parent folder is created. ``":memory:"`` keeps everything
            in this process only.

    Example:
        ```python
        store = SQLiteStore("~/chats.sqlite")
        chat = ChatWidget(store=store)
        ```
    """

    def __init__(self, path: str | Path = ":memory:") -> None:
        self.path = str(path) if str(path) == ":memory:" else str(Path(path).expanduser())
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        # One connection shared under a lock: the kernel touches the store from its event loop
        # and, for the synchronous API, from helper threads.
        self._conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._lock = threading.RLock()
        with self._lock:
            if self.path != ":memory:":
                self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA foreign_keys=ON")
            self._conn.execute("PRAGMA busy_timeout=5000")
            self._conn.executescript(_SCHEMA)

    def __repr__(self) -> str:
        return f"SQLiteStore({self.path!r})"

    def close(self) -> None:
        """Close the database connection."""
        with self._lock:
            self._conn.close()

    # -- synchronous core -------------------------------------------------------------------

    def _query(self, sql: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._conn.execute(sql, args).fetchall()

    def load_thread_sync(self, thread_id: str) -> ThreadMetadata:
        """Load a thread's metadata, or raise ``NotFoundError``."""
        rows = self._query("SELECT data FROM threads WHERE id = ?", (thread_id,))
        if not rows:
            raise NotFoundError(f"Thread {thread_id} not found")
        return ThreadMetadata.model_validate_json(rows[0][0])

    def save_thread_sync(self, thread: ThreadMetadata) -> None:
        """Insert or update a thread's metadata."""
        data = ThreadMetadata.model_validate(thread.model_dump()).model_dump_json()
        with self._lock:
            self._conn.execute(
                "INSERT INTO threads (id, created_at, updated_at, data) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(id) DO UPDATE SET data = excluded.data, "
                "updated_at = excluded.updated_at",
                (thread.id, thread.created_at.isoformat(), _now(), data),
            )

    def load_threads_sync(self, limit: int, after: str | None, order: str) -> Page[ThreadMetadata]:
        """Threads by creation (``order="desc"``: newest first), paged by id cursor.

        Creation time never changes, so a cursor stays valid while turns run (ordering by
        last activity would move threads between pages as they are paged).

        Raises:
            NotFoundError: if ``after`` names no thread (a deleted one): restarting from the
                first page instead would show threads twice.
        """
        return self._threads_page(limit, after, order)[0]

    def threads_with_activity_sync(self, limit: int) -> list[tuple[ThreadMetadata, str]]:
        """The newest threads, each with when it last changed (ISO 8601), in one query."""
        page, updated = self._threads_page(limit, None, "desc")
        return [(thread, updated[thread.id]) for thread in page.data]

    def _threads_page(
        self, limit: int, after: str | None, order: str
    ) -> tuple[Page[ThreadMetadata], dict[str, str]]:
        desc = order != "asc"
        op, direction = ("<", "DESC") if desc else (">", "ASC")
        where, args = "", ()  # type: tuple[str, tuple[Any, ...]]
        if after is not None:
            cursor = self._query("SELECT created_at, id FROM threads WHERE id = ?", (after,))
            if not cursor:
                raise NotFoundError(f"Thread {after} not found (paging cursor)")
            where, args = f"WHERE (created_at, id) {op} (?, ?)", (cursor[0][0], cursor[0][1])
        rows = self._query(
            f"SELECT id, data, updated_at FROM threads {where} "
            f"ORDER BY created_at {direction}, id {direction} LIMIT ?",
            (*args, limit + 1),
        )
        data = [ThreadMetadata.model_validate_json(row[1]) for row in rows[:limit]]
        has_more = len(rows) > limit
        page = Page(data=data, has_more=has_more, after=data[-1].id if has_more and data else None)
        return page, {str(row[0]): str(row[2]) for row in rows[:limit]}

    def load_thread_items_sync(
        self, thread_id: str, after: str | None, limit: int, order: str
    ) -> Page[ThreadItem]:
        """A page of a thread's items in insertion order (``"asc"``) or reverse."""
        desc = order == "desc"
        op, direction = ("<", "DESC") if desc else (">", "ASC")
        where, args = "thread_id = ?", (thread_id,)  # type: str, tuple[Any, ...]
        if after is not None:
            where += f" AND seq {op} (SELECT seq FROM items WHERE thread_id = ? AND id = ?)"
            args = (thread_id, thread_id, after)
        rows = self._query(
            f"SELECT data FROM items WHERE {where} ORDER BY seq {direction} LIMIT ?",
            (*args, limit + 1),
        )
        data = [_ITEM.validate_json(row[0]) for row in rows[:limit]]
        has_more = len(rows) > limit
        return Page(data=data, has_more=has_more, after=data[-1].id if has_more and data else None)

    def all_items_sync(self, thread_id: str) -> list[ThreadItem]:
        """Every item of a thread, oldest first (hidden items included)."""
        rows = self._query("SELECT data FROM items WHERE thread_id = ? ORDER BY seq", (thread_id,))
        return [_ITEM.validate_json(row[0]) for row in rows]

    def save_item_sync(self, thread_id: str, item: ThreadItem) -> None:
        """Insert an item, or update it in place (keeping its position) if it exists."""
        data = _ITEM.dump_json(item).decode()
        with self._lock:
            self._conn.execute(
                "INSERT INTO items (id, thread_id, data) VALUES (?, ?, ?) "
                "ON CONFLICT(thread_id, id) DO UPDATE SET data = excluded.data",
                (item.id, thread_id, data),
            )
            self._conn.execute(
                "UPDATE threads SET updated_at = ? WHERE id = ?", (_now(), thread_id)
            )

    def load_item_sync(self, thread_id: str, item_id: str) -> ThreadItem:
        """Load one item, or raise ``NotFoundError``."""
        rows = self._query(
            "SELECT data FROM items WHERE thread_id = ? AND id = ?", (thread_id, item_id)
        )
        if not rows:
            raise NotFoundError(f"Item {item_id} not found in thread {thread_id}")
        return _ITEM.validate_json(rows[0][0])

    def delete_thread_sync(self, thread_id: str) -> None:
        """Delete a thread and all its items."""
        with self._lock:
            self._conn.execute("DELETE FROM items WHERE thread_id = ?", (thread_id,))
            self._conn.execute("DELETE FROM threads WHERE id = ?", (thread_id,))

    def delete_item_sync(self, thread_id: str, item_id: str) -> None:
        """Delete one item of a thread."""
        with self._lock:
            self._conn.execute(
                "DELETE FROM items WHERE thread_id = ? AND id = ?", (thread_id, item_id)
            )

    def save_feedback_sync(self, thread_id: str, item_ids: list[str], kind: str) -> None:
        """Record thumbs up/down (``"positive"`` | ``"negative"``) for items of a thread.

        Items that do not exist are skipped; feedback goes with its item when it is deleted.
        """
        with self._lock:
            self._conn.executemany(
                "INSERT INTO feedback (thread_id, item_id, kind) "
                "SELECT thread_id, id, ? FROM items WHERE thread_id = ? AND id = ? "
                "ON CONFLICT(thread_id, item_id) DO UPDATE SET kind = excluded.kind",
                [(kind, thread_id, item_id) for item_id in item_ids],
            )

    def feedback_sync(self, thread_id: str) -> dict[str, str]:
        """Feedback of a thread's items: item id -> kind."""
        rows = self._query("SELECT item_id, kind FROM feedback WHERE thread_id = ?", (thread_id,))
        return {str(item_id): str(kind) for item_id, kind in rows}

    # -- chatkit.store.Store ----------------------------------------------------------------

    def generate_thread_id(self, context: Any) -> str:  # noqa: D102
        return _new_id("thread")

    def generate_item_id(  # noqa: D102
        self, item_type: StoreItemType, thread: ThreadMetadata, context: Any
    ) -> str:
        return _new_id(item_type)

    async def load_thread(self, thread_id: str, context: Any) -> ThreadMetadata:  # noqa: D102
        return self.load_thread_sync(thread_id)

    async def save_thread(self, thread: ThreadMetadata, context: Any) -> None:  # noqa: D102
        self.save_thread_sync(thread)

    async def load_thread_items(  # noqa: D102
        self, thread_id: str, after: str | None, limit: int, order: str, context: Any
    ) -> Page[ThreadItem]:
        return self.load_thread_items_sync(thread_id, after, limit, order)

    async def load_threads(  # noqa: D102
        self, limit: int, after: str | None, order: str, context: Any
    ) -> Page[ThreadMetadata]:
        return self.load_threads_sync(limit, after, order)

    async def add_thread_item(self, thread_id: str, item: ThreadItem, context: Any) -> None:  # noqa: D102
        # An upsert: the agents helper may add the same item twice.
        self.save_item_sync(thread_id, item)

    async def save_item(self, thread_id: str, item: ThreadItem, context: Any) -> None:  # noqa: D102
        self.save_item_sync(thread_id, item)

    async def load_item(self, thread_id: str, item_id: str, context: Any) -> ThreadItem:  # noqa: D102
        return self.load_item_sync(thread_id, item_id)

    async def delete_thread(self, thread_id: str, context: Any) -> None:  # noqa: D102
        self.delete_thread_sync(thread_id)

    async def delete_thread_item(self, thread_id: str, item_id: str, context: Any) -> None:  # noqa: D102
        self.delete_item_sync(thread_id, item_id)

    async def save_attachment(self, attachment: Attachment, context: Any) -> None:  # noqa: D102
        with self._lock:
            self._conn.execute(
                "INSERT INTO attachments (id, data) VALUES (?, ?) "
                "ON CONFLICT(id) DO UPDATE SET data = excluded.data",
                (attachment.id, _ATTACHMENT.dump_json(attachment).decode()),
            )

    async def load_attachment(self, attachment_id: str, context: Any) -> Attachment:  # noqa: D102
        rows = self._query("SELECT data FROM attachments WHERE id = ?", (attachment_id,))
        if not rows:
            raise NotFoundError(f"Attachment {attachment_id} not found")
        return _ATTACHMENT.validate_json(rows[0][0])

    async def delete_attachment(self, attachment_id: str, context: Any) -> None:  # noqa: D102
        with self._lock:
            self._conn.execute("DELETE FROM attachments WHERE id = ?", (attachment_id,))

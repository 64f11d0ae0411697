"""A ChatKit ``Store`` on one SQLite file: threads, items and attachment metadata.

Rows hold the item's ChatKit JSON, so any item type round-trips unchanged. Items are ordered by
an insertion sequence rather than ``created_at`` so two items created in the same microsecond
keep their order. Every method is synchronous underneath (``*_sync``): SQLite on a local file
answers in microseconds, and the widget's synchronous API (``chat.messages`` inside a running
event loop) can then read without a second event loop. It implements ``ChatStore`` natively:
feedback has its own table, and the synchronous reads override the bridged defaults.

Threads can have an owner. When ChatKit's ``context`` is a dict with a ``"user"`` (as the
``chatkit-widget serve`` endpoint passes), threads are created owned by that user and only that
user's threads are visible; with no user (the notebook widget passes ``{}``) every thread is.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from chatkit.store import NotFoundError
from chatkit.types import Attachment, Page, ThreadItem, ThreadMetadata

from ._base import ChatStore, RunningTurn, user_of
from ._rows import ATTACHMENT, ITEM, page_of

_SCHEMA = """
CREATE TABLE IF NOT EXISTS threads (
    id TEXT PRIMARY KEY,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    data TEXT NOT NULL,
    owner TEXT
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
CREATE TABLE IF NOT EXISTS running_turns (
    id TEXT PRIMARY KEY,
    thread_id TEXT NOT NULL REFERENCES threads(id) ON DELETE CASCADE,
    owner TEXT NOT NULL,
    beat REAL NOT NULL,
    after_item TEXT
);
CREATE INDEX IF NOT EXISTS running_turns_by_thread ON running_turns (thread_id);
CREATE TABLE IF NOT EXISTS turn_counts (
    user TEXT NOT NULL,
    window INTEGER NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (user, window)
);
"""


# Created after the migration below: on an older file the column does not exist yet.
_OWNER_INDEX = "CREATE INDEX IF NOT EXISTS threads_by_owner ON threads (owner, created_at)"


_BUSY_TIMEOUT_MS = 5000


def _now() -> str:
    return datetime.now().isoformat()


def _use_wal(conn: sqlite3.Connection) -> None:
    """Switches the file to WAL, trying again while another process is switching it.

    Kernels that open one new file at once race to switch it, and the loser gets "database is
    locked" at once: SQLite does not wait on its busy timeout there (waiting could deadlock).
    """
    deadline = time.monotonic() + _BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() >= deadline:
                raise
            time.sleep(0.01)


class SQLiteStore(ChatStore):
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
        self._writes_in_flight = 0
        with self._lock:
            if self.path != ":memory:":
                _use_wal(self._conn)
                # No fsync per commit: a killed process still loses nothing committed, only
                # an OS crash or power cut may lose the last commits (SQLite's WAL advice).
                self._conn.execute("PRAGMA synchronous=NORMAL")
            self._conn.execute("PRAGMA foreign_keys=ON")
            self._conn.execute(f"PRAGMA busy_timeout={_BUSY_TIMEOUT_MS}")
            self._conn.executescript(_SCHEMA)
            self._add_owner_column()
            self._conn.execute(_OWNER_INDEX)

    #: Threads a ``context["user"]`` creates are that user's (the ``owner`` column).
    scopes_by_user = True
    #: Running turns live in the file, and adding an item upserts it.
    keeps_running_turns = True

    def __repr__(self) -> str:
        return f"SQLiteStore({self.path!r})"

    @property
    def local_dir(self) -> Path | None:
        """The database file's folder; ``None`` for ``":memory:"``."""
        return None if self.path == ":memory:" else Path(self.path).parent

    def _add_owner_column(self) -> None:
        """Migrate a file written before threads had owners."""
        columns = {row[1] for row in self._conn.execute("PRAGMA table_info(threads)")}
        if "owner" in columns:
            return
        try:
            self._conn.execute("ALTER TABLE threads ADD COLUMN owner TEXT")
        except sqlite3.OperationalError as exc:  # another process migrated it meanwhile
            if "duplicate column" not in str(exc):
                raise

    def close(self) -> None:
        """Close the database connection."""
        with self._lock:
            self._conn.close()

    # -- synchronous core -------------------------------------------------------------------

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        """Statements that commit together, once (a checkpoint is two: one commit, not two)."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def _query(self, sql: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._conn.execute(sql, args).fetchall()

    def load_thread_sync(self, thread_id: str, owner: str | None = None) -> ThreadMetadata:
        """Load a thread's metadata, or raise ``NotFoundError``.

        Args:
            thread_id: The thread.
            owner: When given, a thread someone else owns (or no one) is not found either.
        """
        where, args = _owned("id = ?", (thread_id,), owner)
        rows = self._query(f"SELECT data FROM threads WHERE {where}", args)
        if not rows:
            raise NotFoundError(f"Thread {thread_id} not found")
        return ThreadMetadata.model_validate_json(rows[0][0])

    def thread_exists_sync(self, thread_id: str) -> bool:
        """Whether a thread with this id exists, whoever owns it."""
        return bool(self._query("SELECT 1 FROM threads WHERE id = ?", (thread_id,)))

    def owns_thread_sync(self, thread_id: str, owner: str) -> bool:
        """Whether ``owner`` owns this thread."""
        where, args = _owned("id = ?", (thread_id,), owner)
        return bool(self._query(f"SELECT 1 FROM threads WHERE {where}", args))

    def save_thread_sync(self, thread: ThreadMetadata, owner: str | None = None) -> None:
        """Insert or update a thread's metadata.

        Args:
            thread: The thread.
            owner: Owns the thread if this inserts it (an existing owner never changes).

        Raises:
            NotFoundError: if ``owner`` is given and the thread exists but is not theirs.
        """
        data = ThreadMetadata.model_validate(thread.model_dump()).model_dump_json()
        with self._lock:
            cursor = self._conn.execute(
                "INSERT INTO threads (id, created_at, updated_at, data, owner) "
                "VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT(id) DO UPDATE SET data = excluded.data, "
                "updated_at = excluded.updated_at WHERE ? IS NULL OR threads.owner IS ?",
                (thread.id, thread.created_at.isoformat(), _now(), data, owner, owner, owner),
            )
        if cursor.rowcount == 0:
            raise NotFoundError(f"Thread {thread.id} not found")

    def load_threads_sync(
        self, limit: int, after: str | None, order: str, owner: str | None = None
    ) -> Page[ThreadMetadata]:
        """Threads by creation (``order="desc"``: newest first), paged by id cursor.

        Creation time never changes, so a cursor stays valid while turns run (ordering by
        last activity would move threads between pages as they are paged).

        Args:
            limit: At most this many threads.
            after: The id of the last thread of the previous page.
            order: ``"asc"`` or ``"desc"``.
            owner: When given, only this owner's threads.

        Raises:
            NotFoundError: if ``after`` names no thread (a deleted one): restarting from the
                first page instead would show threads twice.
        """
        return self._threads_page(limit, after, order, owner)[0]

    def threads_with_activity_sync(
        self, limit: int, owner: str | None = None
    ) -> list[tuple[ThreadMetadata, str]]:
        """The newest threads (``owner``'s only, if given), each with when it last changed."""
        page, updated = self._threads_page(limit, None, "desc", owner)
        return [(thread, updated[thread.id]) for thread in page.data]

    def _threads_page(
        self, limit: int, after: str | None, order: str, owner: str | None = None
    ) -> tuple[Page[ThreadMetadata], dict[str, str]]:
        desc = order != "asc"
        op, direction = ("<", "DESC") if desc else (">", "ASC")
        where, args = _owned("1", (), owner)
        if after is not None:
            cursor_where, cursor_args = _owned("id = ?", (after,), owner)
            cursor = self._query(
                f"SELECT created_at, id FROM threads WHERE {cursor_where}", cursor_args
            )
            if not cursor:
                raise NotFoundError(f"Thread {after} not found (paging cursor)")
            where += f" AND (created_at, id) {op} (?, ?)"
            args = (*args, cursor[0][0], cursor[0][1])
        rows = self._query(
            f"SELECT id, data, updated_at FROM threads WHERE {where} "
            f"ORDER BY created_at {direction}, id {direction} LIMIT ?",
            (*args, limit + 1),
        )
        page = page_of([ThreadMetadata.model_validate_json(row[1]) for row in rows], limit)
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
        return page_of([ITEM.validate_json(row[0]) for row in rows], limit)

    def all_items_sync(self, thread_id: str) -> list[ThreadItem]:
        """Every item of a thread, oldest first (hidden items included)."""
        rows = self._query("SELECT data FROM items WHERE thread_id = ? ORDER BY seq", (thread_id,))
        return [ITEM.validate_json(row[0]) for row in rows]

    def save_item_sync(self, thread_id: str, item: ThreadItem) -> None:
        """Insert an item, or update it in place (keeping its position) if it exists."""
        data = ITEM.dump_json(item).decode()
        with self._transaction():
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
        return ITEM.validate_json(rows[0][0])

    def delete_thread_sync(self, thread_id: str) -> None:
        """Delete a thread and all its items."""
        with self._transaction():
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

    # Writes run on a worker thread (see _off_loop); reads on the loop when they need not wait.

    async def _read(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(*args)``, a read, right here when neither this connection nor the file is busy.

        In WAL mode a reader does not wait for writers, so the query answers in microseconds,
        far less than the two event-loop turns a worker thread costs (under load, most of a
        reply's time to first token went to those hops). Anything that would wait (another
        thread on the connection, a rare busy WAL index) goes to the worker thread instead.
        """
        # Behind a write still in flight: a read sent after it (a rename, then the list) sees it.
        if not self._writes_in_flight and self._lock.acquire(blocking=False):
            try:
                self._conn.execute("PRAGMA busy_timeout=0")
                try:
                    return fn(*args)
                except sqlite3.OperationalError as exc:
                    if not _busy(exc):
                        raise
                finally:
                    self._conn.execute(f"PRAGMA busy_timeout={_BUSY_TIMEOUT_MS}")
            finally:
                self._lock.release()
        return await _off_loop(fn, *args)

    async def _write(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(*args)``, a write, on a worker thread; reads wait behind it meanwhile."""
        self._writes_in_flight += 1
        try:
            return await _off_loop(fn, *args)
        finally:
            self._writes_in_flight -= 1

    async def load_thread(self, thread_id: str, context: Any) -> ThreadMetadata:
        return await self._read(self.load_thread_sync, thread_id, user_of(context))

    async def save_thread(self, thread: ThreadMetadata, context: Any) -> None:
        await self._write(self.save_thread_sync, thread, user_of(context))

    async def load_thread_items(
        self, thread_id: str, after: str | None, limit: int, order: str, context: Any
    ) -> Page[ThreadItem]:
        def load() -> Page[ThreadItem]:
            self._check_owner(thread_id, context)
            return self.load_thread_items_sync(thread_id, after, limit, order)

        return await self._read(load)

    async def load_threads(
        self, limit: int, after: str | None, order: str, context: Any
    ) -> Page[ThreadMetadata]:
        return await self._read(self.load_threads_sync, limit, after, order, user_of(context))

    def _check_owner(self, thread_id: str, context: Any) -> None:
        """Reads of items check the owner too: ChatKit lists items without loading the thread."""
        user = user_of(context)
        if user is not None and not self.owns_thread_sync(thread_id, user):
            raise NotFoundError(f"Thread {thread_id} not found")

    async def add_thread_item(self, thread_id: str, item: ThreadItem, context: Any) -> None:
        # An upsert: the agents helper may add the same item twice.
        await self._write(self.save_item_sync, thread_id, item)

    async def save_item(self, thread_id: str, item: ThreadItem, context: Any) -> None:
        await self._write(self.save_item_sync, thread_id, item)

    async def load_item(self, thread_id: str, item_id: str, context: Any) -> ThreadItem:
        def load() -> ThreadItem:
            self._check_owner(thread_id, context)
            return self.load_item_sync(thread_id, item_id)

        return await self._read(load)

    async def delete_thread(self, thread_id: str, context: Any) -> None:
        await self._write(self.delete_thread_sync, thread_id)

    async def delete_thread_item(self, thread_id: str, item_id: str, context: Any) -> None:
        await self._write(self.delete_item_sync, thread_id, item_id)

    async def save_attachment(self, attachment: Attachment, context: Any) -> None:
        def save() -> None:
            with self._lock:
                self._conn.execute(
                    "INSERT INTO attachments (id, data) VALUES (?, ?) "
                    "ON CONFLICT(id) DO UPDATE SET data = excluded.data",
                    (attachment.id, ATTACHMENT.dump_json(attachment).decode()),
                )

        await self._write(save)

    async def load_attachment(self, attachment_id: str, context: Any) -> Attachment:
        rows = await self._read(
            self._query, "SELECT data FROM attachments WHERE id = ?", (attachment_id,)
        )
        if not rows:
            raise NotFoundError(f"Attachment {attachment_id} not found")
        return ATTACHMENT.validate_json(rows[0][0])

    async def delete_attachment(self, attachment_id: str, context: Any) -> None:
        def delete() -> None:
            with self._lock:
                self._conn.execute("DELETE FROM attachments WHERE id = ?", (attachment_id,))

        await self._write(delete)

    # -- ChatStore ---------------------------------------------------------------------------

    async def save_feedback(
        self, thread_id: str, item_ids: list[str], kind: str, context: Any
    ) -> None:
        def save() -> None:
            self._check_owner(thread_id, context)
            self.save_feedback_sync(thread_id, item_ids, kind)

        await self._write(save)

    async def load_feedback(self, thread_id: str, context: Any) -> dict[str, str]:
        def load() -> dict[str, str]:
            self._check_owner(thread_id, context)
            return self.feedback_sync(thread_id)

        return await self._read(load)

    # Running turns live in the file, so every process on it sees every other's.

    async def save_running_turn(self, turn: RunningTurn) -> None:
        def save() -> None:
            with self._lock:
                self._conn.execute(
                    "INSERT INTO running_turns (id, thread_id, owner, beat, after_item) "
                    "VALUES (?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET beat = excluded.beat",
                    (turn.id, turn.thread_id, turn.owner, turn.beat, turn.after_item),
                )

        await self._write(save)

    async def start_running_turn(self, turn: RunningTurn) -> bool:
        def start() -> bool:
            with self._lock:  # one statement: SQLite's write lock makes it atomic across processes
                cursor = self._conn.execute(
                    "INSERT INTO running_turns (id, thread_id, owner, beat, after_item) "
                    "SELECT ?, ?, ?, ?, ? WHERE NOT EXISTS "
                    "(SELECT 1 FROM running_turns WHERE thread_id = ?2)",
                    (turn.id, turn.thread_id, turn.owner, turn.beat, turn.after_item),
                )
                return cursor.rowcount > 0

        return await self._write(start)

    async def running_turns(self, thread_id: str) -> list[RunningTurn]:
        return await self._read(self.running_turns_sync, thread_id)

    def running_turns_sync(self, thread_id: str) -> list[RunningTurn]:
        rows = self._query(
            "SELECT id, thread_id, owner, beat, after_item FROM running_turns WHERE thread_id = ?",
            (thread_id,),
        )
        return [RunningTurn(*row) for row in rows]

    async def end_running_turn(self, turn_id: str) -> bool:
        def end() -> bool:
            with self._lock:
                cursor = self._conn.execute("DELETE FROM running_turns WHERE id = ?", (turn_id,))
                return cursor.rowcount > 0

        return await self._write(end)

    async def count_turn(self, user: str, window: int) -> tuple[int, int]:
        # In the file, so every worker on it counts against one limit.
        def count() -> tuple[int, int]:
            with self._lock:
                (current,) = self._conn.execute(
                    "INSERT INTO turn_counts (user, window, count) VALUES (?, ?, 1) "
                    "ON CONFLICT(user, window) DO UPDATE SET count = count + 1 RETURNING count",
                    (user, window),
                ).fetchone()
                previous = self._conn.execute(
                    "SELECT count FROM turn_counts WHERE user = ? AND window = ?",
                    (user, window - 1),
                ).fetchone()
                self._conn.execute("DELETE FROM turn_counts WHERE window < ?", (window - 1,))
            return int(current), int(previous[0]) if previous else 0

        return await self._write(count)

    async def load_all_items(self, thread_id: str, context: Any) -> list[ThreadItem]:
        def load() -> list[ThreadItem]:
            self._check_owner(thread_id, context)
            return self.all_items_sync(thread_id)

        return await self._read(load)

    async def threads_with_activity(
        self, limit: int, context: Any
    ) -> list[tuple[ThreadMetadata, str]]:
        return await self._read(self.threads_with_activity_sync, limit, user_of(context))

    async def owns_thread(self, thread_id: str, user: str) -> bool:
        return await self._read(self.owns_thread_sync, thread_id, user)

    async def thread_exists(self, thread_id: str) -> bool:
        return await self._read(self.thread_exists_sync, thread_id)


T = TypeVar("T")


async def _off_loop(fn: Callable[..., T], *args: Any) -> T:
    """``fn(*args)`` on a worker thread, so the event loop it was called from never waits.

    A write that waits for another process's lock (busy_timeout) must not stall the loop (the
    Jupyter server's, for the sidebar); the connection's lock keeps the threads apart. A task
    being cancelled runs it here instead: ChatKit saves a stopped reply in its cancellation
    handler, and a second cancel at an await there would lose it.
    """
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        return fn(*args)
    return await asyncio.to_thread(fn, *args)


def _busy(exc: sqlite3.OperationalError) -> bool:
    """Whether SQLite gave up because another connection held a lock."""
    return exc.sqlite_errorcode in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


def _owned(where: str, args: tuple[Any, ...], owner: str | None) -> tuple[str, tuple[Any, ...]]:
    """``where`` narrowed to ``owner``'s threads when there is an owner."""
    if owner is None:
        return where, args
    return f"{where} AND owner = ?", (*args, owner)

"""A ChatKit ``Store`` on PostgreSQL: one database shared by every worker and host of ``serve``.

It behaves like ``SQLiteStore`` (the same store contract runs on both): threads owned by users,
feedback, items in insertion order, stable paging, running turns and turn counts for crash
safety and rate limits, 80-bit ids. Nothing about a conversation lives in a process.

Connections come from an asyncpg pool, and an asyncpg pool belongs to one event loop. This
store is used from several: the kernel's, a kernel subshell's, ``serve``'s, and the helper loop
of a synchronous cell (``chat.messages``). So the pool lives on the store's own loop, in a
daemon thread started on first use, and every query is handed to it: from any loop (awaited
there) or from synchronous code (``run_sync`` blocks on it, without a new thread or loop).

The tables live in their own PostgreSQL schema, ``chatkit_widget``, so they cannot clash with
a team database's other tables; a ``schema_version`` table there says which migrations ran
(see ``_MIGRATIONS``), and the first process to connect applies the missing ones under an
advisory lock, so workers starting together do not race.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable, Coroutine
from datetime import UTC, datetime
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

from chatkit.store import NotFoundError
from chatkit.types import Attachment, Page, ThreadItem, ThreadMetadata

from ._base import ChatStore, RunningTurn, StoreUnavailableError, user_of
from ._rows import ATTACHMENT, ITEM, page_of

T = TypeVar("T")

#: Where the tables live.
SCHEMA = "chatkit_widget"

#: Each entry moves the schema one version up; never edit one that has shipped, append.
_MIGRATIONS = [
    """
    CREATE TABLE threads (
        id text PRIMARY KEY,
        created_at text NOT NULL,
        updated_at text NOT NULL,
        data text NOT NULL,
        owner text
    );
    CREATE INDEX threads_by_owner ON threads (owner, created_at, id);
    CREATE INDEX threads_by_creation ON threads (created_at, id);
    CREATE TABLE items (
        seq bigserial PRIMARY KEY,
        id text NOT NULL,
        thread_id text NOT NULL REFERENCES threads (id) ON DELETE CASCADE,
        data text NOT NULL,
        UNIQUE (thread_id, id)
    );
    CREATE INDEX items_by_thread ON items (thread_id, seq);
    CREATE TABLE feedback (
        thread_id text NOT NULL,
        item_id text NOT NULL,
        kind text NOT NULL,
        PRIMARY KEY (thread_id, item_id),
        FOREIGN KEY (thread_id, item_id) REFERENCES items (thread_id, id) ON DELETE CASCADE
    );
    CREATE TABLE attachments (id text PRIMARY KEY, data text NOT NULL);
    CREATE TABLE running_turns (
        id text PRIMARY KEY,
        thread_id text NOT NULL REFERENCES threads (id) ON DELETE CASCADE,
        owner text NOT NULL,
        beat double precision NOT NULL,
        after_item text
    );
    -- One running turn per thread: what keeps two hosts' turns of a thread from interleaving.
    CREATE UNIQUE INDEX running_turns_one_per_thread ON running_turns (thread_id);
    CREATE TABLE turn_counts (
        user_id text NOT NULL,
        time_window bigint NOT NULL,
        count integer NOT NULL,
        PRIMARY KEY (user_id, time_window)
    );
    """,
]
#: The schema version this release writes.
SCHEMA_VERSION = len(_MIGRATIONS)


def _unreachable() -> tuple[type[BaseException], ...]:
    """What means the database cannot be used now: down, restarting, or refusing us."""
    import asyncpg

    return (
        OSError,
        TimeoutError,
        asyncpg.PostgresConnectionError,
        asyncpg.CannotConnectNowError,
        asyncpg.InterfaceError,
        asyncpg.AdminShutdownError,
        # A database or role that does not exist, or a wrong password: set up, not a bug.
        asyncpg.InvalidCatalogNameError,
        asyncpg.InvalidAuthorizationSpecificationError,
    )


def is_postgres_url(spec: str) -> bool:
    """Whether ``spec`` is a ``postgresql://`` (or ``postgres://``) URL."""
    return spec.startswith(("postgresql://", "postgres://"))


def redacted(url: str) -> str:
    """``url`` with its password (if any) replaced by ``***``: safe for reprs and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{parts.username or ''}:***@{host}"))


class PostgresStore(ChatStore):
    """Persist ChatKit threads in a PostgreSQL database (needs the ``postgres`` extra).

    Args:
        url: ``postgresql://user[:password]@host[:port]/database`` (libpq's URL form; its query
            parameters, e.g. ``?sslmode=require``, are honoured).
        max_connections: The pool's size in this process.
        connect_timeout: Seconds to wait for a connection before the database counts as
            unreachable (``StoreUnavailableError``).

    The database is not contacted here: the first query connects, and creates or migrates the
    tables (``connect_sync`` does it at once). While the database is unreachable every query
    raises ``StoreUnavailableError``; once it is back the next query reconnects.

    Example:
        ```python
        chat = ChatWidget(store="postgresql://chat@db.example.com/chat")
        ```
    """

    #: Threads a ``context["user"]`` creates are that user's (the ``owner`` column).
    scopes_by_user = True
    #: Running turns live in the database, and adding an item upserts it.
    keeps_running_turns = True

    def __init__(
        self, url: str, *, max_connections: int = 10, connect_timeout: float = 5.0
    ) -> None:
        if not is_postgres_url(url):
            raise ValueError(f"not a PostgreSQL URL: {redacted(url)!r} (postgresql://...)")
        try:
            import asyncpg  # noqa: F401  (fail here, with the fix, rather than at first use)
        except ImportError as exc:
            raise ImportError(
                "a PostgreSQL store needs asyncpg: pip install 'chatkit-widget[postgres]'"
            ) from exc
        self.url = url
        self._max_connections = max_connections
        self._connect_timeout = connect_timeout
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread
        self._loop_lock = threading.Lock()
        self._pool: Any = None
        self._pool_ready: asyncio.Lock | None = None

    def __repr__(self) -> str:
        return f"PostgresStore({redacted(self.url)!r})"

    # -- the store's loop and pool -----------------------------------------------------------

    def _home(self) -> asyncio.AbstractEventLoop:
        """The loop the pool lives on, started in a daemon thread on first use."""
        with self._loop_lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                self._thread = threading.Thread(
                    target=_run_until_stopped, args=(loop,), name="chatkit-widget-postgres"
                )
                self._thread.daemon = True
                self._thread.start()
                self._loop = loop
            return self._loop

    def run_sync(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run ``coro`` on the store's loop and wait for it (the ``*_sync`` reads use this)."""
        return asyncio.run_coroutine_threadsafe(coro, self._home()).result()

    def connect_sync(self) -> None:
        """Connect now, creating or migrating the tables (else the first query does).

        Raises:
            StoreUnavailableError: if the database cannot be reached.
        """
        self.run_sync(self._run(lambda conn: conn.fetchval("SELECT 1")))

    def close(self) -> None:
        """Close the pool's connections and stop the store's loop."""
        with self._loop_lock:
            loop, self._loop = self._loop, None
        if loop is None:
            return
        if self._pool is not None:
            asyncio.run_coroutine_threadsafe(self._pool.close(), loop).result()
            self._pool = None
        self._pool_ready = None
        loop.call_soon_threadsafe(loop.stop)
        self._thread.join()

    async def _run(self, query: Callable[[Any], Awaitable[T]]) -> T:
        """``query(connection)`` on the store's loop, from whatever loop calls.

        Once handed over the query runs to its end even if the caller is cancelled: ChatKit
        saves a stopped reply in its cancellation handler, and that save must not be lost. A
        caller already being cancelled waits for it without awaiting (a second cancel at an
        await would lose it), as ``SQLiteStore`` does.
        """
        home = self._home()
        try:
            here = asyncio.get_running_loop()
        except RuntimeError:
            here = None
        if here is home:
            return await self._on_home(query)
        future = asyncio.run_coroutine_threadsafe(self._on_home(query), home)
        task = asyncio.current_task()
        if task is not None and task.cancelling():
            return future.result()
        return await asyncio.shield(asyncio.wrap_future(future))

    async def _on_home(self, query: Callable[[Any], Awaitable[T]]) -> T:

        pool = await self._connected()
        try:
            async with pool.acquire(timeout=self._connect_timeout) as conn:
                return await query(conn)
        except _unreachable() as exc:
            # The next acquire replaces a connection the server closed: nothing to reset.
            raise self._unavailable(exc) from exc

    async def _connected(self) -> Any:
        """The pool, made (and the schema migrated) by the first caller that needs it."""
        if self._pool is not None:
            return self._pool
        if self._pool_ready is None:
            self._pool_ready = asyncio.Lock()
        async with self._pool_ready:
            if self._pool is None:
                self._pool = await self._new_pool()
        return self._pool

    async def _new_pool(self) -> Any:
        import asyncpg

        # No floor of idle connections (min_size=0): a pool keeping one would retry it in the
        # background through an outage, logging a traceback each time.
        pool = await asyncpg.create_pool(
            self.url,
            min_size=0,
            max_size=self._max_connections,
            timeout=self._connect_timeout,
            server_settings={"search_path": SCHEMA, "application_name": "chatkit-widget"},
        )
        try:
            async with pool.acquire() as conn:
                await _migrate(conn)
        except _unreachable() as exc:
            await pool.close()
            raise self._unavailable(exc) from exc
        except BaseException:
            await pool.close()
            raise
        return pool

    def _unavailable(self, exc: BaseException) -> StoreUnavailableError:
        reason = str(exc) or type(exc).__name__
        return StoreUnavailableError(
            f"The PostgreSQL store at {redacted(self.url)} is unreachable: {reason}"
        )

    # -- chatkit.store.Store ------------------------------------------------------------------

    async def load_thread(self, thread_id: str, context: Any) -> ThreadMetadata:
        data = await self._run(
            lambda conn: conn.fetchval(
                "SELECT data FROM threads WHERE id = $1 AND ($2::text IS NULL OR owner = $2)",
                thread_id,
                user_of(context),
            )
        )
        if data is None:
            raise NotFoundError(f"Thread {thread_id} not found")
        return ThreadMetadata.model_validate_json(data)

    async def save_thread(self, thread: ThreadMetadata, context: Any) -> None:
        owner = user_of(context)
        # An existing thread keeps its owner; someone else's is "not found" to this user.
        status = await self._run(
            lambda conn: conn.execute(
                "INSERT INTO threads (id, created_at, updated_at, data, owner) "
                "VALUES ($1, $2, $3, $4, $5) "
                "ON CONFLICT (id) DO UPDATE SET data = excluded.data, "
                "updated_at = excluded.updated_at "
                "WHERE $5::text IS NULL OR threads.owner IS NOT DISTINCT FROM $5",
                thread.id,
                thread.created_at.isoformat(),
                _now(),
                thread.model_dump_json(),
                owner,
            )
        )
        if status.endswith(" 0"):
            raise NotFoundError(f"Thread {thread.id} not found")

    async def load_threads(
        self, limit: int, after: str | None, order: str, context: Any
    ) -> Page[ThreadMetadata]:
        """Threads by creation, paged by id cursor (see ``SQLiteStore.load_threads_sync``)."""
        return (await self._threads_page(limit, after, order, user_of(context)))[0]

    async def threads_with_activity(
        self, limit: int, context: Any
    ) -> list[tuple[ThreadMetadata, str]]:
        page, updated = await self._threads_page(limit, None, "desc", user_of(context))
        return [(thread, updated[thread.id]) for thread in page.data]

    async def _threads_page(
        self, limit: int, after: str | None, order: str, owner: str | None
    ) -> tuple[Page[ThreadMetadata], dict[str, str]]:
        op, direction = ("<", "DESC") if order != "asc" else (">", "ASC")

        async def query(conn: Any) -> list[Any]:
            where, args = "($1::text IS NULL OR owner = $1)", [owner]
            if after is not None:
                cursor = await conn.fetchrow(
                    f"SELECT created_at, id FROM threads WHERE id = $2 AND {where}", owner, after
                )
                if cursor is None:
                    raise NotFoundError(f"Thread {after} not found (paging cursor)")
                where += f" AND (created_at, id) {op} ($2, $3)"
                args += [cursor["created_at"], cursor["id"]]
            return list(
                await conn.fetch(
                    f"SELECT id, data, updated_at FROM threads WHERE {where} "
                    f"ORDER BY created_at {direction}, id {direction} LIMIT ${len(args) + 1}",
                    *args,
                    limit + 1,
                )
            )

        rows = await self._run(query)
        page = page_of([ThreadMetadata.model_validate_json(row["data"]) for row in rows], limit)
        return page, {row["id"]: row["updated_at"] for row in rows[:limit]}

    async def load_thread_items(
        self, thread_id: str, after: str | None, limit: int, order: str, context: Any
    ) -> Page[ThreadItem]:
        op, direction = ("<", "DESC") if order == "desc" else (">", "ASC")
        where = "thread_id = $1"
        if after is not None:
            where += f" AND seq {op} (SELECT seq FROM items WHERE thread_id = $1 AND id = $4)"

        async def query(conn: Any) -> list[Any]:
            args = [thread_id, user_of(context), limit + 1]
            return list(
                await conn.fetch(
                    f"SELECT data FROM items WHERE {where} AND {_VISIBLE} "
                    f"ORDER BY seq {direction} LIMIT $3",
                    *args,
                    *([after] if after is not None else []),
                )
            )

        rows = await self._run(query)
        await self._check_owner(thread_id, context, found=bool(rows))
        return page_of([ITEM.validate_json(row["data"]) for row in rows], limit)

    async def load_all_items(self, thread_id: str, context: Any) -> list[ThreadItem]:
        rows = await self._run(
            lambda conn: conn.fetch(
                f"SELECT data FROM items WHERE thread_id = $1 AND {_VISIBLE} ORDER BY seq",
                thread_id,
                user_of(context),
            )
        )
        await self._check_owner(thread_id, context, found=bool(rows))
        return [ITEM.validate_json(row["data"]) for row in rows]

    async def _check_owner(self, thread_id: str, context: Any, *, found: bool) -> None:
        """An empty answer to a user may mean someone else's thread: that is "not found".

        Reads of items filter by owner in the query itself (``_VISIBLE``); only when nothing
        came back is it worth a second query to tell "no items" from "not yours".
        """
        user = user_of(context)
        if user is not None and not found and not await self.owns_thread(thread_id, user):
            raise NotFoundError(f"Thread {thread_id} not found")

    async def add_thread_item(self, thread_id: str, item: ThreadItem, context: Any) -> None:
        # An upsert: the agents helper may add the same item twice.
        await self.save_item(thread_id, item, context)

    async def save_item(self, thread_id: str, item: ThreadItem, context: Any) -> None:
        """Insert an item, or update it in place (keeping its position) if it exists."""
        await self._run(
            lambda conn: conn.execute(
                "WITH saved AS (INSERT INTO items (id, thread_id, data) VALUES ($1, $2, $3) "
                "ON CONFLICT (thread_id, id) DO UPDATE SET data = excluded.data) "
                "UPDATE threads SET updated_at = $4 WHERE id = $2",
                item.id,
                thread_id,
                ITEM.dump_json(item).decode(),
                _now(),
            )
        )

    async def load_item(self, thread_id: str, item_id: str, context: Any) -> ThreadItem:
        data = await self._run(
            lambda conn: conn.fetchval(
                f"SELECT data FROM items WHERE thread_id = $1 AND id = $3 AND {_VISIBLE}",
                thread_id,
                user_of(context),
                item_id,
            )
        )
        if data is None:
            raise NotFoundError(f"Item {item_id} not found in thread {thread_id}")
        return ITEM.validate_json(data)

    async def delete_thread(self, thread_id: str, context: Any) -> None:
        # Items, their feedback and running turns go with it (ON DELETE CASCADE).
        await self._run(lambda conn: conn.execute("DELETE FROM threads WHERE id = $1", thread_id))

    async def delete_thread_item(self, thread_id: str, item_id: str, context: Any) -> None:
        await self._run(
            lambda conn: conn.execute(
                "DELETE FROM items WHERE thread_id = $1 AND id = $2", thread_id, item_id
            )
        )

    async def save_attachment(self, attachment: Attachment, context: Any) -> None:
        await self._run(
            lambda conn: conn.execute(
                "INSERT INTO attachments (id, data) VALUES ($1, $2) "
                "ON CONFLICT (id) DO UPDATE SET data = excluded.data",
                attachment.id,
                ATTACHMENT.dump_json(attachment).decode(),
            )
        )

    async def load_attachment(self, attachment_id: str, context: Any) -> Attachment:
        data = await self._run(
            lambda conn: conn.fetchval("SELECT data FROM attachments WHERE id = $1", attachment_id)
        )
        if data is None:
            raise NotFoundError(f"Attachment {attachment_id} not found")
        return ATTACHMENT.validate_json(data)

    async def delete_attachment(self, attachment_id: str, context: Any) -> None:
        await self._run(
            lambda conn: conn.execute("DELETE FROM attachments WHERE id = $1", attachment_id)
        )

    # -- ChatStore ----------------------------------------------------------------------------

    async def save_feedback(
        self, thread_id: str, item_ids: list[str], kind: str, context: Any
    ) -> None:
        if user_of(context) is not None and not await self.owns_thread(
            thread_id, str(user_of(context))
        ):
            raise NotFoundError(f"Thread {thread_id} not found")
        await self._run(
            lambda conn: conn.execute(
                "INSERT INTO feedback (thread_id, item_id, kind) "
                "SELECT thread_id, id, $1 FROM items WHERE thread_id = $2 AND id = ANY($3) "
                "ON CONFLICT (thread_id, item_id) DO UPDATE SET kind = excluded.kind",
                kind,
                thread_id,
                item_ids,
            )
        )

    async def load_feedback(self, thread_id: str, context: Any) -> dict[str, str]:
        rows = await self._run(
            lambda conn: conn.fetch(
                "SELECT item_id, kind FROM feedback WHERE thread_id = $1 AND EXISTS "
                "(SELECT 1 FROM threads WHERE id = $1 AND ($2::text IS NULL OR owner = $2))",
                thread_id,
                user_of(context),
            )
        )
        await self._check_owner(thread_id, context, found=bool(rows))
        return {row["item_id"]: row["kind"] for row in rows}

    async def owns_thread(self, thread_id: str, user: str) -> bool:
        return bool(
            await self._run(
                lambda conn: conn.fetchval(
                    "SELECT EXISTS (SELECT 1 FROM threads WHERE id = $1 AND owner = $2)",
                    thread_id,
                    user,
                )
            )
        )

    async def thread_exists(self, thread_id: str) -> bool:
        return bool(
            await self._run(
                lambda conn: conn.fetchval(
                    "SELECT EXISTS (SELECT 1 FROM threads WHERE id = $1)", thread_id
                )
            )
        )

    # Running turns live in the database, so every process on it sees every other's.

    async def save_running_turn(self, turn: RunningTurn) -> None:
        await self._run(
            lambda conn: conn.execute(
                "INSERT INTO running_turns (id, thread_id, owner, beat, after_item) "
                "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO UPDATE SET beat = excluded.beat",
                turn.id,
                turn.thread_id,
                turn.owner,
                turn.beat,
                turn.after_item,
            )
        )

    async def start_running_turn(self, turn: RunningTurn) -> bool:
        status = await self._run(
            lambda conn: conn.execute(
                "INSERT INTO running_turns (id, thread_id, owner, beat, after_item) "
                "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (thread_id) DO NOTHING",
                turn.id,
                turn.thread_id,
                turn.owner,
                turn.beat,
                turn.after_item,
            )
        )
        return bool(status == "INSERT 0 1")

    async def running_turns(self, thread_id: str) -> list[RunningTurn]:
        rows = await self._run(
            lambda conn: conn.fetch(
                "SELECT id, thread_id, owner, beat, after_item FROM running_turns "
                "WHERE thread_id = $1",
                thread_id,
            )
        )
        return [RunningTurn(*row) for row in rows]

    async def end_running_turn(self, turn_id: str) -> bool:
        status = await self._run(
            lambda conn: conn.execute("DELETE FROM running_turns WHERE id = $1", turn_id)
        )
        return bool(status != "DELETE 0")

    async def count_turn(self, user: str, window: int) -> tuple[int, int]:
        # In the database, so every worker and host counts against one limit.
        async def count(conn: Any) -> tuple[int, int]:
            async with conn.transaction():
                current = await conn.fetchval(
                    "INSERT INTO turn_counts (user_id, time_window, count) VALUES ($1, $2, 1) "
                    "ON CONFLICT (user_id, time_window) "
                    "DO UPDATE SET count = turn_counts.count + 1 RETURNING count",
                    user,
                    window,
                )
                previous = await conn.fetchval(
                    "SELECT count FROM turn_counts WHERE user_id = $1 AND time_window = $2",
                    user,
                    window - 1,
                )
                await conn.execute("DELETE FROM turn_counts WHERE time_window < $1", window - 1)
            return int(current), int(previous or 0)

        return await self._run(count)


#: Items of thread ``$1`` that the user ``$2`` may read (everyone, when ``$2`` is null).
_VISIBLE = "($2::text IS NULL OR EXISTS (SELECT 1 FROM threads WHERE id = $1 AND owner = $2::text))"


def _run_until_stopped(loop: asyncio.AbstractEventLoop) -> None:
    """The store's thread: its loop runs until ``close`` stops it."""
    try:
        loop.run_forever()
    finally:
        loop.close()


def _now() -> str:
    # UTC with its offset: hosts sharing the database may be in different time zones.
    return datetime.now(UTC).isoformat()


async def _migrate(conn: Any) -> None:
    """Create the schema, or bring it up to ``SCHEMA_VERSION``, under an advisory lock.

    Raises:
        RuntimeError: if the database was written by a newer release (a later schema).
    """
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock(hashtext('chatkit_widget.schema'))")
        await conn.execute(
            f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}; "
            f"CREATE TABLE IF NOT EXISTS {SCHEMA}.schema_version (version integer NOT NULL)"
        )
        version = await conn.fetchval(f"SELECT max(version) FROM {SCHEMA}.schema_version") or 0
        if version > SCHEMA_VERSION:
            raise RuntimeError(
                f"this database's chatkit-widget tables are at schema version {version}, newer "
                f"than this release's ({SCHEMA_VERSION}): upgrade chatkit-widget"
            )
        for number, migration in enumerate(_MIGRATIONS[version:], start=version + 1):
            await conn.execute(migration)
            await conn.execute(f"INSERT INTO {SCHEMA}.schema_version VALUES ({number})")

"""``ChatStore``: what chatkit-widget needs from a store, beyond ChatKit's ``Store``.

The in-process backends, the widget's synchronous API (``chat.messages``, ``chat.threads()``)
and the ``serve`` app all talk to one interface, whatever holds the conversations:
``SQLiteStore`` (a local file) and ``PostgresStore`` (a database server, for teams) implement
it natively, ``StoreAdapter`` wraps any other ChatKit ``Store``, and
``as_chat_store`` picks between the two. Beyond ``Store`` a ``ChatStore`` adds:

- feedback (``save_feedback``/``load_feedback``): ChatKit only forwards thumbs up/down;
- whole-thread reads the routes and the history need (``load_all_items``,
  ``threads_with_activity``, ``owns_thread``, ``thread_exists``);
- running turns (``save_running_turn``, ``running_turns``, ``end_running_turn``): which process
  streams a reply now, so a process that died mid-reply can be told from a live one;
- ``local_dir``: a local folder for companion files (the demo's task list), or ``None``;
- ``scopes_by_user``: whether threads are kept apart by ``context["user"]``, which ``serve``
  requires (see "Users" below);
- synchronous reads for the notebook API (``load_thread_sync``, ``save_thread_sync``,
  ``all_items_sync``, ``feedback_sync``, ``threads_with_activity_sync``).

Why the interface is asynchronous, with the synchronous reads derived from it: a store on a
database server (the PostgreSQL store of ``serve``, on an asyncpg-style pool) only has
coroutines, and asking each store for a synchronous twin of every read would make it write
everything twice. So a store implements the coroutines; every ``*_sync`` method is built here
on one bridge, ``run_sync``, which by default runs the coroutine to completion (on a new loop
in a helper thread when the caller is inside a running loop, as a notebook cell is). A store
whose connections are bound to one event loop (an asyncpg pool is) overrides ``run_sync``
alone, e.g. to submit the coroutine to the loop its pool lives on. A store that can answer
synchronously for free overrides the ``*_sync`` methods instead: ``SQLiteStore`` does, so the
notebook API reads a local file without starting a thread.

Users: a ChatKit ``context`` here is a dict. With a ``"user"`` (``serve`` passes the token's
subject) a store that ``scopes_by_user`` creates threads owned by that user and shows each user
only their own; without one (the notebook passes ``{}``) every thread is visible.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from chatkit.store import NotFoundError, Store, StoreItemType
from chatkit.types import ThreadItem, ThreadMetadata

from .._sync import run_sync
from ._rows import new_id

T = TypeVar("T")


class StoreUnavailableError(RuntimeError):
    """The store's database cannot be reached now (a server down or restarting).

    Worth retrying: ``serve`` answers 503 with ``Retry-After``, which the widget's backends
    honour. The message names the database but never its password.
    """


@dataclass(frozen=True)
class RunningTurn:
    """A turn a process is streaming now (``backends._turns`` writes and reads these)."""

    id: str
    thread_id: str
    #: The process that runs it (``backends._owner.this_process``).
    owner: str
    #: ``time.time()`` when the owner last said it was alive.
    beat: float
    #: The thread's newest item when the turn began: the turn's own items come after it.
    after_item: str | None = None


class ChatStore(Store[Any]):
    """A ChatKit ``Store`` that also keeps feedback and answers the widget's reads.

    Subclasses implement ChatKit's ``Store`` methods plus ``save_feedback`` and
    ``load_feedback``; every other method has a default built on those, which a store may
    override when it can answer more cheaply.
    """

    #: True when threads are owned by, and visible only to, the ``context["user"]`` that
    #: created them (see the module docstring). ``serve`` refuses stores without it.
    scopes_by_user: ClassVar[bool] = False
    #: True when every process using the store sees the running-turn records, and
    #: ``add_thread_item`` stores an item that already exists again (an upsert). Crash safety
    #: (``backends._turns``: checkpoints of streaming replies, interrupted turns marked) runs
    #: only on such a store; on another, a reply checkpointed mid-stream would be added twice.
    keeps_running_turns: ClassVar[bool] = False

    @property
    def local_dir(self) -> Path | None:
        """A local folder where companion files (the demo's task list) may live.

        ``None`` when the conversations are not in a local file (in memory, or on a
        database server): companion data then stays in memory too.
        """
        return None

    def generate_thread_id(self, context: Any) -> str:
        return new_id("thread")

    def generate_item_id(
        self, item_type: StoreItemType, thread: ThreadMetadata, context: Any
    ) -> str:
        return new_id(item_type)

    # -- beyond ChatKit's Store ---------------------------------------------------------------

    @abstractmethod
    async def save_feedback(
        self, thread_id: str, item_ids: list[str], kind: str, context: Any
    ) -> None:
        """Record thumbs up/down (``"positive"`` | ``"negative"``) for items of a thread.

        Items that do not exist are skipped; an item's feedback goes when the item does.
        """

    @abstractmethod
    async def load_feedback(self, thread_id: str, context: Any) -> dict[str, str]:
        """Feedback on a thread's items: item id -> ``"positive"`` | ``"negative"``."""

    # Running turns: used only when ``keeps_running_turns``, which a store sets once it
    # implements these four (records every process using the store sees).

    async def save_running_turn(self, turn: RunningTurn) -> None:
        """Record a running turn, or refresh its ``beat``."""
        raise NotImplementedError(f"{type(self).__name__} keeps no running turns")

    async def start_running_turn(self, turn: RunningTurn) -> bool:
        """Record ``turn`` unless its thread already runs one; True if recorded.

        Atomic across every process using the store: of two processes starting a turn in one
        thread at once, exactly one gets True. It is what keeps turns of one thread in order.
        """
        raise NotImplementedError(f"{type(self).__name__} keeps no running turns")

    async def running_turns(self, thread_id: str) -> list[RunningTurn]:
        """The turns recorded as running in this thread."""
        raise NotImplementedError(f"{type(self).__name__} keeps no running turns")

    async def end_running_turn(self, turn_id: str) -> bool:
        """Forget a running turn; True if this call removed it (two processes may race)."""
        raise NotImplementedError(f"{type(self).__name__} keeps no running turns")

    async def count_turn(self, user: str, window: int) -> tuple[int, int]:
        """Count one turn of ``user`` in rate-limit window ``window`` (``serve --rate-limit``).

        Returns this window's count (this turn included) and the previous window's. This
        default counts in this process's memory; a store shared by several workers overrides
        it, so the limit holds across them.
        """
        counts: dict[tuple[str, int], int] = self.__dict__.setdefault("_turn_counts", {})
        counts[user, window] = counts.get((user, window), 0) + 1
        for key in [key for key in counts if key[1] < window - 1]:
            del counts[key]
        return counts[user, window], counts.get((user, window - 1), 0)

    async def load_all_items(self, thread_id: str, context: Any) -> list[ThreadItem]:
        """Every item of a thread, oldest first (hidden items included), read page by page."""
        items: list[ThreadItem] = []
        after = None
        while True:
            page = await self.load_thread_items(thread_id, after, 100, "asc", context)
            items.extend(page.data)
            if not page.has_more or page.after is None:
                return items
            after = page.after

    async def threads_with_activity(
        self, limit: int, context: Any
    ) -> list[tuple[ThreadMetadata, str]]:
        """The newest threads, each with when it last changed (ISO 8601).

        This default knows no activity time and answers each thread's creation time.
        """
        page = await self.load_threads(limit, None, "desc", context)
        return [(thread, thread.created_at.isoformat()) for thread in page.data]

    async def owns_thread(self, thread_id: str, user: str) -> bool:
        """Whether ``user`` may see this thread (owns it, when the store ``scopes_by_user``)."""
        return await self._found(self.load_thread(thread_id, {"user": user}))

    async def thread_exists(self, thread_id: str) -> bool:
        """Whether a thread with this id exists, whoever owns it."""
        return await self._found(self.load_thread(thread_id, {}))

    @staticmethod
    async def _found(load: Coroutine[Any, Any, Any]) -> bool:
        try:
            await load
        except NotFoundError:
            return False
        return True

    # -- the synchronous reads of the notebook API (no user) ----------------------------------

    def run_sync(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run one of this store's coroutines to completion from synchronous code.

        Every ``*_sync`` default goes through here. Override it when the store's connections
        are bound to one event loop; the default runs ``coro`` on a new loop in a helper
        thread when called inside a running loop.
        """
        return run_sync(coro)

    def load_thread_sync(self, thread_id: str) -> ThreadMetadata:
        """``load_thread`` without a user, or ``NotFoundError``."""
        return self.run_sync(self.load_thread(thread_id, {}))

    def save_thread_sync(self, thread: ThreadMetadata) -> None:
        """``save_thread`` without a user."""
        self.run_sync(self.save_thread(thread, {}))

    def all_items_sync(self, thread_id: str) -> list[ThreadItem]:
        """``load_all_items`` without a user."""
        return self.run_sync(self.load_all_items(thread_id, {}))

    def feedback_sync(self, thread_id: str) -> dict[str, str]:
        """``load_feedback`` without a user."""
        return self.run_sync(self.load_feedback(thread_id, {}))

    def running_turns_sync(self, thread_id: str) -> list[RunningTurn]:
        """``running_turns``."""
        return self.run_sync(self.running_turns(thread_id))

    def threads_with_activity_sync(self, limit: int) -> list[tuple[ThreadMetadata, str]]:
        """``threads_with_activity`` without a user."""
        return self.run_sync(self.threads_with_activity(limit, {}))


def user_of(context: Any) -> str | None:
    """The user a ChatKit request context names (``{"user": ...}``), if any."""
    user = context.get("user") if isinstance(context, dict) else None
    return user if isinstance(user, str) else None

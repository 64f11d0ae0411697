"""Crash safety of streamed turns: checkpoints while a reply streams, and dead turns settled.

ChatKit stores an item when it is done, and a stopped reply in its cancellation handler; a
process killed mid-reply (a restarted kernel, an out-of-memory kill, a ``serve`` worker) does
neither. So every turn a ``LocalChatKitServer`` streams runs through ``tracked``:

- before its first event it is recorded as running (``RunningTurn``, owned by this process);
- the text its open replies have streamed is written to the store when it starts and then
  every ``CHECKPOINT_INTERVAL`` seconds by a timer (per event only a list append: no
  per-token cost), and the record's heartbeat is refreshed every ``BEAT_INTERVAL`` seconds;
- when the turn ends, however (done, failed, stopped), the record goes.

A thread runs one turn at a time, whichever process or host serves it: a request that starts a
turn in an existing thread first claims the thread (``claim_thread``: its running-turn record,
written only if the thread has none), before ChatKit stores the request's message, and waits
while another live turn holds it. Two tabs (or two hosts behind a load balancer) sending to one
conversation at once thus get their turns one after the other, never interleaved.

A killed process leaves its record behind. ``settle_dead_turns``, which every request naming a
thread runs first, finds records whose owner is dead (``_owner.is_alive``), claims each (when two
processes race, one wins) and marks the turn as a dropped connection marks a reply: a hidden
note after the partial reply (``incomplete`` in ``chat.messages`` and the UI, with Retry), an
empty interrupted reply when none had started, and tool rows that were running failed. Calls
waiting for approval stay waiting: nothing ran.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import datetime
from typing import Any, Final

from chatkit.store import NotFoundError
from chatkit.types import (
    AssistantMessageContent,
    AssistantMessageContentPartAdded,
    AssistantMessageContentPartDone,
    AssistantMessageContentPartTextDelta,
    AssistantMessageItem,
    SDKHiddenContextItem,
    TaskItem,
    ThreadItem,
    ThreadItemAddedEvent,
    ThreadItemDoneEvent,
    ThreadItemRemovedEvent,
    ThreadItemReplacedEvent,
    ThreadItemUpdatedEvent,
    ThreadStreamEvent,
    UserMessageItem,
)

from .._messages import INTERRUPTED_NOTE, is_incomplete_note, is_stop_note
from .._tool_rows import parse_tool_row
from ..store import ChatStore, RunningTurn
from ._owner import is_alive, this_process

log = logging.getLogger(__name__)
#: How often (seconds) streamed text is written: a kill loses at most this much.
CHECKPOINT_INTERVAL: Final = 1.0
#: How often (seconds) a running turn says its process is alive (read from other hosts).
BEAT_INTERVAL: Final = 10.0
#: What a tool row that was running when its process died says.
INTERRUPTED_TOOL: Final = "Interrupted: the process running this tool stopped before it finished."
#: Turns this process is running now (a record of this process not here was abandoned).
_RUNNING: set[str] = set()
#: Turns this process finished whose record it could not remove (never to be marked).
_ENDED: set[str] = set()
#: Claims of threads whose turn has not begun streaming yet: ``tracked`` takes them over.
_CLAIMED: dict[str, RunningTurn] = {}
#: How long (seconds) a turn waits for the one running in its thread before giving up.
WAIT_LIMIT: Final = 300.0


class ThreadBusyError(RuntimeError):
    """The thread kept running another turn for longer than a turn waits (``WAIT_LIMIT``)."""


async def claim_thread(
    store: ChatStore, thread_id: str, context: Any, limit: float = WAIT_LIMIT
) -> RunningTurn | None:
    """Record a turn as running in ``thread_id`` once no other turn runs there.

    Waits (polling, settling turns whose process died) while another turn holds the thread.
    None if the store cannot record it (the turn runs anyway, as in ``_begin``).

    Raises:
        ThreadBusyError: The thread was still busy after ``limit`` seconds.
    """
    turn_id = uuid.uuid4().hex
    _RUNNING.add(turn_id)
    deadline = time.monotonic() + limit
    pause = 0.05
    try:
        while True:
            newest = await store.load_thread_items(thread_id, None, 1, "desc", context)
            after = newest.data[0].id if newest.data else None
            turn = RunningTurn(turn_id, thread_id, this_process(), time.time(), after)
            if await store.start_running_turn(turn):
                _CLAIMED[thread_id] = turn
                return turn
            if time.monotonic() >= deadline:
                raise ThreadBusyError(
                    "This conversation is still answering an earlier message (perhaps in "
                    "another window). Wait for it to finish or stop it, then try again."
                )
            await asyncio.sleep(pause)
            pause = min(pause * 2, 0.5)
            await settle_dead_turns(store, thread_id, context)
    except ThreadBusyError:
        _RUNNING.discard(turn_id)
        raise
    except NotFoundError:  # not this user's thread: ChatKit says so next
        _RUNNING.discard(turn_id)
        return None
    except Exception:
        log.warning("chatkit-widget: could not claim a thread for a turn", exc_info=True)
        _RUNNING.discard(turn_id)
        return None
    except BaseException:
        _RUNNING.discard(turn_id)
        raise


async def release_unused_claim(store: ChatStore, turn: RunningTurn) -> None:
    """End a claim no turn took over (the request failed before its turn began)."""
    if _CLAIMED.get(turn.thread_id) is turn:
        del _CLAIMED[turn.thread_id]
        await _end(store, turn)


async def tracked(
    store: ChatStore,
    thread_id: str,
    context: Any,
    events: AsyncIterator[ThreadStreamEvent],
    interval: float = CHECKPOINT_INTERVAL,
) -> AsyncIterator[ThreadStreamEvent]:
    """``events``, with the turn recorded as running and its streamed text checkpointed.

    For a store that ``keeps_running_turns``; if it cannot record the turn, ``events`` as
    they are.
    """
    turn = _CLAIMED.pop(thread_id, None) or await _begin(store, thread_id, context)
    if turn is None:
        async for event in events:
            yield event
        return
    checkpoints = _Checkpoints(store, turn, context, interval)
    ended = False
    try:
        async for event in events:
            settled = checkpoints.observe(event)
            if settled is not None:  # ChatKit stores it next: no checkpoint may land after
                await checkpoints.release(settled)
            yield event
        ended = True
    except GeneratorExit:
        # Abandoned, not ended: a cancel that landed in ChatKit's own code (it saved the
        # reply and a stop note), or a finalizer at exit. No awaiting (the loop may be
        # gone) and no last write over what ChatKit saved: the record stays for a reader
        # to settle (see ``settle_dead_turns``).
        checkpoints.abandon()
        _RUNNING.discard(turn.id)
        raise
    except BaseException:  # failed or stopped: ChatKit keeps what streamed
        ended = True
        raise
    finally:
        if ended:
            await checkpoints.close()
            await _end(store, turn)


async def _begin(store: ChatStore, thread_id: str, context: Any) -> RunningTurn | None:
    """Record a turn as running; None if the store cannot say so (the turn runs anyway)."""
    turn_id = uuid.uuid4().hex
    _RUNNING.add(turn_id)  # first: a record of this process it does not run is abandoned
    try:
        newest = await store.load_thread_items(thread_id, None, 1, "desc", context)
        after = newest.data[0].id if newest.data else None
        turn = RunningTurn(turn_id, thread_id, this_process(), time.time(), after)
        await store.save_running_turn(turn)
    except Exception:
        log.warning("chatkit-widget: could not record a running turn", exc_info=True)
        _RUNNING.discard(turn_id)
        return None
    return turn


async def _end(store: ChatStore, turn: RunningTurn) -> None:
    try:
        await store.end_running_turn(turn.id)
    except Exception:  # the turn's own outcome matters more: a reader removes it unmarked
        log.warning("chatkit-widget: could not end a running turn's record", exc_info=True)
        _ENDED.add(turn.id)
    _RUNNING.discard(turn.id)


class _Reply:
    """An assistant message being streamed: its parts as lists of deltas (joined when written)."""

    def __init__(self, item: AssistantMessageItem) -> None:
        self.item = item
        #: Its first text asked for a write at once.
        self.woke = False
        self.contents = list(item.content)
        self.parts = [[content.text] for content in item.content]

    def apply(self, update: object) -> bool:
        """Take one update of the message; True if its text changed."""
        if isinstance(update, AssistantMessageContentPartTextDelta):
            self._part(update.content_index).append(update.delta)
            return True
        if isinstance(update, (AssistantMessageContentPartAdded, AssistantMessageContentPartDone)):
            self._part(update.content_index)[:] = [update.content.text]
            self.contents[update.content_index] = update.content
            return True
        return False

    def _part(self, index: int) -> list[str]:
        while len(self.parts) <= index:
            self.parts.append([])
            self.contents.append(AssistantMessageContent(text=""))
        return self.parts[index]

    def snapshot(self) -> AssistantMessageItem | None:
        """The message as streamed so far; None while it holds no visible text."""
        texts = ["".join(part) for part in self.parts]
        if not any(text.strip() for text in texts):
            return None
        pairs = zip(self.contents, texts, strict=True)
        content = [c.model_copy(update={"text": t}) for c, t in pairs]
        return self.item.model_copy(update={"content": content})


class _Checkpoints:
    """Writes open replies' text on a timer, and the turn's heartbeat."""

    def __init__(self, store: ChatStore, turn: RunningTurn, context: Any, interval: float) -> None:
        self._store, self._turn, self._context, self._interval = store, turn, context, interval
        self._replies: dict[str, _Reply] = {}
        self._changed: set[str] = set()
        self._lock = asyncio.Lock()
        self._stopping = False
        #: Set to write now: a reply's first text (a kill in its first second keeps it too).
        self._wake = asyncio.Event()
        self._task = asyncio.ensure_future(self._run())

    def observe(self, event: ThreadStreamEvent) -> str | None:
        """Follow one event; the id of a checkpointed reply it settles (ChatKit stores it)."""
        if isinstance(event, ThreadItemUpdatedEvent):
            reply = self._replies.get(event.item_id)
            if reply is not None and reply.apply(event.update):
                self._changed.add(event.item_id)
                if not reply.woke and _visible_delta(event.update):
                    reply.woke = True
                    self._wake.set()
            return None
        if isinstance(event, ThreadItemAddedEvent):
            if isinstance(event.item, AssistantMessageItem):
                self._replies[event.item.id] = _Reply(event.item)
            return None
        if isinstance(event, (ThreadItemDoneEvent, ThreadItemReplacedEvent)):
            item_id: str | None = event.item.id
        elif isinstance(event, ThreadItemRemovedEvent):
            item_id = event.item_id
        else:
            return None
        return item_id if item_id in self._replies else None

    async def release(self, item_id: str) -> None:
        """Stop checkpointing a reply, after any write of it in progress."""
        async with self._lock:
            self._replies.pop(item_id, None)
            self._changed.discard(item_id)

    def abandon(self) -> None:
        """End the timer without waiting for it, and write nothing more."""
        self._replies.clear()
        self._changed.clear()
        self._stopping = True
        with contextlib.suppress(RuntimeError):  # the loop is closed: the timer is gone too
            self._wake.set()

    async def close(self) -> None:
        """Write what changed since the last checkpoint, and end the timer."""
        self._stopping = True
        self._wake.set()
        await self._task

    async def _run(self) -> None:
        beat = time.monotonic()
        while not self._stopping:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._interval)
            self._wake.clear()
            async with self._lock:
                try:
                    await self._write()
                    if time.monotonic() - beat >= BEAT_INTERVAL and not self._stopping:
                        beat = time.monotonic()
                        await self._store.save_running_turn(replace(self._turn, beat=time.time()))
                except Exception:  # a checkpoint is insurance: the turn goes on without it
                    log.warning(
                        "chatkit-widget: a checkpoint of a streaming reply failed", exc_info=True
                    )

    async def _write(self) -> None:
        changed, self._changed = self._changed, set()
        for item_id in changed:
            snapshot = self._replies[item_id].snapshot()
            if snapshot is not None:
                await self._store.save_item(self._turn.thread_id, snapshot, self._context)


def settle_dead_turns_sync(store: ChatStore, thread_id: str) -> bool:
    """``settle_dead_turns`` for the notebook's synchronous reads (``chat.messages``).

    The records are read synchronously first: only when one may need settling does it run
    the coroutine (which, inside a running loop, costs a helper thread).
    """
    if not store.keeps_running_turns:
        return False
    if all(turn.id in _RUNNING for turn in store.running_turns_sync(thread_id)):
        return False
    return store.run_sync(settle_dead_turns(store, thread_id, {}))


def _visible_delta(update: object) -> bool:
    return isinstance(update, AssistantMessageContentPartTextDelta) and bool(update.delta.strip())


async def settle_dead_turns(store: ChatStore, thread_id: str, context: Any) -> bool:
    """Mark the turns of ``thread_id`` whose process died as interrupted; True if any were.

    Never raises for the store's sake: a failure is logged and the request goes on.
    """
    if not store.keeps_running_turns:
        return False
    try:
        return await _settle(store, thread_id, context)
    except NotFoundError:  # not this user's thread (or gone): not theirs to settle
        return False
    except Exception:
        log.warning("chatkit-widget: could not settle interrupted turns", exc_info=True)
        return False


async def _settle(store: ChatStore, thread_id: str, context: Any) -> bool:
    settled = False
    for turn in await store.running_turns(thread_id):
        if turn.id in _RUNNING:
            continue
        if turn.id in _ENDED:  # finished here; only its record was left
            if await store.end_running_turn(turn.id):
                _ENDED.discard(turn.id)
            continue
        # A record of this process that it no longer runs was abandoned (see ``tracked``).
        abandoned = turn.owner == this_process()
        if not abandoned and is_alive(turn.owner, turn.beat):
            continue
        tail = await _since_last_message(store, thread_id, context)
        if await store.end_running_turn(turn.id):  # False: another process settled it
            await _mark_interrupted(store, thread_id, tail, turn.after_item, context)
            settled = True
    return settled


async def _since_last_message(store: ChatStore, thread_id: str, context: Any) -> list[ThreadItem]:
    """The items after the newest user message, newest first."""
    tail: list[ThreadItem] = []
    after = None
    while True:
        page = await store.load_thread_items(thread_id, after, 20, "desc", context)
        for item in page.data:
            if isinstance(item, UserMessageItem):
                return tail
            tail.append(item)
        if not page.has_more or page.after is None:
            return tail
        after = page.after


async def _mark_interrupted(
    store: ChatStore,
    thread_id: str,
    tail: list[ThreadItem],
    started_after: str | None,
    context: Any,
) -> None:
    """Fail the tool rows left running; mark the turn's reply (or an empty one) interrupted.

    ``tail`` is what followed the newest user message, newest first; the turn's own items are
    those newer than ``started_after`` (an approval's resumed run continues an older turn).
    """
    waiting = False
    for item in tail:
        row = parse_tool_row(item) if isinstance(item, TaskItem) else None
        if row is not None and row.status == "pending":
            row.status, row.error = "error", INTERRUPTED_TOOL
            failed = row.to_item(item.id, thread_id, item.created_at)
            await store.save_item(thread_id, failed, context)
        waiting = waiting or (row is not None and row.status == "approval")
    ids = [item.id for item in tail]
    own = tail[: ids.index(started_after)] if started_after in ids else tail
    newest = own[0] if own else None
    if waiting or (newest is not None and (is_stop_note(newest) or is_incomplete_note(newest))):
        return  # waiting for a person (nothing ran), or already marked
    thread = await store.load_thread(thread_id, context)
    if not isinstance(newest, AssistantMessageItem):  # none had started: an empty one says so
        empty = AssistantMessageItem(
            id=store.generate_item_id("message", thread, context),
            thread_id=thread_id,
            created_at=datetime.now(),
            content=[],
        )
        await store.add_thread_item(thread_id, empty, context)
    note = SDKHiddenContextItem(
        id=store.generate_item_id("sdk_hidden_context", thread, context),
        thread_id=thread_id,
        created_at=datetime.now(),
        content=INTERRUPTED_NOTE,
    )
    await store.add_thread_item(thread_id, note, context)

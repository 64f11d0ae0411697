"""Between the comm and the backend: requests in, coalesced stream events out, cancel.

Every stream is a task owned by the bridge, whether the UI or Python started it, so Stop works
for both and a turn keeps streaming while the kernel is idle (the task lives on the kernel's
event loop, not in a cell).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from ._chatkit_json import (
    TEXT_DELTA,
    ChatKitRequest,
    ItemUpdated,
    StreamEvent,
    ThreadItemJSON,
    error_event,
)
from ._client_tools import pending_client_call
from ._live import LiveItems
from ._protocol import EndReason, IncomingMsg, OutgoingMsg, new_id, parse_incoming
from .backends._base import STREAMING_REQUESTS, Backend, BackendError

log = logging.getLogger(__name__)

#: At most one event message per frame at 60 Hz while text streams.
FLUSH_INTERVAL = 0.016

Send = Callable[[OutgoingMsg], None]
Observer = Callable[[StreamEvent], None]


class DeltaCoalescer:
    """Buffer stream events, merging consecutive text deltas of the same content part.

    A workflow task update supersedes the previous update of the same task (reasoning models
    re-send a thought whole with every token), so those are merged too, by keeping the last.
    Mergeable events wait at most ``interval`` seconds; anything else (an item added or done,
    an error) flushes at once, so each item ends with a flush. The clock is checked when a
    token arrives (a timer alone never fires while a blocking driver holds the loop), and a
    timer covers the last buffered delta when no further token comes.
    """

    def __init__(
        self, flush: Callable[[list[StreamEvent]], None], interval: float = FLUSH_INTERVAL
    ) -> None:
        self._flush_cb = flush
        self.interval = interval
        self._pending: list[StreamEvent] = []
        #: The last pending event when it is a mergeable item update (what a next one joins).
        self._tail: ItemUpdated | None = None
        self._last_flush = 0.0
        self._timer: asyncio.TimerHandle | None = None

    def add(self, event: StreamEvent) -> None:
        """Buffer one event, flushing when due."""
        if event["type"] != "thread.item.updated" or event["update"]["type"] not in _MERGEABLE:
            self._pending.append(event)
            self.flush()
            return
        update, tail = event["update"], self._tail
        last = tail["update"] if tail is not None and tail["item_id"] == event["item_id"] else None
        if update["type"] == TEXT_DELTA:
            if (
                last is not None
                and last["type"] == TEXT_DELTA
                and last["content_index"] == update["content_index"]
            ):
                last["delta"] += update["delta"]
            else:  # a copy: merging must not change the event other observers hold
                merged = event.copy()
                merged["update"] = update.copy()
                self._pending.append(merged)
                self._tail = merged
        elif update["type"] == "workflow.task.updated":
            if (
                last is not None
                and last["type"] == "workflow.task.updated"
                and last["task_index"] == update["task_index"]
            ):
                self._pending[-1] = event
            else:
                self._pending.append(event)
            self._tail = event
        if time.monotonic() - self._last_flush >= self.interval:
            self.flush()
        elif self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(self.interval, self.flush)

    def flush(self) -> None:
        """Send everything buffered now."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._tail = None
        if self._pending:
            events, self._pending = self._pending, []
            self._last_flush = time.monotonic()
            self._flush_cb(events)


_MERGEABLE = frozenset({TEXT_DELTA, "workflow.task.updated"})


#: A watch's view of one event: (stream id, the stream's thread id if known, the event).
WatchObserver = Callable[[str, str | None, StreamEvent], None]


class StreamWatch:
    """Every stream's events and ends, while registered with ``Bridge.watch``.

    ``ended`` receives ``(stream id, thread id, reason)`` as each stream ends.
    """

    def __init__(self, on_event: WatchObserver) -> None:
        self.on_event = on_event
        self.ended: asyncio.Queue[tuple[str, str | None, EndReason]] = asyncio.Queue()


class _TurnLock:
    """An `asyncio.Lock` listed under one or more keys while anybody holds or waits for it."""

    def __init__(self, locks: dict[str, _TurnLock], key: str) -> None:
        self._lock = asyncio.Lock()
        self._users = 0
        self._locks = locks
        self._keys = [key]
        locks[key] = self

    def also(self, key: str) -> None:
        """List it under `key` too (a turn that creates a thread holds that thread's lock)."""
        self._keys.append(key)
        self._locks[key] = self

    async def __aenter__(self) -> None:
        self._users += 1
        try:
            await self._lock.acquire()
        except BaseException:
            self._leave()
            raise

    async def __aexit__(self, *exc: object) -> None:
        self._lock.release()
        self._leave()

    def _leave(self) -> None:
        self._users -= 1
        if self._users == 0:
            for key in self._keys:
                if self._locks.get(key) is self:
                    del self._locks[key]


class Bridge:
    """Routes envelope messages to a backend and streams its answers back.

    Args:
        backend: Where requests go.
        send: Delivers an envelope to the front end(s).
        flush_interval: How long text deltas may wait to be merged (seconds).
        answers_client_tools: Run the backend's client tools here when a turn ends on a call
            (the cell widget: the kernel is the client). False: the stream ends and the front
            end answers (the sidebar: the notebook's tools run in the browser).
    """

    def __init__(
        self,
        backend: Backend,
        send: Send,
        flush_interval: float = FLUSH_INTERVAL,
        *,
        answers_client_tools: bool = True,
    ) -> None:
        self.answers_client_tools = answers_client_tools
        self.backend = backend
        self._send = send
        self.flush_interval = flush_interval
        self.streams: dict[str, asyncio.Task[EndReason]] = {}
        self._requests: dict[str, ChatKitRequest] = {}
        self._live: dict[str, tuple[ChatKitRequest, LiveItems, DeltaCoalescer]] = {}
        self._cancelled: set[str] = set()
        self._calls: set[asyncio.Task[None]] = set()
        self._turn_locks: dict[str, _TurnLock] = {}
        self.observers: list[Observer] = []
        self._watches: list[StreamWatch] = []

    def _turn_lock(self, key: str) -> _TurnLock:
        return self._turn_locks.get(key) or _TurnLock(self._turn_locks, key)

    def handle(self, raw: object) -> None:
        """Handle one message from the front end (called from the widget's comm handler)."""
        try:
            msg: IncomingMsg = parse_incoming(raw)
        except ValueError as exc:
            log.warning("chatkit-widget: ignored a malformed message: %s", exc)
            msg_id = raw.get("id") if isinstance(raw, dict) else None
            if isinstance(msg_id, str):
                self._send({"kind": "error", "id": msg_id, "message": str(exc)})
            return
        if msg["kind"] == "cancel":
            self.cancel(msg["id"])
        elif msg["kind"] == "resume":
            self.replay()
        elif msg["request"]["type"] in STREAMING_REQUESTS:
            self.start_stream(msg["request"], msg["id"])
        else:
            task = asyncio.ensure_future(self._call(msg["id"], msg["request"]))
            self._calls.add(task)
            task.add_done_callback(self._calls.discard)

    def start_stream(
        self,
        request: ChatKitRequest,
        stream_id: str | None = None,
        observer: Observer | None = None,
    ) -> tuple[str, asyncio.Task[EndReason]]:
        """Start a streaming request; returns its id and the task that runs it."""
        stream_id = stream_id or new_id()
        task = asyncio.ensure_future(self._stream(stream_id, request, observer))
        self.streams[stream_id] = task
        self._requests[stream_id] = request
        task.add_done_callback(lambda done: self._stream_done(stream_id, done))
        return stream_id, task

    def _stream_done(self, stream_id: str, task: asyncio.Task[EndReason]) -> None:
        self.streams.pop(stream_id, None)
        self._requests.pop(stream_id, None)
        self._cancelled.discard(stream_id)
        if task.cancelled():  # cancelled before it ever ran: _stream could not say so itself
            self._send({"kind": "end", "id": stream_id, "reason": "cancelled"})

    def cancel(self, stream_id: str | None = None) -> None:
        """Cancel one stream, or every running stream.

        Only once per stream: a second cancel would interrupt ChatKit while it saves the
        partial reply of the first.
        """
        for sid, task in list(self.streams.items()):
            if (stream_id is None or sid == stream_id) and sid not in self._cancelled:
                self._cancelled.add(sid)
                task.cancel()

    def replay(self) -> None:
        """Re-announce the running streams with a snapshot of their open items."""
        for stream_id, request in self.running():
            snapshot = self.snapshot(stream_id)
            self._send({"kind": "start", "id": stream_id, "request": request, "replay": True})
            if snapshot:
                self._send({"kind": "event", "id": stream_id, "events": snapshot})

    def running(self) -> list[tuple[str, ChatKitRequest]]:
        """The streams running now (or waiting for their turn), with their requests."""
        return [(sid, self._requests[sid]) for sid in self.streams if sid in self._requests]

    def snapshot(self, stream_id: str) -> list[StreamEvent] | None:
        """Events that recreate a running stream's open items; ``None`` if it is not running.

        A stream waiting for its turn has none yet. Held deltas are sent first: they are in
        the snapshot and must not come again.
        """
        if stream_id not in self._live:
            return [] if stream_id in self.streams else None
        _, live, coalescer = self._live[stream_id]
        coalescer.flush()
        return list(live.snapshot())

    @contextmanager
    def watch(self, on_event: WatchObserver) -> Iterator[StreamWatch]:
        """See every stream's events and ends while the ``with`` block runs."""
        watch = StreamWatch(on_event)
        self._watches.append(watch)
        try:
            yield watch
        finally:
            self._watches.remove(watch)

    def announce(self, events: list[StreamEvent]) -> None:
        """Tell every view (and the observers) about a change made outside any request."""
        for event in events:
            for notify in self.observers:
                notify(event)
        self._send({"kind": "changed", "id": new_id(), "events": events})

    async def _answer_client_call(self, call: ThreadItemJSON) -> ChatKitRequest:
        """Run the client tool a turn asked for; the request that hands back its result."""
        tool = self.backend.client_tools.get(call["name"])
        if tool is None:  # a remote server may call tools this notebook never registered
            result: Any = {"error": f"This notebook has no client tool named {call['name']!r}."}
        else:
            result = await tool.run(call.get("arguments") or {})
        return {
            "type": "threads.add_client_tool_output",
            "params": {"thread_id": call["thread_id"], "result": result},
        }

    async def _call(self, request_id: str, request: ChatKitRequest) -> None:
        try:
            result = await self.backend.call(request)
        except BackendError as exc:
            self._send({"kind": "error", "id": request_id, "message": str(exc)})
        except Exception as exc:
            log.exception("chatkit-widget: %s failed", request["type"])
            self._send(
                {"kind": "error", "id": request_id, "message": f"{type(exc).__name__}: {exc}"}
            )
        else:
            self._send({"kind": "response", "id": request_id, "result": result})
            changed = await self.backend.changes(request, result)
            if changed:
                for event in changed:
                    for notify in self.observers:
                        notify(event)
                self._send({"kind": "changed", "id": request_id, "events": changed})

    async def _stream(
        self, stream_id: str, request: ChatKitRequest, observer: Observer | None
    ) -> EndReason:
        live = LiveItems()
        observers = [*self.observers, *([observer] if observer else []), live.apply]
        thread_id = request.get("params", {}).get("thread_id")
        stream_thread = thread_id if isinstance(thread_id, str) else None
        coalescer = DeltaCoalescer(
            lambda events: self._send({"kind": "event", "id": stream_id, "events": events}),
            self.flush_interval,
        )

        turn_lock = self._turn_lock(stream_thread or stream_id)

        def emit(event: StreamEvent) -> None:
            nonlocal stream_thread
            if event["type"] == "thread.created":
                stream_thread = event["thread"]["id"]
                turn_lock.also(stream_thread)  # its next turn waits for this one
            for notify in observers:
                notify(event)
            for watch in self._watches:
                watch.on_event(stream_id, stream_thread, event)
            coalescer.add(event)

        reason: EndReason = "done"
        try:
            # One turn at a time per thread: its items must not interleave (a turn that
            # creates a thread waits for nobody). A cancel while waiting here still ends the
            # stream properly (the view may already show it).
            async with turn_lock:
                self._send({"kind": "start", "id": stream_id, "request": request})
                self._live[stream_id] = (request, live, coalescer)
                current: ChatKitRequest | None = request
                while current is not None:
                    call = None
                    async for event in self.backend.stream(current):
                        emit(event)
                        if event["type"] == "error":
                            reason = "error"
                        call = pending_client_call(event) or call
                    # A turn that ends on a client tool call continues, in the same stream,
                    # once the notebook's function has answered.
                    current = None
                    if call is not None and reason == "done" and self.answers_client_tools:
                        coalescer.flush()
                        try:
                            current = await self._answer_client_call(call)
                        except asyncio.CancelledError:
                            # Stopped while the notebook ran it: settle the call, so it does
                            # not show as running forever.
                            settled = await self.backend.abandon_client_call(call)
                            if settled is not None:
                                emit({"type": "thread.item.replaced", "item": settled})
                            raise
        except asyncio.CancelledError:
            reason = "cancelled"
        except Exception as exc:
            if not isinstance(exc, BackendError):
                log.exception("chatkit-widget: %s failed", request["type"])
            message = str(exc) if isinstance(exc, BackendError) else f"{type(exc).__name__}: {exc}"
            emit(error_event(message, allow_retry=False))
            reason = "error"
        finally:
            self._live.pop(stream_id, None)
            coalescer.flush()
            self._send({"kind": "end", "id": stream_id, "reason": reason})
            for watch in self._watches:
                watch.ended.put_nowait((stream_id, stream_thread, reason))
        return reason

"""Who reads each running stream over HTTP, and stopping a turn nobody reads any more."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from .._protocol import OutgoingMsg

#: How long a cancel that came before its stream's request is remembered (seconds).
EARLY_CANCEL_TTL = 60.0


class StreamReaders:
    """Fans the bridge's envelope messages out to the HTTP responses reading each stream.

    A stream whose last reader left is cancelled after ``grace`` seconds, unless a reader came
    back (a reloaded page reattaching) or it ended first.

    Args:
        cancel: Stops a stream by id (the bridge's ``cancel``).
        grace: Seconds to wait for a reader to come back.
    """

    def __init__(self, cancel: Callable[[str], None], grace: float) -> None:
        self._cancel = cancel
        self.grace = grace
        self._queues: dict[str, set[asyncio.Queue[OutgoingMsg]]] = {}
        self._orphans: dict[str, asyncio.TimerHandle] = {}
        self._early: dict[str, float] = {}

    def send(self, msg: OutgoingMsg) -> None:
        """The bridge's ``send``: hand a stream's events and end to its readers."""
        if msg["kind"] not in ("event", "end"):
            return  # starts are implied by the request; JSON answers go back directly
        for queue in self._queues.get(msg["id"], ()):
            queue.put_nowait(msg)
        if msg["kind"] == "end":
            self._forget(msg["id"])

    @contextmanager
    def reading(self, stream_id: str) -> Iterator[asyncio.Queue[OutgoingMsg]]:
        """A queue of stream ``stream_id``'s messages while the ``with`` block runs."""
        queue: asyncio.Queue[OutgoingMsg] = asyncio.Queue()
        self._queues.setdefault(stream_id, set()).add(queue)
        timer = self._orphans.pop(stream_id, None)
        if timer is not None:
            timer.cancel()
        try:
            yield queue
        finally:
            readers = self._queues.get(stream_id)
            if readers is not None:
                readers.discard(queue)
                if not readers:
                    self._orphans[stream_id] = asyncio.get_running_loop().call_later(
                        self.grace, self._stop_orphan, stream_id
                    )

    def cancel_early(self, stream_id: str) -> None:
        """Remember a cancel for a stream whose request has not arrived (for a minute)."""
        now = time.monotonic()
        self._early = {sid: t for sid, t in self._early.items() if now - t < EARLY_CANCEL_TTL}
        self._early[stream_id] = now

    def cancelled_early(self, stream_id: str) -> bool:
        """Whether a cancel came before this stream's request (forgetting it)."""
        at = self._early.pop(stream_id, None)
        return at is not None and time.monotonic() - at < EARLY_CANCEL_TTL

    def _stop_orphan(self, stream_id: str) -> None:
        self._orphans.pop(stream_id, None)
        if not self._queues.get(stream_id):
            self._cancel(stream_id)

    def _forget(self, stream_id: str) -> None:
        self._queues.pop(stream_id, None)
        timer = self._orphans.pop(stream_id, None)
        if timer is not None:
            timer.cancel()

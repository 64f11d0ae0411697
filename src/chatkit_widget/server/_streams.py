"""Run a ChatKit stream in its own task, so a client that goes away cancels it cleanly.

ChatKit keeps a stopped reply (``handle_stream_cancelled``) only when ``CancelledError`` reaches
its generator. How a disconnect reaches a response body depends on the ASGI server: the
generator may be cancelled while it awaits the model, or closed with ``GeneratorExit`` while it
waits to send. Producing frames in a task and cancelling that task when the response ends
early delivers the cancellation the same way every time.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterable, AsyncIterator

# Strong references: the event loop keeps only weak ones to running tasks.
_RUNNING: set[asyncio.Task[None]] = set()
_END = object()


class DetachedStream:
    """Frames of an async iterable, produced by a background task.

    Args:
        frames: What to produce (e.g. a ChatKit ``StreamingResult``).
    """

    def __init__(self, frames: AsyncIterable[bytes]) -> None:
        self._queue: asyncio.Queue[object] = asyncio.Queue()
        self._task = asyncio.create_task(self._pump(frames))
        _RUNNING.add(self._task)
        self._task.add_done_callback(_RUNNING.discard)

    async def _pump(self, frames: AsyncIterable[bytes]) -> None:
        try:
            async for frame in frames:
                self._queue.put_nowait(frame)
        except Exception as exc:  # handed to the reader, which raises it
            self._queue.put_nowait(exc)
        else:
            self._queue.put_nowait(_END)

    async def next(self) -> bytes | None:
        """The next frame, or ``None`` at the end; raises what the producer raised."""
        item = await self._queue.get()
        if item is _END:
            return None
        if isinstance(item, Exception):
            raise item
        assert isinstance(item, bytes)
        return item

    async def frames(self) -> AsyncIterator[bytes]:
        """The remaining frames; leaving early (a disconnect) cancels the producer."""
        try:
            while (frame := await self.next()) is not None:
                yield frame
        finally:
            self.cancel()

    def cancel(self) -> None:
        """Stop producing: the stream sees ``CancelledError`` where it waits."""
        if not self._task.done():
            self._task.cancel()

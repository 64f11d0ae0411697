"""Python's cyclic collector held off while a turn reads its thread.

A turn loads every item of its thread and converts them into the agent's input: for a
thousand items, some 11,000 short-lived objects at once. With the collector running, its young
collections fire in the middle of that burst and move thousands of them to the oldest
generation, and Python runs a full collection (every object in the process, 130-200 ms in a
kernel) once that generation has grown by a quarter: about every seventh turn of a long thread.
The items hold no reference cycles, so reference counting frees them all without the collector.

Only for a process one person uses (a kernel, the sidebar's Jupyter server): in a server where
turns of many users overlap, their pauses could join up and keep the collector off for long.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


class _Pause:
    """How many blocks hold the collector off now, and whether it ran before the first."""

    held = 0
    resume = False


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic collection inside the block.

    When the last of the blocks that overlap ends, the collector runs again if it ran before
    the first began. Keep the block short and free of ``yield``: nothing in the process is
    collected meanwhile.
    """
    if _Pause.held == 0:
        _Pause.resume = gc.isenabled()
        gc.disable()
    _Pause.held += 1
    try:
        yield
    finally:
        _Pause.held -= 1
        if _Pause.held == 0 and _Pause.resume:
            gc.enable()

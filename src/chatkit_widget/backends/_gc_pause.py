"""Python's cyclic collector held off while a turn reads its thread.

A turn loads every item of its thread and converts them into the agent's input: for a
thousand items, some 11,000 short-lived objects at once. With the collector running, its young
collections fire in the middle of that burst and move thousands of them to the oldest
generation, and Python runs a full collection (every object in the kernel, 130-200 ms) once
that generation has grown by a quarter: about every seventh turn of a long thread. The items
hold no reference cycles, so reference counting frees them all without the collector.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic collection inside the block; the collector resumes after it if it ran before.

    Keep the block short and free of ``yield``: while it runs, nothing in the process is
    collected (a turn that overlaps another's block just finds the collector already paused).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()

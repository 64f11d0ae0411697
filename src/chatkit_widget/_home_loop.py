"""``HomeLoop``: run front-end messages on the event loop the widget was made on.

ipykernel 7 runs a comm message on the kernel subshell the front end sent it from, and
JupyterLab's widget manager sends from a subshell of its own: its thread, its event loop.
The bridge's locks and the streams it starts must live on one loop, the one cells run on, or a
client tool awaiting an ``asyncio.Event`` that a cell sets is never woken (a future finished
from another thread does not wake its loop) and two turns' locks would span two loops.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any


class HomeLoop:
    """The loop and thread current when it was made (``None`` outside a running loop)."""

    def __init__(self) -> None:
        try:
            self.loop: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            self.loop = None
        self._thread = threading.get_ident()

    def run(self, fn: Callable[[Any], None], arg: Any) -> None:
        """Call ``fn(arg)`` now when on the home thread, else soon on the home loop.

        With no home loop (made outside one), or one no longer running, there is nowhere else
        to go.
        """
        loop = self.loop
        if threading.get_ident() == self._thread or loop is None or not loop.is_running():
            fn(arg)
        else:
            loop.call_soon_threadsafe(fn, arg)

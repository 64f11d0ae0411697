"""A real ipykernel, driven the way a front end drives it: cells in, IOPub out."""

from __future__ import annotations

import os
import queue
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from jupyter_client.blocking.client import BlockingKernelClient
from jupyter_client.manager import KernelManager


@dataclass
class Cell:
    """What running a cell printed, and every IOPub message (whole) it published."""

    stdout: str = ""
    published: list[dict[str, Any]] = field(default_factory=list)  # all but its status messages

    @property
    def comm_msgs(self) -> list[dict[str, Any]]:
        """The ``comm_msg`` messages among those published, in order."""
        return [msg for msg in self.published if msg["msg_type"] == "comm_msg"]


@contextmanager
def running_kernel() -> Iterator[BlockingKernelClient]:
    """A python3 kernel with tracing off and no OpenAI key; shut down on exit."""
    env = {**os.environ, "OPENAI_AGENTS_DISABLE_TRACING": "1"}
    env.pop("OPENAI_API_KEY", None)
    manager = KernelManager(kernel_name="python3")
    manager.start_kernel(env=env)
    client = manager.blocking_client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=60)
        yield client
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def execute(client: BlockingKernelClient, code: str, timeout: float = 60) -> Cell:
    """Run a cell on the main shell until the kernel is idle again.

    Raises:
        AssertionError: with the traceback, if the cell raised.
        TimeoutError: if it did not finish within ``timeout`` seconds.
    """
    msg_id = client.execute(code)
    cell = Cell()
    deadline = time.monotonic() + timeout
    while True:
        try:
            msg = client.get_iopub_msg(timeout=max(0.1, deadline - time.monotonic()))
        except queue.Empty:
            raise TimeoutError(f"the cell did not finish in {timeout} s: {code[:80]}") from None
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        kind, content = msg["msg_type"], msg["content"]
        if kind == "status":
            if content["execution_state"] == "idle":
                return cell
            continue
        cell.published.append(msg)
        if kind == "stream":
            cell.stdout += content["text"]
        elif kind == "error":
            raise AssertionError("\n".join(content["traceback"]))

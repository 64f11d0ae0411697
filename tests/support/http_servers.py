"""Run an ASGI app (FastAPI, Starlette) on 127.0.0.1 in a background thread, for tests.

A real uvicorn server on a real socket: the client under test speaks real HTTP, sees real
disconnects and real chunked bodies cut short.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import uvicorn

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (right now)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve_app(app: Any, *, timeout: float = 15.0) -> Iterator[str]:
    """Serve ``app`` until the block ends; yields its base URL (``http://127.0.0.1:PORT``)."""
    port = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", lifespan="off", timeout_keep_alive=1
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"test-server-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"the test server on port {port} did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout)


@dataclass
class ServeProcess:
    """A ``chatkit-widget serve`` process started by ``serve_process``."""

    url: str
    process: subprocess.Popen[str]

    def output(self) -> str:
        """What it printed, once it has exited."""
        return self.process.communicate(timeout=15)[0]


@contextmanager
def serve_process(target: str, store: Path | str, secret: str) -> Iterator[ServeProcess]:
    """Run ``chatkit-widget serve TARGET --store STORE`` as its own process until /health answers.

    Ends it (SIGTERM) when the block ends, unless the test already killed it.
    """
    port = free_port()
    command = Path(sys.executable).parent / "chatkit-widget"
    process = subprocess.Popen(
        [str(command), "serve", target, "--port", str(port), "--store", str(store)],
        cwd=REPO,
        env={**os.environ, "CHATKIT_WIDGET_SECRET": secret},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    served = ServeProcess(f"http://127.0.0.1:{port}", process)
    try:
        deadline = time.monotonic() + 90  # importing openai-agents is slow on a busy machine
        while True:
            assert process.poll() is None, served.output()
            try:
                if httpx.get(served.url + "/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the server did not answer"
            time.sleep(0.05)
        yield served
    finally:
        if process.poll() is None:
            process.terminate()
        if process.stdout is not None and not process.stdout.closed:
            process.communicate(timeout=15)

"""A Jupyter server extension for benchmarks only: how late the server's event loop runs.

A coroutine asks to wake every 5 ms and records how late it woke; ``GET /lag-probe`` returns
the delays recorded since the last call (and starts a new window).
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from jupyter_server.base.handlers import APIHandler
from tornado import web

PERIOD = 0.005
_delays: list[float] = []


async def _probe() -> None:
    while True:
        start = time.perf_counter()
        await asyncio.sleep(PERIOD)
        _delays.append(time.perf_counter() - start - PERIOD)


class LagHandler(APIHandler):
    @web.authenticated
    async def get(self) -> None:
        delays, _delays[:] = list(_delays), []
        self.finish(json.dumps(delays))


_task: set[asyncio.Task[None]] = set()


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "lag_probe"}]


def _load_jupyter_server_extension(server_app: Any) -> None:
    server_app.web_app.add_handlers(".*$", [("/lag-probe", LagHandler)])
    _task.add(asyncio.get_event_loop().create_task(_probe()))

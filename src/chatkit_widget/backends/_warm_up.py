"""One throwaway turn, run where it blocks nothing, so a server's first real turn is not slow.

Pydantic builds the validators of the OpenAI and ChatKit models a turn uses the first time each
is used: about 200 ms of work, in slices of up to 90 ms. On a Jupyter server's event loop that
stalls every other request during the first turn. An offline turn (a tool call and a reply, on
an in-memory store, tracing off) run on a private loop in a worker thread builds them there.
"""

from __future__ import annotations

import asyncio
import logging

log = logging.getLogger(__name__)

_REQUEST = {
    "type": "threads.create",
    "params": {
        "input": {
            "content": [{"type": "input_text", "text": "add a task: warm up"}],
            "attachments": [],
            "inference_options": {},
        }
    },
}


def warm_up() -> None:
    """Run the turn; call it from a worker thread (it runs its own event loop)."""
    try:
        asyncio.run(_one_turn())
    except Exception:  # a slower first turn is all a failure here costs
        log.warning("chatkit-widget: the warm-up turn failed", exc_info=True)


async def _one_turn() -> None:
    from ..demo import OfflineDemoModel, demo_agent
    from ..store import SQLiteStore
    from ._agent import AgentBackend

    agent = demo_agent(":memory:", model=OfflineDemoModel(delay=0))
    backend = AgentBackend(agent, SQLiteStore(":memory:"))  # tracing stays off
    async for _event in backend.stream(_REQUEST):  # type: ignore[arg-type]
        pass

"""chatkit_widget: a ChatKit-protocol chat widget for Jupyter, backed by openai-agents.

The top level holds what a notebook writes: ``ChatWidget``; the backends it talks to and their
errors; ``SQLiteStore``; ``notify`` for tools; and ``OfflineDemoModel``, the model that runs any
``Agent`` with no API key. The demo's task-manager agent lives in ``chatkit_widget.demo``.
"""

from __future__ import annotations

from . import _deprecation
from ._errors import ChatError
from ._notices import notify
from ._widget import ChatWidget
from .backends import (
    AgentBackend,
    Backend,
    BackendError,
    ChatKitBackend,
    RetryConfig,
    SSEBackend,
)
from .demo import OfflineDemoModel
from .demo import demo_agent as _demo_agent
from .store import SQLiteStore

__all__ = [
    "AgentBackend",
    "Backend",
    "BackendError",
    "ChatError",
    "ChatKitBackend",
    "ChatWidget",
    "OfflineDemoModel",
    "RetryConfig",
    "SQLiteStore",
    "SSEBackend",
    "notify",
]
__version__ = "0.1.0"

# The demo's sample agent is not a building block of a user's chat (ChatWidget() already runs
# it); it was exported here in 0.1.0.
_MOVED = {"demo_agent": ("chatkit_widget.demo.demo_agent", _demo_agent)}


def __getattr__(name: str) -> object:
    return _deprecation.deprecated_name(__name__, name, _MOVED)

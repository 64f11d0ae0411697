"""chatkit_widget: a ChatKit-protocol chat widget for Jupyter, backed by openai-agents."""

from __future__ import annotations

from .backends import (
    AgentBackend,
    Backend,
    BackendError,
    ChatKitBackend,
    RetryConfig,
    SSEBackend,
)
from .demo import OfflineDemoModel, demo_agent
from .errors import ChatError
from .notices import notify
from .store import SQLiteStore
from .widget import ChatWidget

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
    "demo_agent",
    "notify",
]
__version__ = "0.1.0"

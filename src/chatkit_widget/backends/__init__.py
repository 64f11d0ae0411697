"""Backends: where a ChatWidget's ChatKit requests go.

- ``AgentBackend``: an openai-agents ``Agent`` run in this kernel.
- ``ChatKitBackend``: a remote ChatKit server, over HTTP.
- ``SSEBackend``: a remote SSE chat API (``POST {message, conversation_id}`` answered by
  ``data: {...}`` frames), over HTTP.
"""

from __future__ import annotations

from ._agent import AgentBackend
from ._base import Backend, BackendError
from ._chatkit import ChatKitBackend
from ._http import RetryConfig
from ._sse import SSEBackend
from ._widget_actions import WidgetAction

__all__ = [
    "AgentBackend",
    "Backend",
    "BackendError",
    "ChatKitBackend",
    "RetryConfig",
    "SSEBackend",
    "WidgetAction",
]

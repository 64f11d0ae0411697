"""chatkit_widget: a ChatKit-protocol chat widget for Jupyter, backed by openai-agents.

The top level holds what a notebook writes: ``ChatWidget``; the backends it talks to and their
errors; ``SQLiteStore``; ``notify``, ``show_widget`` and ``ask_user`` for tools,
``WidgetAction`` for ``@chat.action`` handlers; and ``OfflineDemoModel``, the model that runs
any ``Agent`` with no API key. The demo's task-manager agent lives in ``chatkit_widget.demo``.
"""

from __future__ import annotations

import importlib
import typing

from . import _deprecation

if typing.TYPE_CHECKING:
    from ._errors import ChatError
    from ._tool_output import ask_user, notify, show_widget
    from ._widget import ChatWidget
    from .backends import (
        AgentBackend,
        Backend,
        BackendError,
        ChatKitBackend,
        RetryConfig,
        SSEBackend,
        WidgetAction,
    )
    from .demo import OfflineDemoModel
    from .store import PostgresStore, SQLiteStore

__all__ = [
    "AgentBackend",
    "Backend",
    "BackendError",
    "ChatError",
    "ChatKitBackend",
    "ChatWidget",
    "OfflineDemoModel",
    "PostgresStore",
    "RetryConfig",
    "SQLiteStore",
    "SSEBackend",
    "WidgetAction",
    "ask_user",
    "notify",
    "show_widget",
]
__version__ = "0.1.0"

# Imported on first use: the Jupyter server imports this package at start-up for its extension
# (chatkit_widget.jupyter), which must not pay for the widget, openai-agents and ChatKit.
_HOMES = {
    "AgentBackend": ".backends",
    "Backend": ".backends",
    "BackendError": ".backends",
    "ChatError": "._errors",
    "ChatKitBackend": ".backends",
    "ChatWidget": "._widget",
    "OfflineDemoModel": ".demo",
    "PostgresStore": ".store",
    "RetryConfig": ".backends",
    "SQLiteStore": ".store",
    "SSEBackend": ".backends",
    "WidgetAction": ".backends",
    "ask_user": "._tool_output",
    "notify": "._tool_output",
    "show_widget": "._tool_output",
}


def __getattr__(name: str) -> object:
    if name in _HOMES:
        value = getattr(importlib.import_module(_HOMES[name], __name__), name)
        globals()[name] = value  # later lookups skip this function
        return value
    if name == "demo_agent":
        # The demo's sample agent is not a building block of a user's chat (ChatWidget()
        # already runs it); it was exported here in 0.1.0.
        from .demo import demo_agent

        moved = {"demo_agent": ("chatkit_widget.demo.demo_agent", demo_agent)}
        return _deprecation.deprecated_name(__name__, name, moved)
    return _deprecation.deprecated_name(__name__, name, {})


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    """Where the prebuilt JupyterLab extension is (for ``jupyter labextension`` tools)."""
    return [{"src": "labextension", "dest": "@chatkit-widget/jupyterlab"}]

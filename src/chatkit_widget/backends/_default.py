"""The backend a chat gets when it names none: the agent given, or the demo task assistant."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from agents import Agent
from chatkit.store import Store

from ..store import resolve_store
from ._agent import AgentBackend

#: The model the demo agent runs on when ``OPENAI_API_KEY`` is set.
DEFAULT_MODEL = "gpt-4.1-mini"


def default_backend(
    agent: Agent[Any] | None, store: Store[Any] | str | Path | None
) -> AgentBackend:
    """``agent`` on ``store``; with no agent, the demo on ``OPENAI_API_KEY``'s model or offline.

    The demo's task list lives next to the conversations (in memory with them).
    """
    from ..demo import TaskList, demo_agent

    resolved = resolve_store(store)
    if agent is not None:
        return AgentBackend(agent, resolved)
    folder = resolved.local_dir
    tasks = TaskList(folder / "tasks.sqlite" if folder is not None else ":memory:")
    if os.environ.get("OPENAI_API_KEY"):
        model = os.environ.get("CHATKIT_WIDGET_MODEL", DEFAULT_MODEL)
        return AgentBackend(demo_agent(tasks, model=model), resolved)
    return AgentBackend(demo_agent(tasks), resolved, label="Offline demo model", offline=True)

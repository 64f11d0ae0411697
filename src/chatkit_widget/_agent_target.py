"""An agent named as ``MODULE:ATTR``: an ``Agent`` or a factory returning one.

What ``chatkit-widget serve`` serves and what ``c.ChatKitWidget.agent`` names for the sidebar;
it needs neither FastAPI nor Jupyter.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeAlias

from agents import Agent

AgentOrFactory: TypeAlias = Agent[Any] | Callable[[], Agent[Any]]


class TargetError(ValueError):
    """``MODULE:ATTR`` does not name an agent (or a factory that returns one)."""


def load_target(spec: str, *, cwd: str | Path | None = None) -> AgentOrFactory:
    """Import ``MODULE:ATTR``, with ``cwd`` (default: the current directory) importable.

    Raises:
        TargetError: if the spec is malformed, the import fails or the attribute is missing or
            neither an ``Agent`` nor callable.
    """
    module_name, colon, attr = spec.partition(":")
    if not colon or not module_name or not attr:
        raise TargetError(f"Expected MODULE:ATTR (e.g. my_agents:agent), got {spec!r}")
    where = str(Path(cwd) if cwd is not None else Path.cwd())
    if where not in sys.path:
        sys.path.insert(0, where)
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:  # any failure while importing the user's module
        raise TargetError(f"Could not import {module_name!r}: {type(exc).__name__}: {exc}") from exc
    target: Any = module
    for part in attr.split("."):
        if not hasattr(target, part):
            raise TargetError(f"Module {module_name!r} has no attribute {attr!r}")
        target = getattr(target, part)
    if not isinstance(target, Agent) and not callable(target):
        raise TargetError(
            f"{spec} is a {type(target).__name__}, not an agents.Agent or a function returning one"
        )
    return target  # type: ignore[no-any-return]


def resolve_agent(agent_or_factory: AgentOrFactory, name: str = "the target") -> Agent[Any]:
    """The agent itself, or what the zero-argument factory returns.

    Raises:
        TargetError: if the factory fails or returns something that is not an ``Agent``.
    """
    if isinstance(agent_or_factory, Agent):
        return agent_or_factory
    try:
        agent = agent_or_factory()
    except Exception as exc:  # the user's factory
        raise TargetError(f"Calling {name} failed: {type(exc).__name__}: {exc}") from exc
    if not isinstance(agent, Agent):
        raise TargetError(f"{name} returned a {type(agent).__name__}, not an agents.Agent")
    return agent

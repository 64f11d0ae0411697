"""Backends: where a ChatWidget's ChatKit requests go."""

from __future__ import annotations

from .agent import AgentBackend
from .base import Backend, BackendError

__all__ = ["AgentBackend", "Backend", "BackendError"]

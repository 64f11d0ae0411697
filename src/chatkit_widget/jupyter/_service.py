"""The sidebar's ChatKit server: one agent backend and bridge per Jupyter server, built lazily.

Built on the first request, off the event loop: importing openai-agents and ChatKit, opening
the store and warming up take about two seconds that neither ``jupyter lab`` start-up nor the
server's other requests may pay.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ._config import ChatKitWidget
from ._readers import StreamReaders

if TYPE_CHECKING:
    from pydantic import TypeAdapter

    from .._bridge import Bridge
    from .._chatkit_json import ChatKitRequest
    from ..backends._base import Backend

log = logging.getLogger(__name__)

#: Requests this server has no backing for (no attachment store, no transcription).
UNSUPPORTED = frozenset({"attachments.create", "attachments.delete", "input.transcribe"})


class RequestError(Exception):
    """A request refused before anything ran: an HTTP status and a message for the user."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class SidebarService:
    """The backend that answers, the bridge that runs its streams, and who reads them."""

    backend: Backend
    bridge: Bridge
    readers: StreamReaders

    def info(self) -> dict[str, Any]:
        """What the panel shows about the agent: its label, offline or not, its features."""
        return {
            "model_label": self.backend.label,
            "offline": self.backend.offline,
            "features": list(self.backend.features),
        }

    async def parse(self, body: bytes) -> tuple[ChatKitRequest, bool]:
        """The validated request in ``body`` and whether it streams.

        Raises:
            RequestError: 400 for a malformed or unsupported request, 404 for an unknown thread.
        """
        from pydantic import ValidationError

        from ..backends._base import STREAMING_REQUESTS
        from ..backends._in_process import first_problem

        try:
            raw = json.loads(body)
        except ValueError as exc:
            raise RequestError(400, f"The body is not valid JSON: {exc}") from exc
        if not isinstance(raw, dict) or not isinstance(raw.get("type"), str):
            raise RequestError(400, 'A ChatKit request is a JSON object with a "type".')
        if raw["type"] in UNSUPPORTED:
            raise RequestError(400, f"{raw['type']} is not supported by this server.")
        try:
            _request_adapter().validate_python(raw)
        except ValidationError as exc:
            problem = first_problem(exc)
            raise RequestError(400, f"Invalid ChatKit request {raw['type']!r}: {problem}") from exc
        from ..backends._base import BackendError
        from ..backends._in_process import InProcessBackend
        from ..backends._origin import request_notebook

        try:
            request_notebook(raw)  # type: ignore[arg-type]  # a dict with a "type", so far
        except BackendError as exc:
            raise RequestError(400, str(exc)) from exc
        thread_id = raw.get("params", {}).get("thread_id")
        if (  # a remote backend answers for its own threads
            isinstance(thread_id, str)
            and isinstance(self.backend, InProcessBackend)
            and not await self.backend.store.thread_exists(thread_id)
        ):
            raise RequestError(404, "Thread not found.")
        request: ChatKitRequest = raw  # type: ignore[assignment]  # validated just above
        return request, raw["type"] in STREAMING_REQUESTS

    async def call(self, request: ChatKitRequest) -> Any:
        """Answer a JSON request. Raises ``RequestError`` (400) with the backend's reason."""
        from ..backends._base import BackendError

        try:
            return await self.backend.call(request)
        except BackendError as exc:
            raise RequestError(400, str(exc)) from exc


@functools.cache
def _request_adapter() -> TypeAdapter[Any]:
    """ChatKit's request model, built once (building it takes tens of milliseconds)."""
    from chatkit.types import ChatKitReq
    from pydantic import TypeAdapter

    return TypeAdapter(ChatKitReq)


class LazyService:
    """The one ``SidebarService`` of a Jupyter server, built on first use."""

    def __init__(self, config: ChatKitWidget) -> None:
        self.config = config
        self._service: SidebarService | None = None
        self._building = asyncio.Lock()

    async def get(self) -> SidebarService:
        """The service, building it (off the event loop) the first time."""
        async with self._building:
            if self._service is None:
                backend, bridge_type = await asyncio.to_thread(_build, self.config)
                readers = StreamReaders(self._cancel, self.config.reattach_grace)
                # The notebook's tools are answered by the browser tab that started the turn.
                bridge = bridge_type(backend, readers.send, answers_client_tools=False)
                self._service = SidebarService(backend, bridge, readers)
                log.info("chatkit-widget: the sidebar chat runs %s", backend.label)
            return self._service

    def _cancel(self, stream_id: str) -> None:
        if self._service is not None:
            self._service.bridge.cancel(stream_id)


def _build(config: ChatKitWidget) -> tuple[Backend, type[Bridge]]:
    """The backend, and everything its first turn would otherwise load on the event loop.

    Importing the bridge (openai-agents, ChatKit) takes about 2 s; the first turn then builds
    ChatKit's request model and pydantic's validators (see ``_warm_up``). Run in a thread.
    """
    from .._bridge import Bridge
    from ..backends import AgentBackend
    from ..backends._warm_up import warm_up

    backend = _backend(config)
    _request_adapter()
    if isinstance(backend, AgentBackend):
        warm_up()
    return backend, Bridge


def _backend(config: ChatKitWidget) -> Backend:
    from .._agent_target import load_target, resolve_agent
    from ..backends._default import default_backend
    from ._notebook_tools import notebook_tools

    config.check()
    if config.remote_url:
        return _remote_backend(config)
    agent = resolve_agent(load_target(config.agent), config.agent) if config.agent else None
    backend = default_backend(agent, config.store_path())
    for tool in notebook_tools():
        backend.client_tools[tool.name] = tool
    return backend


def _remote_backend(config: ChatKitWidget) -> Backend:
    """A remote ChatKit server or SSE chat API; its token is read here and stays here."""
    import os

    from ..backends import ChatKitBackend, SSEBackend

    token = None
    if config.remote_token_env:
        token = os.environ.get(config.remote_token_env)
        if not token:
            raise ValueError(
                f"ChatKitWidget.remote_token_env names {config.remote_token_env!r}, which is not "
                "set in the Jupyter server's environment."
            )
    if config.remote_kind == "sse":
        return SSEBackend(config.remote_url, token=token)
    return ChatKitBackend(config.remote_url, token=token)

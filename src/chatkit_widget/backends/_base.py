"""The interface every backend implements: ChatKit requests in, ChatKit events or JSON out."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Callable
from typing import Any

from chatkit.types import ThreadItem, ThreadMetadata

from .._chatkit_json import ChatKitRequest, StreamEvent, ThreadItemJSON, ThreadJSON
from .._client_tools import ClientTool

__all__ = [
    "STREAMING_REQUESTS",
    "Backend",
    "BackendError",
    "ChatKitRequest",
    "StreamEvent",
    "ThreadItemJSON",
    "ThreadJSON",
]

STREAMING_REQUESTS = frozenset(
    {
        "threads.create",
        "threads.add_user_message",
        "threads.add_client_tool_output",
        "threads.add_structured_input",
        "threads.retry_after_item",
        "threads.custom_action",
    }
)


class BackendError(Exception):
    """A request the backend could not process (unknown thread, malformed request, ...)."""


class Backend(ABC):
    """Where a ``ChatWidget`` sends its ChatKit requests.

    ``stream`` serves the streaming requests (``STREAMING_REQUESTS``), ``call`` the others.
    The ``*_sync`` readers back the widget's synchronous Python API and must work inside a
    running event loop.
    """

    #: Shown in the chat header (a model name, a server URL).
    label: str = ""
    #: True when replies come from the built-in offline demo model.
    offline: bool = False
    #: Extensions beyond the ChatKit protocol the backend serves: ``"edit"`` (the
    #: ``chatkit_widget.edit`` custom action), ``"feedback"`` (stored ``items.feedback``) and
    #: ``"notebooks"`` (threads record their notebook; ``threads.list`` filters by it).
    features: tuple[str, ...] = ()
    #: Origins (``https://host:port``) whose images the browser may load without a click.
    image_origins: tuple[str, ...] = ()

    @property
    def client_tools(self) -> dict[str, ClientTool]:
        """Client tools registered by the widget, by name (the bridge runs them)."""
        return self.__dict__.setdefault("_client_tools", {})  # type: ignore[no-any-return]

    def add_action_handler(self, action_type: str, handler: Callable[..., Any]) -> None:
        """Run ``handler`` in the kernel for widget actions of ``action_type``.

        Raises:
            TypeError: this backend's widgets are answered by its server, not the kernel.
        """
        raise TypeError(
            f"{type(self).__name__} sends widget actions to its server, which answers them; "
            "Python action handlers need the in-process agent backend (ChatWidget(agent=...))"
        )

    def add_client_tool(self, tool: ClientTool) -> None:
        """Register a client tool (a backend may refuse one, e.g. for a name clash)."""
        self.client_tools[tool.name] = tool

    async def abandon_client_call(self, item: ThreadItemJSON) -> ThreadItemJSON | None:
        """A pending client tool call the user stopped: store it as failed if possible.

        Returns the settled item for the UI, or ``None`` when the backend cannot store it.
        """
        return None

    async def changes(self, request: ChatKitRequest, result: Any) -> list[StreamEvent]:
        """What a non-streaming request changed, as ChatKit events every view should apply."""
        return []

    @abstractmethod
    def stream(self, request: ChatKitRequest) -> AsyncIterator[StreamEvent]:
        """Process a streaming request, yielding ChatKit stream events as JSON objects.

        This is where events enter the widget: they must be well-formed ChatKit events
        (``StreamEvent`` types them; a backend reading them from elsewhere validates them).
        """

    @abstractmethod
    async def call(self, request: ChatKitRequest) -> Any:
        """Process a non-streaming request and return its JSON result."""

    @abstractmethod
    def threads_sync(self, limit: int = 100) -> list[tuple[ThreadMetadata, str]]:
        """Threads, most recently active first, each with its last-activity time (ISO 8601)."""

    @abstractmethod
    def thread_sync(self, thread_id: str) -> ThreadMetadata:
        """One thread's metadata.

        Raises:
            BackendError: if the thread does not exist.
        """

    def set_status_sync(self, thread_id: str, status: str, reason: str | None) -> ThreadJSON:
        """Lock, close or reopen a thread; returns the thread as ChatKit JSON.

        Raises:
            BackendError: if the backend cannot change thread status, or there is no such thread.
        """
        raise BackendError(f"{type(self).__name__} cannot change a thread's status")

    def has_thread_sync(self, thread_id: str) -> bool:
        """Whether the thread exists."""
        try:
            self.thread_sync(thread_id)
        except BackendError:
            return False
        return True

    def feedback_sync(self, thread_id: str) -> dict[str, str]:
        """Feedback given on a thread's items: item id -> ``"positive"`` | ``"negative"``."""
        return {}

    @abstractmethod
    def items_sync(self, thread_id: str) -> list[ThreadItem]:
        """Every item of a thread, oldest first (hidden context items included).

        Raises:
            BackendError: if the thread does not exist.
        """

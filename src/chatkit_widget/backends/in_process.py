"""A backend around a ChatKit server running in this kernel, with its own ``Store``.

``AgentBackend`` (an openai-agents ``Agent``) and ``SSEBackend`` (a remote SSE chat API
behind a local ChatKit server) share it: threads, items, paging, retry, feedback and stop
all come from ChatKit's ``ChatKitServer``, so every backend gives the UI the same protocol.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import AsyncIterator, Coroutine
from typing import Any, TypeVar

from chatkit.server import ChatKitServer, NonStreamingResult, StreamingResult
from chatkit.store import NotFoundError, Store
from chatkit.types import (
    ActiveStatus,
    ClosedStatus,
    FeedbackKind,
    LockedStatus,
    ThreadItem,
    ThreadMetadata,
    UserMessageItem,
    UserMessageTextContent,
)
from pydantic import ValidationError

from .._messages import is_incomplete_note, is_stop_note
from ..store import SQLiteStore
from .base import Backend, BackendError

T = TypeVar("T")
_STATUSES = {"locked": LockedStatus, "closed": ClosedStatus}
TITLE_LENGTH = 60


class LocalChatKitServer(ChatKitServer[dict[str, Any]]):
    """A ``ChatKitServer`` that also keeps the feedback users give (ChatKit only forwards it)."""

    def __init__(self, store: Store[Any]) -> None:
        super().__init__(store)
        self.feedback: dict[str, dict[str, str]] = {}

    async def add_feedback(  # noqa: D102
        self, thread_id: str, item_ids: list[str], feedback: FeedbackKind, context: dict[str, Any]
    ) -> None:
        if isinstance(self.store, SQLiteStore):
            self.store.save_feedback_sync(thread_id, item_ids, feedback)
        else:  # a custom Store has no place for it: kept for this session only
            for item_id in item_ids:
                self.feedback.setdefault(thread_id, {})[item_id] = feedback

    def feedback_of(self, thread_id: str) -> dict[str, str]:
        """Feedback on a thread's items: item id -> ``"positive"`` | ``"negative"``."""
        if isinstance(self.store, SQLiteStore):
            return self.store.feedback_sync(thread_id)
        return dict(self.feedback.get(thread_id, {}))


class InProcessBackend(Backend):
    """Serve the widget's requests with a ``LocalChatKitServer`` in this kernel.

    Args:
        server: The ChatKit server that answers.
        store: Its store (read directly by the synchronous API).
    """

    def __init__(self, server: LocalChatKitServer, store: Store[Any]) -> None:
        self.server = server
        self.store = store

    async def stream(self, request: dict[str, Any]) -> AsyncIterator[dict[str, Any]]:  # noqa: D102
        await self._refuse_if_not_active(request)
        result = await self._process(request)
        if not isinstance(result, StreamingResult):
            raise BackendError(f"{request.get('type')} is not a streaming request")
        try:
            async for frame in result:
                yield event_of(frame)
        except NotFoundError as exc:  # e.g. add_user_message to a thread that is gone
            raise BackendError(str(exc)) from exc

    async def call(self, request: dict[str, Any]) -> Any:  # noqa: D102
        result = await self._process(request)
        if not isinstance(result, NonStreamingResult):
            raise BackendError(f"{request.get('type')} is a streaming request")
        body = json.loads(result.json)
        if request["type"] in ("threads.get_by_id", "items.list"):
            await self._annotate(request["params"]["thread_id"], body)
        return body

    async def changes(self, request: dict[str, Any], result: Any) -> list[dict[str, Any]]:  # noqa: D102
        params = request.get("params", {})
        if request["type"] == "threads.update":
            return [{"type": "thread.updated", "thread": result}]
        if request["type"] == "items.feedback":
            page: dict[str, Any] = {"data": []}
            for item_id in params["item_ids"]:
                try:
                    item = await self.store.load_item(params["thread_id"], item_id, {})
                except NotFoundError:
                    continue
                page["data"].append(item.model_dump(mode="json", exclude_none=True))
            await self._annotate(params["thread_id"], page)
            return [{"type": "thread.item.replaced", "item": item} for item in page["data"]]
        return []

    async def _refuse_if_not_active(self, request: dict[str, Any]) -> None:
        """ChatKit leaves locked and closed threads open to new turns; this backend does not."""
        thread_id = request.get("params", {}).get("thread_id")
        if request["type"] == "threads.create" or not isinstance(thread_id, str):
            return
        try:
            thread = await self.store.load_thread(thread_id, {})
        except NotFoundError:
            return  # process() reports the unknown thread
        if thread.status.type != "active":
            why = f": {thread.status.reason}" if thread.status.reason else "."
            raise BackendError(f"This conversation is {thread.status.type}{why}")

    async def _annotate(self, thread_id: str, body: dict[str, Any]) -> None:
        """Mark replies: ``"stopped"`` (by the user), ``"incomplete"`` (cut off), ``"feedback"``.

        ChatKit records a stop only as a hidden item the client never receives, and feedback
        not at all, so without this a reloaded thread could show neither. Clients that do not
        know the fields ignore them.
        """
        page = body.get("items", body)
        feedback = self.server.feedback_of(thread_id)
        for item in page.get("data", []):
            if item["id"] in feedback:
                item["feedback"] = feedback[item["id"]]
            if item.get("type") != "assistant_message":
                continue
            # Only the item right after each reply: paging a long thread stays O(page).
            following = await self.store.load_thread_items(thread_id, item["id"], 1, "asc", {})
            if following.data and is_stop_note(following.data[0]):
                item["stopped"] = True
            elif following.data and is_incomplete_note(following.data[0]):
                item["incomplete"] = True

    async def _process(self, request: dict[str, Any]) -> StreamingResult | NonStreamingResult:
        try:
            return await self.server.process(json.dumps(request), {})
        except ValidationError as exc:
            raise BackendError(
                f"Invalid {request.get('type')!r} request: {first_problem(exc)}"
            ) from exc
        except NotFoundError as exc:
            raise BackendError(str(exc)) from exc

    def threads_sync(self, limit: int = 100) -> list[tuple[ThreadMetadata, str]]:  # noqa: D102
        if isinstance(self.store, SQLiteStore):
            return self.store.threads_with_activity_sync(limit)
        page = run_sync(self.store.load_threads(limit, None, "desc", {}))
        return [(t, t.created_at.isoformat()) for t in page.data]

    def thread_sync(self, thread_id: str) -> ThreadMetadata:  # noqa: D102
        try:
            if isinstance(self.store, SQLiteStore):
                return self.store.load_thread_sync(thread_id)
            return run_sync(self.store.load_thread(thread_id, {}))
        except NotFoundError as exc:
            raise BackendError(f"No thread with id {thread_id!r} in {self.store!r}") from exc

    def set_status_sync(  # noqa: D102
        self, thread_id: str, status: str, reason: str | None
    ) -> dict[str, Any]:
        thread = self.thread_sync(thread_id)
        thread.status = _STATUSES[status](reason=reason) if status != "active" else ActiveStatus()
        if isinstance(self.store, SQLiteStore):
            self.store.save_thread_sync(thread)
        else:
            run_sync(self.store.save_thread(thread, {}))
        shown: dict[str, Any] = thread.model_dump(mode="json", exclude_none=True)
        return shown

    def feedback_sync(self, thread_id: str) -> dict[str, str]:  # noqa: D102
        return self.server.feedback_of(thread_id)

    def items_sync(self, thread_id: str) -> list[ThreadItem]:  # noqa: D102
        try:
            if isinstance(self.store, SQLiteStore):
                self.store.load_thread_sync(thread_id)
                items = self.store.all_items_sync(thread_id)
            else:
                run_sync(self.store.load_thread(thread_id, {}))
                items = run_sync(all_items(self.store, thread_id, {}))
        except NotFoundError as exc:
            raise BackendError(f"No thread with id {thread_id!r} in {self.store!r}") from exc
        return items


def event_of(frame: bytes) -> dict[str, Any]:
    """The ChatKit event in one of ``ChatKitServer.process``'s ``data: {...}`` frames."""
    event: dict[str, Any] = json.loads(frame.removeprefix(b"data: "))
    return event


def first_problem(exc: ValidationError) -> str:
    """Where a request is malformed and how: ``params.input.content: Field required``."""
    first = exc.errors()[0]
    return f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}"


def turn_request(text: str, thread_id: str | None) -> dict[str, Any]:
    """The ChatKit request that sends ``text``: a new thread, or a message to ``thread_id``."""
    message = {
        "content": [{"type": "input_text", "text": text}],
        "attachments": [],
        "inference_options": {},
    }
    if thread_id is None:
        return {"type": "threads.create", "params": {"input": message}}
    return {
        "type": "threads.add_user_message",
        "params": {"thread_id": thread_id, "input": message},
    }


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion, also when called inside a running event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    box: dict[str, Any] = {}

    def worker() -> None:
        try:
            box["value"] = asyncio.run(coro)
        except BaseException as exc:  # re-raised in the caller's thread
            box["error"] = exc

    thread = threading.Thread(target=worker, name="chatkit-widget-sync")
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box["value"]  # type: ignore[no-any-return]


async def all_items(store: Store[Any], thread_id: str, context: Any) -> list[ThreadItem]:
    """Every item of a thread, oldest first, read page by page."""
    items: list[ThreadItem] = []
    after = None
    while True:
        page = await store.load_thread_items(thread_id, after, 100, "asc", context)
        items.extend(page.data)
        if not page.has_more or page.after is None:
            return items
        after = page.after


def title_from(message: UserMessageItem) -> str:
    """A thread title from its first message: the text on one line, at most 60 characters."""
    text = " ".join(
        "".join(p.text for p in message.content if isinstance(p, UserMessageTextContent)).split()
    )
    return text if len(text) <= TITLE_LENGTH else text[: TITLE_LENGTH - 1].rstrip() + "…"

"""A backend around a ChatKit server running in this kernel, with its own ``Store``.

``AgentBackend`` (an openai-agents ``Agent``) and ``SSEBackend`` (a remote SSE chat API
behind a local ChatKit server) share it: threads, items, paging, retry, feedback and stop
all come from ChatKit's ``ChatKitServer``, so every backend gives the UI the same protocol.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from typing import Any, TypeAlias, TypeVar, cast

from chatkit.server import ChatKitServer, NonStreamingResult, StreamingResult
from chatkit.store import NotFoundError, Store
from chatkit.types import (
    ActiveStatus,
    AssistantMessageContentPartTextDelta,
    ChatKitReq,
    ClosedStatus,
    ErrorEvent,
    FeedbackKind,
    LockedStatus,
    StreamingReq,
    ThreadItem,
    ThreadItemUpdatedEvent,
    ThreadMetadata,
    ThreadStreamEvent,
    UserMessageItem,
    UserMessageTextContent,
    is_streaming_req,
)
from pydantic import TypeAdapter, ValidationError

from .._chatkit_json import (
    ChatKitRequest,
    ItemReplaced,
    ItemUpdated,
    JSONObject,
    StreamEvent,
    TextDelta,
    ThreadJSON,
)
from ..store import ChatStore, as_chat_store
from ._base import Backend, BackendError
from ._marks import mark_items, mark_reply, with_versions
from ._origin import notebook_of, request_notebook, with_notebook
from ._turns import (
    CHECKPOINT_INTERVAL,
    WAIT_LIMIT,
    ThreadBusyError,
    claim_thread,
    release_unused_claim,
    settle_dead_turns,
    settle_dead_turns_sync,
    tracked,
)

#: What ChatKit hands its server's methods with each request: ``{}`` in a notebook, the
#: user for ``chatkit-widget serve``, and what a turn keeps for its cancellation.
RequestContext: TypeAlias = dict[str, Any]
_STATUSES = {"locked": LockedStatus, "closed": ClosedStatus}
TITLE_LENGTH = 60
#: What only marks a line up in Markdown: headings, quotes, list bullets and numbers, fences.
_MARKUP_LEAD = re.compile(r"^\s*(?:(?:#{1,6}|>+|[-*+]|\d{1,3}[.)])\s+|`{3,}\S*\s*$)")
#: What may not end a cut title before its ellipsis (with en and em dashes).
_DANGLING = " ,;:.-(\u2013\u2014"
#: Threads read per query while listing one notebook's threads.
SCAN_PAGE = 100
_REQUESTS = TypeAdapter[ChatKitReq](ChatKitReq)
#: How ``ChatKitServer`` dumps what it sends (``_serialize``): no nulls, no upload metadata.
_AS_SENT: dict[str, Any] = {
    "by_alias": True,
    "exclude_none": True,
    "context": {"exclude_metadata": True},
}
_R = TypeVar("_R")


class LocalChatKitServer(ChatKitServer[RequestContext]):
    """A ``ChatKitServer`` that keeps feedback (ChatKit only forwards it) and survives crashes.

    Every turn is checkpointed while it streams, and a turn whose process died is marked
    interrupted before any request reads its thread (``_turns``).

    Args:
        store: Any ChatKit ``Store``; one that is not a ``ChatStore`` is wrapped in a
            ``StoreAdapter`` (which keeps feedback for this session only).
    """

    store: ChatStore
    #: Seconds between checkpoints of a streaming reply's text.
    checkpoint_interval: float = CHECKPOINT_INTERVAL
    #: Seconds a turn waits for the one running in its thread before it reports the thread busy.
    turn_wait_limit: float = WAIT_LIMIT

    def __init__(self, store: Store[Any]) -> None:
        super().__init__(as_chat_store(store))

    async def process(
        self, request: str | bytes | bytearray, context: RequestContext
    ) -> StreamingResult | NonStreamingResult:
        # ChatKit's own ``process``, but with one request adapter: it builds a TypeAdapter
        # (a schema of every request type) per request, ~12% of serve's CPU under load.
        parsed = await self._parse(request, context)
        if is_streaming_req(parsed):
            return StreamingResult(self._process_streaming(parsed, context))
        return NonStreamingResult(await self._process_non_streaming(parsed, context))

    async def process_events(
        self, request: str | bytes | bytearray, context: RequestContext
    ) -> AsyncIterator[ThreadStreamEvent] | NonStreamingResult:
        """``process`` for a caller in this process: a stream's events as ChatKit's models.

        ``process`` writes every event as an SSE frame of JSON, which the in-process backend
        would only parse back: a dump and a parse per streamed token, a tenth of its CPU.
        """
        parsed = await self._parse(request, context)
        if is_streaming_req(parsed):
            return self._process_streaming_impl(parsed, context)
        return NonStreamingResult(await self._process_non_streaming(parsed, context))

    async def _parse(self, request: str | bytes | bytearray, context: RequestContext) -> ChatKitReq:
        """The validated request, once any dead turn of its thread is settled (``_turns``)."""
        parsed = _REQUESTS.validate_json(request)
        thread_id = getattr(parsed.params, "thread_id", None)
        if isinstance(thread_id, str):
            await settle_dead_turns(self.store, thread_id, context)
        return parsed

    async def _process_streaming_impl(
        self, request: StreamingReq, context: RequestContext
    ) -> AsyncGenerator[ThreadStreamEvent, None]:
        # Every streaming request (a turn) of an existing thread claims it first, before
        # ChatKit stores its message: one turn at a time per thread (see ``_turns``).
        thread_id = getattr(request.params, "thread_id", None)
        if not self.store.keeps_running_turns or not isinstance(thread_id, str):
            async for event in super()._process_streaming_impl(request, context):
                yield event
            return
        try:
            claim = await claim_thread(self.store, thread_id, context, self.turn_wait_limit)
        except ThreadBusyError as exc:
            yield ErrorEvent(message=str(exc), allow_retry=True)
            return
        try:
            async for event in super()._process_streaming_impl(request, context):
                yield event
        finally:
            if claim is not None:  # still unclaimed only when the turn never began
                await release_unused_claim(self.store, claim)

    def _process_events(
        self,
        thread: ThreadMetadata,
        context: RequestContext,
        stream: Callable[[], AsyncIterator[ThreadStreamEvent]],
    ) -> AsyncIterator[ThreadStreamEvent]:
        # ChatKit's one funnel for every turn's events (respond, action, retry, a client
        # tool's output), seen here before ChatKit stores them. A private method: the
        # openai-chatkit range in pyproject is pinned, and the crash tests cover it.
        if not self.store.keeps_running_turns:  # see ChatStore.keeps_running_turns
            return super()._process_events(thread, context, stream)

        def checkpointed() -> AsyncIterator[ThreadStreamEvent]:
            return tracked(self.store, thread.id, context, stream(), self.checkpoint_interval)

        return super()._process_events(thread, context, checkpointed)

    async def add_feedback(
        self, thread_id: str, item_ids: list[str], feedback: FeedbackKind, context: RequestContext
    ) -> None:
        await self.store.save_feedback(thread_id, item_ids, feedback, context)


class InProcessBackend(Backend):
    """Serve the widget's requests with a ``LocalChatKitServer`` in this kernel.

    Args:
        server: The ChatKit server that answers; its store is read directly by the
            synchronous API.
    """

    def __init__(self, server: LocalChatKitServer) -> None:
        self.server = server
        self.store = server.store
        self.features = ("notebooks",)

    async def stream(self, request: ChatKitRequest) -> AsyncIterator[StreamEvent]:
        await self._refuse_if_not_active(request)
        events = await self._process(request, self.server.process_events)
        if isinstance(events, NonStreamingResult):
            raise BackendError(f"{request['type']} is not a streaming request")
        try:
            async for model in events:
                event = event_json(model)
                if "item" in event:  # only an item's event is annotated
                    await self._annotate_event(event)
                yield event
        except NotFoundError as exc:  # e.g. add_user_message to a thread that is gone
            raise BackendError(str(exc)) from exc

    async def call(self, request: ChatKitRequest) -> Any:
        notebook = request_notebook(request)
        if request["type"] == "threads.list" and notebook is not None:
            return await self._threads_of(notebook, request.get("params", {}))
        result = await self._process(request, self.server.process)
        if not isinstance(result, NonStreamingResult):
            raise BackendError(f"{request['type']} is a streaming request")
        body = json.loads(result.json)
        if request["type"] in ("threads.get_by_id", "items.list"):
            await mark_items(self.store, request["params"]["thread_id"], body, {})
        if request["type"] == "threads.list":
            for thread in body.get("data", []):
                stored = await self.store.load_thread(thread["id"], {})
                with_notebook(thread, notebook_of(stored))
                await self._with_activity(thread)
        elif request["type"] in ("threads.get_by_id", "threads.update"):
            stored = await self.store.load_thread(body["id"], {})
            with_notebook(body, notebook_of(stored))
        return body

    async def _threads_of(self, notebook: str, params: JSONObject) -> JSONObject:
        """``threads.list`` of the threads that started from ``notebook`` (any store: a scan)."""
        limit, after = int(params.get("limit") or 20), params.get("after")
        order = "asc" if params.get("order") == "asc" else "desc"
        found: list[JSONObject] = []
        while True:
            page = await self.store.load_threads(max(limit, SCAN_PAGE), after, order, {})
            for thread in page.data:
                if notebook_of(thread) != notebook:
                    continue
                found.append(
                    await self._with_activity(with_notebook(thread_json(thread), notebook))
                )
                if len(found) == limit:  # more may follow: the client asks after this one
                    return {"data": found, "has_more": True, "after": thread.id}
            if not page.has_more or page.after is None:
                return {"data": found, "has_more": False, "after": None}
            after = page.after

    async def _with_activity(self, thread: JSONObject) -> JSONObject:
        """Add ``updated_at``: when the thread's newest item was made, for History's times.

        ChatKit's ``Thread`` has only ``created_at``, and threads are listed by it (stable
        cursors, see ``SQLiteStore.load_threads_sync``). The newest item, one indexed read in
        any ``Store``, is the conversation's real last activity: a rename or a lock is not.
        A thread with no item yet gets none; clients fall back to ``created_at``.
        """
        newest = await self.store.load_thread_items(thread["id"], None, 1, "desc", {})
        if newest.data:
            thread["updated_at"] = newest.data[0].created_at.isoformat()
        return thread

    async def changes(self, request: ChatKitRequest, result: Any) -> list[StreamEvent]:
        params = request.get("params", {})
        if request["type"] == "threads.update":
            return [{"type": "thread.updated", "thread": result}]
        if request["type"] == "items.feedback":
            page: JSONObject = {"data": []}
            for item_id in params["item_ids"]:
                try:
                    item = await self.store.load_item(params["thread_id"], item_id, {})
                except NotFoundError:
                    continue
                page["data"].append(item.model_dump(mode="json", exclude_none=True))
            await mark_items(self.store, params["thread_id"], page, {})
            return [ItemReplaced(type="thread.item.replaced", item=item) for item in page["data"]]
        return []

    async def _refuse_if_not_active(self, request: ChatKitRequest) -> None:
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

    async def _annotate_event(self, event: StreamEvent) -> None:
        """Say of a streamed item what a loaded one would.

        A message says how many versions it has; a stored reply put back (a version switch)
        says it was stopped or cut off.
        """
        item = event.get("item")
        if (
            event["type"] == "thread.item.replaced"
            and isinstance(item, dict)
            and item.get("type") == "assistant_message"
        ):
            await mark_reply(self.store, item["thread_id"], item, {})
        elif isinstance(item, dict) and item.get("type") == "user_message":
            try:
                thread = await self.store.load_thread(item["thread_id"], {})
            except NotFoundError:
                return  # deleted meanwhile: nothing to say about its versions
            with_versions(item, thread)

    async def _process(
        self, request: ChatKitRequest, process: Callable[[str, RequestContext], Awaitable[_R]]
    ) -> _R:
        """``process`` (the server's ``process`` or ``process_events``) of ``request``."""
        # The server's `respond` records the notebook a new turn comes from (`_origin`).
        context: RequestContext = {}
        if (notebook := request_notebook(request)) is not None:
            context["notebook"] = notebook
        try:
            return await process(json.dumps(request), context)
        except ValidationError as exc:
            raise BackendError(
                f"Invalid {request['type']!r} request: {first_problem(exc)}"
            ) from exc
        except NotFoundError as exc:
            raise BackendError(str(exc)) from exc

    def threads_sync(self, limit: int = 100) -> list[tuple[ThreadMetadata, str]]:
        return self.store.threads_with_activity_sync(limit)

    def thread_sync(self, thread_id: str) -> ThreadMetadata:
        try:
            return self.store.load_thread_sync(thread_id)
        except NotFoundError as exc:
            raise BackendError(f"No thread with id {thread_id!r} in {self.store!r}") from exc

    def set_status_sync(self, thread_id: str, status: str, reason: str | None) -> ThreadJSON:
        thread = self.thread_sync(thread_id)
        thread.status = _STATUSES[status](reason=reason) if status != "active" else ActiveStatus()
        self.store.save_thread_sync(thread)
        return cast(ThreadJSON, thread.model_dump(mode="json", exclude_none=True))

    def feedback_sync(self, thread_id: str) -> dict[str, str]:
        return self.store.feedback_sync(thread_id)

    def items_sync(self, thread_id: str) -> list[ThreadItem]:
        self.thread_sync(thread_id)  # an unknown thread is an error, not an empty list
        settle_dead_turns_sync(self.store, thread_id)
        return self.store.all_items_sync(thread_id)


def event_json(event: ThreadStreamEvent) -> StreamEvent:
    """The JSON of a ChatKit event, as ``ChatKitServer.process`` writes it in an SSE frame.

    A text delta, most of a stream's events, is written out directly: pydantic's dump costs
    several times more, and its shape is fixed (a test holds the two to the same JSON).
    """
    if isinstance(event, ThreadItemUpdatedEvent):
        update = event.update
        if isinstance(update, AssistantMessageContentPartTextDelta):
            delta = TextDelta(
                type=update.type, content_index=update.content_index, delta=update.delta
            )
            return ItemUpdated(type=event.type, item_id=event.item_id, update=delta)
    return cast(StreamEvent, event.model_dump(mode="json", **_AS_SENT))


def event_of(frame: bytes) -> StreamEvent:
    """The ChatKit event in one of ``ChatKitServer.process``'s ``data: {...}`` frames.

    Not validated again: ChatKit's server wrote it from its own ``ThreadStreamEvent`` models.
    """
    return cast(StreamEvent, json.loads(frame.removeprefix(b"data: ")))


def thread_json(thread: ThreadMetadata) -> JSONObject:
    """A thread as ChatKit's ``threads.list`` sends it: no metadata, an empty page of items."""
    data = thread.model_dump(mode="json", exclude_none=True, exclude={"metadata"})
    return {**data, "items": {"data": [], "has_more": False}}


def first_problem(exc: ValidationError) -> str:
    """Where a request is malformed and how: ``params.input.content: Field required``."""
    first = exc.errors()[0]
    return f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}"


def turn_request(text: str, thread_id: str | None) -> ChatKitRequest:
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


def title_from(message: UserMessageItem) -> str:
    """A thread title from its first message: one line that reads well, at most 60 characters.

    Whitespace and line breaks collapse to single spaces; Markdown that only marks a line up
    (``# ``, ``> ``, ``- ``, ``1. ``, a code fence) goes; a longer text is cut at the last word
    that fits, with an ellipsis (inside a word only when it is very long: a URL, a path).
    """
    text = "".join(p.text for p in message.content if isinstance(p, UserMessageTextContent))
    lines = (_MARKUP_LEAD.sub("", line) for line in text.splitlines())
    title = " ".join(" ".join(lines).split())
    if len(title) <= TITLE_LENGTH:
        return title
    cut = title[:TITLE_LENGTH]  # one character is given back for the ellipsis
    head = cut[: TITLE_LENGTH - 1]
    # The last whole word that fits, unless that leaves less than half (a long URL, a path).
    if cut[-1] != " " and head.rfind(" ") >= TITLE_LENGTH // 2:
        head = head[: head.rindex(" ")]
    return (head.rstrip(_DANGLING) or head) + "…"

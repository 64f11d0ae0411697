"""The SSE chat API (``POST {message, conversation_id}`` -> SSE frames) as a backend.

An SSE chat API server (README, "The SSE chat API") knows conversations and messages, not
ChatKit threads and items, so this backend runs a small ChatKit server in the kernel whose
``respond`` calls the remote API and turns its frames into ChatKit events
(``_sse_chat_reply.SSEChatReply``). Threads, paging, retry, stop and reloads then work exactly as
with the in-process agent, and the UI has one code path.

Each thread remembers its ``conversation_id`` in its metadata: the thread id itself for a new
conversation (minted here), or whatever id the server names in a frame or an
``X-Conversation-Id`` header. The server's conversation list (``GET conversations_url``) joins
the local threads; opening one fetches its messages (``GET {conversations_url}/{id}/messages``).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Mapping
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlsplit

import httpx
from chatkit.errors import CustomStreamError
from chatkit.store import NotFoundError, Store
from chatkit.types import (
    AssistantMessageContent,
    AssistantMessageItem,
    InferenceOptions,
    ProgressUpdateEvent,
    SDKHiddenContextItem,
    ThreadItemDoneEvent,
    ThreadMetadata,
    ThreadStreamEvent,
    UserMessageItem,
    UserMessageTextContent,
)

from .._chatkit_json import ChatKitRequest, StreamEvent
from .._messages import INCOMPLETE_NOTE
from .._sync import run_sync
from ..store import SQLiteStore
from ._http import (
    Endpoint,
    JsonBody,
    Opened,
    RemoteError,
    RetryConfig,
    Retrying,
    StreamCut,
    TokenProvider,
    check_url,
    shown_url,
)
from ._in_process import InProcessBackend, LocalChatKitServer, RequestContext, title_from
from ._origin import remember_notebook
from ._sse_chat_reply import TEXT_KEYS, SSEChatReply

log = logging.getLogger("chatkit_widget.remote")

CONVERSATION_HEADER = "x-conversation-id"


class SSEChatServer(LocalChatKitServer):
    """A ChatKit server whose replies come from a remote SSE chat API."""

    def __init__(self, store: Store[Any], endpoint: Endpoint, chat_url: str) -> None:
        super().__init__(store)
        self.endpoint = endpoint
        self.chat_url = chat_url
        #: Replies cut off by the network during this session (their ids).
        self.incomplete: set[str] = set()
        #: The server ends its replies with ``[DONE]`` (seen once): its absence means a cut.
        self.says_done = False

    async def respond(
        self,
        thread: ThreadMetadata,
        input_user_message: UserMessageItem | None,
        context: RequestContext,
    ) -> AsyncIterator[ThreadStreamEvent]:
        remember_notebook(thread, context)
        if input_user_message is None:  # e.g. a client tool's output: the SSE chat API has none
            return
        if thread.title is None:
            thread.title = title_from(input_user_message)  # ChatKit emits thread.updated
        text = "".join(
            p.text for p in input_user_message.content if isinstance(p, UserMessageTextContent)
        )
        reply = SSEChatReply(
            thread.id,
            lambda kind: self.store.generate_item_id(kind, thread, context),  # type: ignore[arg-type]
        )
        body = {"message": text, "conversation_id": conversation_of(thread)}
        failure: RemoteError | None = None
        done = False
        try:
            async for frame in self.endpoint.frames(self.chat_url, body):
                if isinstance(frame, Opened):
                    named = frame.headers.get(CONVERSATION_HEADER)
                    reply.conversation_id = named or reply.conversation_id
                    continue
                if isinstance(frame, Retrying):
                    events: list[ThreadStreamEvent] = [ProgressUpdateEvent(text=frame.text)]
                elif isinstance(frame, JsonBody):
                    events, done = reply.apply_json_reply(frame.value), True
                elif frame.strip() == "[DONE]":
                    self.says_done = done = True
                    break
                else:
                    events = reply.feed(frame)
                for event in events:
                    yield event
                if reply.error is not None:
                    break
            if not done and reply.error is None and self.says_done:
                # This server ends replies with [DONE]: a clean end without it was a cut.
                raise StreamCut(
                    "The server ended the stream before the reply finished.", allow_retry=True
                )
        except StreamCut as exc:
            for event in self._keep_incomplete(reply, thread, context):
                yield event
            failure = exc
        except RemoteError as exc:
            failure = exc
        for event in reply.close():
            yield event
        if reply.conversation_id and reply.conversation_id != conversation_of(thread):
            # ChatKit saves the changed thread: later turns send the server's id.
            thread.metadata = {**thread.metadata, "conversation_id": reply.conversation_id}
        if failure is not None:
            raise CustomStreamError(str(failure), allow_retry=failure.allow_retry)
        if reply.error is not None:
            raise CustomStreamError(reply.error, allow_retry=True)

    def _keep_incomplete(
        self, reply: SSEChatReply, thread: ThreadMetadata, context: RequestContext
    ) -> list[ThreadStreamEvent]:
        """Close the reply the network cut off, followed by a hidden note that it is incomplete.

        The note goes right after the message (before any open tool rows) so a reload finds it
        there; ``SSEBackend.stream`` marks the live done event from ``incomplete``.
        """
        cut = reply.open_message_id
        if cut is None:
            return []
        self.incomplete.add(cut)
        note = SDKHiddenContextItem(
            id=self.store.generate_item_id("sdk_hidden_context", thread, context),
            thread_id=thread.id,
            created_at=datetime.now(),
            content=INCOMPLETE_NOTE,
        )
        return [*reply.end_message(), ThreadItemDoneEvent(item=note)]  # the note is not shown


class SSEBackend(InProcessBackend):
    """Talk to a remote SSE chat API: ``POST {message, conversation_id}`` answered by SSE frames.

    The contract is in the README ("The SSE chat API").

    Args:
        chat_url: Where messages are posted.
        conversations_url: Lists conversations (``{"conversations": [{id, title,
            created_at, updated_at}]}``) for the history panel, and serves each one's messages
            at ``{conversations_url}/{id}/messages``. Default: the ``conversations`` sibling of
            ``chat_url`` (``.../api/chat`` -> ``.../api/conversations``); a server without it is
            fine, history then shows this session's conversations.
        token: Sent as ``Authorization: Bearer <token>``; kept in Python only.
        token_provider: Returns a fresh token (sync or async); called after a 401, and for the
            first token when ``token`` is not given.
        headers: Extra headers for every request.
        retry: How failures before a reply begins are retried (``RetryConfig()``).
        timeout: Seconds to wait to connect, and for each next piece of a reply.

    Example:
        ```python
        chat = ChatWidget(backend=SSEBackend("https://api.example.com/api/chat", token=t))
        ```
    """

    def __init__(
        self,
        chat_url: str,
        *,
        conversations_url: str | None = None,
        token: str | None = None,
        token_provider: TokenProvider | None = None,
        headers: Mapping[str, str] | None = None,
        retry: RetryConfig | None = None,
        timeout: float | httpx.Timeout = 60.0,
    ) -> None:
        self.chat_url = check_url(chat_url, "chat_url")
        self.conversations_url = check_url(
            conversations_url or _sibling(chat_url, "conversations"), "conversations_url"
        )
        endpoint = Endpoint(
            token=token,
            token_provider=token_provider,
            headers=headers,
            retry=retry,
            timeout=timeout,
        )
        store = SQLiteStore(":memory:")  # a cache: the server holds the conversations
        super().__init__(SSEChatServer(store, endpoint, chat_url))
        self.server: SSEChatServer
        self._endpoint = endpoint
        self._listing = True  # False once the server showed it has no conversation list
        self.label = urlsplit(chat_url).netloc  # check_url refused credentials

    def __repr__(self) -> str:
        return f"SSEBackend({shown_url(self.chat_url)!r})"

    async def stream(self, request: ChatKitRequest) -> AsyncIterator[StreamEvent]:
        thread_id = (request.get("params") or {}).get("thread_id")
        if isinstance(thread_id, str):  # a listed conversation's history goes before new turns
            await self._import_messages(thread_id, before_turn=True)
        async for event in super().stream(request):
            if (
                event["type"] == "thread.item.done"
                and event["item"]["id"] in self.server.incomplete
            ):
                event["item"]["incomplete"] = True
            yield event

    async def call(self, request: ChatKitRequest) -> Any:
        params = request.get("params") or {}
        if request["type"] == "threads.list" and not params.get("after"):
            await self._sync_conversations()
        thread_id = params.get("thread_id")
        if request["type"] in ("threads.get_by_id", "items.list") and thread_id:
            await self._import_messages(thread_id)
        return await super().call(request)

    def threads_sync(self, limit: int = 100) -> list[tuple[ThreadMetadata, str]]:
        run_sync(self._sync_conversations())
        return super().threads_sync(limit)

    def has_thread_sync(self, thread_id: str) -> bool:
        if not super().has_thread_sync(thread_id):
            run_sync(self._sync_conversations())
        return super().has_thread_sync(thread_id)

    def items_sync(self, thread_id: str) -> list[Any]:
        run_sync(self._import_messages(thread_id))
        return super().items_sync(thread_id)

    async def _sync_conversations(self) -> None:
        """Add the server's conversations this session has no thread for yet."""
        if not self._listing:
            return
        try:
            body = await self._endpoint.json(self.conversations_url, method="GET")
        except RemoteError as exc:
            if exc.status in (404, 405):
                self._listing = False  # the server has no list: stop asking
                log.info("chatkit-widget: %s lists no conversations", self.label)
            else:
                log.warning("chatkit-widget: could not list conversations: %s", exc)
            return
        listed = body.get("conversations") if isinstance(body, dict) else body
        if not isinstance(listed, list):
            log.warning("chatkit-widget: the conversation list is not a list; ignored")
            return
        known = {conversation_of(t) for t, _ in super().threads_sync(10_000)}
        for entry in listed:
            if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
                continue
            if entry["id"] in known:
                continue
            thread = ThreadMetadata(
                id=entry["id"],
                title=entry.get("title") if isinstance(entry.get("title"), str) else None,
                created_at=_time(entry.get("created_at")),
                metadata={"conversation_id": entry["id"], "remote": True},
            )
            await self.store.save_thread(thread, {})

    async def _import_messages(self, thread_id: str, *, before_turn: bool = False) -> None:
        """Fetch a listed conversation's messages the first time it is opened.

        Before a turn it is tried once, without retries: the user's message must not wait on
        history. Once the thread has items of its own, importing is over either way (the
        server's history would now include them, and come after them).
        """
        try:
            thread = await self.store.load_thread(thread_id, {})
        except NotFoundError:
            return
        if not thread.metadata.get("remote") or thread.metadata.get("imported"):
            return
        local = await self.store.load_thread_items(thread_id, None, 1, "asc", {})
        url = f"{self.conversations_url.rstrip('/')}/{quote(conversation_of(thread), safe='')}"
        try:
            if local.data:
                body: Any = None
            else:
                retries = 0 if before_turn else None
                body = await self._endpoint.json(
                    f"{url}/messages", method="GET", max_retries=retries
                )
        except RemoteError as exc:
            log.warning("chatkit-widget: could not load the conversation's messages: %s", exc)
            if not before_turn:
                return  # tried again when it is next opened
            body = None
        messages = body.get("messages") if isinstance(body, dict) else body
        for index, message in enumerate(messages if isinstance(messages, list) else []):
            item = _item_from(thread.id, index, message)
            if item is not None:
                # Ids by position: a second import at the same time rewrites the same rows.
                await self.store.add_thread_item(thread.id, item, {})
        thread.metadata = {**thread.metadata, "imported": True}
        await self.store.save_thread(thread, {})


def _item_from(
    thread_id: str, index: int, message: Any
) -> UserMessageItem | AssistantMessageItem | None:
    """A ChatKit item for one message of the server's history (other roles are skipped)."""
    if not isinstance(message, dict):
        return None
    text = next((message[k] for k in TEXT_KEYS if isinstance(message.get(k), str)), "")
    common: dict[str, Any] = {
        "id": f"msg_imported_{index:05d}",
        "thread_id": thread_id,
        "created_at": _time(message.get("created_at")),
    }
    if message.get("role") == "user":
        return UserMessageItem(
            **common,
            content=[UserMessageTextContent(text=text)],
            inference_options=InferenceOptions(),
        )
    if message.get("role") == "assistant":
        return AssistantMessageItem(**common, content=[AssistantMessageContent(text=text)])
    return None


def conversation_of(thread: ThreadMetadata) -> str:
    """The id the server knows a thread's conversation by."""
    named = thread.metadata.get("conversation_id")
    return named if isinstance(named, str) and named else thread.id


def _sibling(url: str, name: str) -> str:
    base = url.rstrip("/")
    return f"{base.rpartition('/')[0]}/{name}"


def _time(value: Any) -> datetime:
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return datetime.now()
        # The local store compares naive local times; an aware one converts to local.
        return parsed.astimezone().replace(tzinfo=None) if parsed.tzinfo else parsed
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value)
    return datetime.now()

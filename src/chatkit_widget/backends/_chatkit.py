"""A remote ChatKit server: every request forwarded over HTTP, its event stream read back.

Any server built with ``openai-chatkit``'s ``ChatKitServer`` (or speaking its protocol) works:
the widget sends it exactly what it would send the in-process server. What HTTP adds is
handled here: retries and token refresh (``_http``), frames that do not parse (skipped, with a
warning), and a stream cut mid-reply (the partial reply is kept, marked incomplete).
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any, cast
from urllib.parse import urlsplit

import httpx
from chatkit.types import ThreadItem, ThreadMetadata, ThreadStreamEvent
from pydantic import TypeAdapter, ValidationError

from .._chatkit_json import (
    ChatKitRequest,
    ErrorEvent,
    JSONObject,
    StreamEvent,
    ThreadJSON,
    error_event,
)
from .._live import LiveItems
from .._sync import run_sync
from ._base import Backend, BackendError
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

log = logging.getLogger("chatkit_widget.remote")

_EVENT = TypeAdapter[Any](ThreadStreamEvent)
_ITEM = TypeAdapter[Any](ThreadItem)
#: Items asked for per ``items.list`` / ``threads.list`` page by the synchronous API.
PAGE = 100


class ChatKitBackend(Backend):
    """Talk to a ChatKit server over HTTP, with bearer auth and retries.

    Args:
        url: The server's ChatKit endpoint (where it calls ``ChatKitServer.process``).
        token: Sent as ``Authorization: Bearer <token>``; kept in Python only.
        token_provider: Returns a fresh token (sync or async); called after a 401, and for
            the first token when ``token`` is not given.
        headers: Extra headers for every request.
        retry: How failures before a reply begins are retried (``RetryConfig()``).
        timeout: Seconds to wait to connect, and for each next piece of a reply.
        features: Extensions the server serves: ``"feedback"`` (ChatKit's ``items.feedback``,
            the default) and ``"edit"`` (the ``chatkit_widget.edit`` action of
            ``chatkit-widget serve``).

    Example:
        ```python
        chat = ChatWidget(backend=ChatKitBackend("https://chat.example.com/chatkit", token=t))
        ```
    """

    def __init__(
        self,
        url: str,
        *,
        token: str | None = None,
        token_provider: TokenProvider | None = None,
        headers: Mapping[str, str] | None = None,
        retry: RetryConfig | None = None,
        timeout: float | httpx.Timeout = 60.0,
        features: Sequence[str] = ("feedback",),
    ) -> None:
        self.url = check_url(url)
        self._endpoint = Endpoint(
            token=token,
            token_provider=token_provider,
            headers=headers,
            retry=retry,
            timeout=timeout,
        )
        self.label = urlsplit(self.url).netloc  # check_url refused credentials
        self.features = tuple(features)
        # The server's own images (a generated image it serves) show at once, like inline ones.
        parts = urlsplit(self.url)
        self.image_origins = (f"{parts.scheme}://{parts.netloc}",)

    def __repr__(self) -> str:
        return f"ChatKitBackend({shown_url(self.url)!r})"

    async def stream(self, request: ChatKitRequest) -> AsyncIterator[StreamEvent]:
        live = LiveItems()  # what has streamed so far, kept if the connection drops
        failed = False  # the server sent an error event: it ended the turn, not the network
        try:
            async for frame in self._endpoint.frames(self.url, request):
                if isinstance(frame, Retrying):
                    yield {"type": "progress_update", "text": frame.text}
                elif isinstance(frame, Opened):
                    continue
                elif isinstance(frame, JsonBody):  # an error answered as JSON
                    yield error_event(_json_error(frame.value), allow_retry=False)
                    return
                else:
                    event = _parse_event(frame)
                    if event is not None:
                        failed = failed or event["type"] == "error"
                        live.apply(event)
                        yield event
        except StreamCut as exc:
            for item in live.open_items():  # the connection died: nothing more will come
                if item["type"] == "assistant_message":
                    item["incomplete"] = True
                yield {"type": "thread.item.done", "item": item}
            yield error_event(str(exc), allow_retry=True)
        except RemoteError as exc:
            # Refused before the server took the request: the message was never received.
            unsent: ErrorEvent = {
                **error_event(str(exc), allow_retry=exc.allow_retry),
                "unsent": True,
            }
            yield unsent
        else:
            # A body ended by closing the connection (as behind some proxies) ends cleanly:
            # a reply still open then was cut. Other open items may be open on purpose (a
            # workflow continued after a client tool call), and after an error event the
            # server has said what happened.
            replies = [i for i in live.open_items() if i["type"] == "assistant_message"]
            if replies and not failed:
                for item in replies:
                    yield {"type": "thread.item.done", "item": {**item, "incomplete": True}}
                yield error_event(
                    f"{self.label} ended the stream before the reply finished.", allow_retry=True
                )

    async def call(self, request: ChatKitRequest) -> Any:
        try:
            return await self._endpoint.json(self.url, request)
        except RemoteError as exc:
            raise BackendError(str(exc)) from None

    async def changes(self, request: ChatKitRequest, result: Any) -> list[StreamEvent]:
        if request["type"] == "threads.update" and isinstance(result, dict):
            return [{"type": "thread.updated", "thread": cast(ThreadJSON, result)}]
        return []

    # -- the synchronous API: the same requests, run to completion ---------------------------

    def threads_sync(self, limit: int = 100) -> list[tuple[ThreadMetadata, str]]:
        threads: list[tuple[ThreadMetadata, str]] = []
        after = None
        while len(threads) < limit:
            params: JSONObject = {"limit": min(PAGE, limit - len(threads)), "order": "desc"}
            if after:
                params["after"] = after
            page = run_sync(self.call({"type": "threads.list", "params": params}))
            for data in page.get("data", []):
                thread = ThreadMetadata.model_validate(data)
                # ChatKit's thread list carries no last-activity time: creation stands in.
                threads.append((thread, thread.created_at.isoformat()))
            after = page.get("after")
            if not page.get("has_more") or not after:
                break
        return threads

    def thread_sync(self, thread_id: str) -> ThreadMetadata:
        request: ChatKitRequest = {"type": "threads.get_by_id", "params": {"thread_id": thread_id}}
        return ThreadMetadata.model_validate(run_sync(self.call(request)))

    def items_sync(self, thread_id: str) -> list[ThreadItem]:
        items: list[ThreadItem] = []
        after = None
        while True:
            params: JSONObject = {"thread_id": thread_id, "limit": PAGE, "order": "asc"}
            if after:
                params["after"] = after
            page = run_sync(self.call({"type": "items.list", "params": params}))
            for data in page.get("data", []):
                try:
                    items.append(_ITEM.validate_python(data))
                except ValidationError:
                    log.warning(
                        "chatkit-widget: skipped an item of an unknown shape (%s)", data.get("type")
                    )
            after = page.get("after")
            if not page.get("has_more") or not after:
                return items


def _parse_event(payload: str) -> StreamEvent | None:
    """A ChatKit stream event, or ``None`` (logged) for a frame that is not one.

    Validated against ChatKit's models, but the JSON is what goes on: the models would drop
    fields a server adds (such as ``incomplete``), which the browser may use.
    """
    try:
        event = json.loads(payload)
    except ValueError:
        log.warning("chatkit-widget: skipped a frame that is not JSON: %.80r", payload)
        return None
    try:
        _EVENT.validate_python(event)
    except ValidationError:
        kind = event.get("type") if isinstance(event, dict) else type(event).__name__
        log.warning("chatkit-widget: skipped an event of an unknown type or shape: %.60r", kind)
        return None
    return cast(StreamEvent, event)


def _json_error(body: Any) -> str:
    if isinstance(body, dict):
        for key in ("error", "detail", "message"):
            if isinstance(body.get(key), str):
                return str(body[key])
    return "The server answered with JSON where a stream of events was expected."

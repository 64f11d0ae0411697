"""Real HTTP servers the remote backends are tested against (also used by browser/notebook tests).

Three servers, each a FastAPI app to run with ``tests.support.http_servers.serve_app``:

``RecordingChatKitServer`` + ``chatkit_app(server)``
    A minimal ``ChatKitServer`` (not the project's) at ``POST /chatkit``, bearer auth required.
    Its reply depends on the user's text (see ``RecordingChatKitServer.respond``).

``SSEChatAPI`` + ``sse_chat_app(api)``
    An SSE chat API (README, "The SSE chat API"): ``POST /api/chat`` answering
    ``data: {"content": ...}`` frames then ``data: [DONE]``, ``GET /api/conversations`` and
    ``GET /api/conversations/{id}/messages``.

``FaultServer`` + ``fault_app(faults)``
    Both formats (``/chatkit`` and ``/api/chat``) behind a plan of faults applied to successive
    requests: ``faults.plan(status(503), cut_after(4))`` then normal service.

Everything a test may want to check is recorded on the server objects (requests with their
``Authorization`` header and arrival time, feedback, cancelled streams, disconnects). The apps
run in another thread: read the records, don't mutate them while a request runs.

Example:
    ```python
    server = RecordingChatKitServer(token="t0k")
    with serve_app(chatkit_app(server)) as base:
        chat = ChatWidget(backend=ChatKitBackend(f"{base}/chatkit", token="t0k"))
        assert "hello" in await chat.ask("hello")
    ```
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import datetime
from itertools import pairwise
from typing import Any

from chatkit.actions import Action
from chatkit.errors import CustomStreamError
from chatkit.server import ChatKitServer, StreamingResult
from chatkit.types import (
    Annotation,
    AssistantMessageContent,
    AssistantMessageContentPartTextDelta,
    AssistantMessageItem,
    ClientToolCallItem,
    CustomSummary,
    CustomTask,
    EntitySource,
    ErrorEvent,
    FeedbackKind,
    GeneratedImage,
    GeneratedImageItem,
    ImageTask,
    StructuredInputItem,
    ThreadItem,
    ThreadItemAddedEvent,
    ThreadItemDoneEvent,
    ThreadItemReplacedEvent,
    ThreadItemUpdatedEvent,
    ThreadMetadata,
    ThreadStreamEvent,
    URLSource,
    UserMessageItem,
    UserMessageTextContent,
    WidgetItem,
    Workflow,
    WorkflowItem,
)
from chatkit.widgets import DynamicWidgetRoot
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

from chatkit_widget.store import SQLiteStore

#: The card ``"show a widget"`` answers with: a button action and a form with two fields.
WIDGET_CARD: dict[str, Any] = {
    "type": "Card",
    "children": [
        {"type": "Title", "value": "Test card"},
        {
            "type": "Button",
            "label": "Press me",
            "onClickAction": {"type": "card.ok", "payload": {"n": 1}},
        },
        {
            "type": "Form",
            "onSubmitAction": {"type": "form.send", "payload": {"form": "trip"}},
            "children": [
                {"type": "Label", "value": "City", "fieldName": "city"},
                {"type": "Input", "name": "city"},
                {"type": "Checkbox", "name": "return", "label": "Return trip"},
                {"type": "Button", "label": "Send form", "submit": True},
            ],
        },
    ],
}
#: The questions ``"ask a question"`` asks: one multiple choice, one free text.
QUESTIONS: list[dict[str, Any]] = [
    {
        "type": "multiple_choice",
        "id": "size",
        "question": "Which size?",
        "options": [{"value": "Small"}, {"value": "Large"}],
    },
    {"type": "freeform", "id": "note", "question": "Anything else?"},
]
#: A 1x1 PNG, the image ``"draw an image"`` answers with.
IMAGE_DATA_URL = (
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQ"
    "DwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)

DEFAULT_TOKEN = "test-token"

#: Words of the slow reply (the Stop tests cancel it long before it ends).
SLOW_WORDS = 400


# -- shared helpers ---------------------------------------------------------------------------


def bearer(request: Request) -> str | None:
    """The request's ``Authorization`` header (``None`` when absent)."""
    return request.headers.get("authorization")


def sse(data: Any) -> bytes:
    """One SSE frame: ``data: <json>`` (a ``str`` is sent as is)."""
    text = data if isinstance(data, str) else json.dumps(data)
    return f"data: {text}\n\n".encode()


def unauthorized_response() -> JSONResponse:
    return JSONResponse(
        {"error": "unauthorized"}, status_code=401, headers={"WWW-Authenticate": "Bearer"}
    )


class CutConnection(Exception):
    """Raised inside a streaming body to drop the connection mid-reply (on purpose)."""


class _DropCutConnectionLogs(logging.Filter):
    """uvicorn logs an ASGI exception with a traceback; a planned cut is not worth one."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        while exc is not None:
            if isinstance(exc, CutConnection):
                return False
            if isinstance(exc, BaseExceptionGroup):
                if any(isinstance(e, CutConnection) for e in exc.exceptions):
                    return False
            exc = exc.__cause__ or exc.__context__
        return True


logging.getLogger("uvicorn.error").addFilter(_DropCutConnectionLogs())


@dataclass
class Recorded:
    """One request as a server saw it."""

    path: str
    authorization: str | None
    body: Any
    at: float = field(default_factory=time.monotonic)  # time.monotonic() on arrival
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def type(self) -> str | None:
        """The ChatKit request type (``None`` for other bodies)."""
        return self.body.get("type") if isinstance(self.body, dict) else None


async def eventually(check: Callable[[], Any], what: str = "", wait_s: float = 5.0) -> Any:
    """Poll ``check()`` until it returns something truthy (and return it), or fail."""
    deadline = time.monotonic() + wait_s
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {wait_s} s waiting for {what or check}")
        await asyncio.sleep(0.01)


async def _wait_for_disconnect(request: Request) -> None:
    while True:
        message = await request.receive()
        if message["type"] == "http.disconnect":
            return


# -- 1. a minimal ChatKit server --------------------------------------------------------------


class RecordingChatKitServer(ChatKitServer[dict[str, Any]]):
    """A small ChatKit server that records what it receives.

    What it answers depends on the user's text (case-insensitive):

    - ``"fail event"``: yields an ``ErrorEvent`` (message ``"The server failed on purpose"``,
      ``allow_retry`` false), no reply.
    - ``"fail raise"``: raises ``CustomStreamError("Custom failure from the server",
      allow_retry=True)``.
    - ``"selection"``: a client tool call ``get_selection({"scope": "notebook"})``; once its
      output comes back, the reply is ``"The selection is <output as JSON>"``.
    - ``"slow"``: a long reply (``SLOW_WORDS`` words, ``slow_delay`` apart), for Stop.
    - ``"workflow"``: a workflow item with a ``custom`` and an ``image`` task, then a reply.
    - ``"sources"``: a reply annotated with an entity source and a URL source.
    - ``"show a widget"``: a card (``WIDGET_CARD``) whose button sends ``card.ok`` and whose
      form sends ``form.send``; ``action`` replaces the card with one saying what came and
      replies ``"Action <type>: <payload as JSON>"``.
    - ``"ask a question"``: a ``structured_input`` item (``QUESTIONS``); once answered, the reply is
      ``"Answers: <answers as JSON>"``.
    - ``"draw an image"``: a ``generated_image`` item holding ``IMAGE_DATA_URL``.
    - anything else: ``"You said: <text>"``, streamed word by word.

    Records: ``requests`` (every ``/chatkit`` request, parsed), ``actions`` (``(type, payload,
    item_id)``), ``feedback``
    (``(thread_id, item_ids, kind)``), ``cancelled`` (thread ids whose stream was cancelled,
    i.e. ``handle_stream_cancelled`` ran because the client went away).
    """

    def __init__(
        self,
        token: str | None = DEFAULT_TOKEN,
        *,
        store: SQLiteStore | None = None,
        word_delay: float = 0.002,
        slow_delay: float = 0.02,
    ) -> None:
        super().__init__(store or SQLiteStore(":memory:"))
        self.token = token
        self.word_delay = word_delay
        self.slow_delay = slow_delay
        self.requests: list[Recorded] = []
        self.feedback: list[tuple[str, list[str], str]] = []
        self.cancelled: list[str] = []
        self.responded: list[str] = []  # the user text of every respond() with a user message
        self.actions: list[tuple[str, Any, str | None]] = []

    # -- what a test reads ---------------------------------------------------------------------

    @property
    def authorizations(self) -> list[str | None]:
        return [r.authorization for r in self.requests]

    def request_types(self) -> list[str | None]:
        return [r.type for r in self.requests]

    def items(self, thread_id: str) -> list[ThreadItem]:
        """Every stored item of a thread, oldest first (hidden ones included)."""
        store: SQLiteStore = self.store  # type: ignore[assignment]
        return store.all_items_sync(thread_id)

    # -- ChatKitServer ---------------------------------------------------------------------

    async def respond(
        self,
        thread: ThreadMetadata,
        input_user_message: UserMessageItem | None,
        context: dict[str, Any],
    ) -> AsyncIterator[ThreadStreamEvent]:
        if input_user_message is None:  # a client tool's output, or answers, came back
            async for event in self._after_client_input(thread, context):
                yield event
            return
        text = "".join(
            p.text for p in input_user_message.content if isinstance(p, UserMessageTextContent)
        )
        self.responded.append(text)
        if thread.title is None:
            thread.title = text[:40]
        lowered = text.lower()
        if "fail event" in lowered:
            yield ErrorEvent(message="The server failed on purpose", allow_retry=False)
        elif "fail raise" in lowered:
            raise CustomStreamError("Custom failure from the server", allow_retry=True)
        elif "selection" in lowered:
            yield ThreadItemDoneEvent(
                item=ClientToolCallItem(
                    id=self.store.generate_item_id("tool_call", thread, context),
                    thread_id=thread.id,
                    created_at=datetime.now(),
                    call_id=f"call_{uuid.uuid4().hex[:8]}",
                    name="get_selection",
                    arguments={"scope": "notebook"},
                )
            )
        elif "slow" in lowered:
            words = [f"w{i}" for i in range(SLOW_WORDS)]
            async for event in self._message(thread, context, words, self.slow_delay):
                yield event
        elif "workflow" in lowered:
            yield ThreadItemDoneEvent(
                item=WorkflowItem(
                    id=self.store.generate_item_id("workflow", thread, context),
                    thread_id=thread.id,
                    created_at=datetime.now(),
                    workflow=Workflow(
                        type="custom",
                        tasks=[
                            CustomTask(
                                title="Looked things up",
                                content="Found **3** results",
                                status_indicator="complete",
                            ),
                            ImageTask(title="Drew a picture", status_indicator="complete"),
                        ],
                        summary=CustomSummary(title="Did some work"),
                        expanded=True,
                    ),
                )
            )
            async for event in self._message(thread, context, ["Workflow", "done."]):
                yield event
        elif "sources" in lowered:
            annotations = [
                Annotation(
                    source=EntitySource(id="task_42", title="Task 42", label="Task"), index=5
                ),
                Annotation(
                    source=URLSource(url="https://example.com/doc", title="Example doc"),
                    index=12,
                ),
            ]
            async for event in self._message(
                thread,
                context,
                ["See", "Task", "42", "and", "the", "doc."],
                annotations=annotations,
            ):
                yield event
        elif "show a widget" in lowered:
            yield ThreadItemDoneEvent(
                item=WidgetItem(
                    id=self.store.generate_item_id("message", thread, context),
                    thread_id=thread.id,
                    created_at=datetime.now(),
                    widget=DynamicWidgetRoot.model_validate(WIDGET_CARD),
                    copy_text="A test card",
                )
            )
        elif "ask a question" in lowered:
            yield ThreadItemDoneEvent(
                item=StructuredInputItem.model_validate(
                    {
                        "id": self.store.generate_item_id("message", thread, context),
                        "thread_id": thread.id,
                        "created_at": datetime.now(),
                        "inputs": QUESTIONS,
                    }
                )
            )
        elif "draw an image" in lowered:
            yield ThreadItemDoneEvent(
                item=GeneratedImageItem(
                    id=self.store.generate_item_id("message", thread, context),
                    thread_id=thread.id,
                    created_at=datetime.now(),
                    image=GeneratedImage(id="img_1", url=IMAGE_DATA_URL),
                )
            )
        else:
            async for event in self._message(thread, context, ["You", "said:", *text.split()]):
                yield event

    async def action(
        self,
        thread: ThreadMetadata,
        action: Action[str, Any],
        sender: WidgetItem | None,
        context: dict[str, Any],
    ) -> AsyncIterator[ThreadStreamEvent]:
        self.actions.append((action.type, action.payload, sender.id if sender else None))
        said = f"Action {action.type}: {json.dumps(action.payload, sort_keys=True)}"
        if sender is not None:
            card = {"type": "Card", "children": [{"type": "Text", "value": f"Got {action.type}"}]}
            replaced = sender.model_copy(update={"widget": DynamicWidgetRoot.model_validate(card)})
            yield ThreadItemReplacedEvent(item=replaced)
        async for event in self._message(thread, context, said.split()):
            yield event

    async def add_feedback(
        self, thread_id: str, item_ids: list[str], feedback: FeedbackKind, context: dict[str, Any]
    ) -> None:
        self.feedback.append((thread_id, list(item_ids), feedback))

    async def handle_stream_cancelled(
        self, thread: ThreadMetadata, pending_items: list[ThreadItem], context: dict[str, Any]
    ) -> None:
        try:
            await super().handle_stream_cancelled(thread, pending_items, context)
        finally:
            self.cancelled.append(thread.id)

    # -- building replies ------------------------------------------------------------------

    async def _message(
        self,
        thread: ThreadMetadata,
        context: dict[str, Any],
        words: list[str],
        delay: float | None = None,
        annotations: list[Annotation] | None = None,
    ) -> AsyncIterator[ThreadStreamEvent]:
        """An assistant message streamed word by word (``delay`` seconds apart)."""
        delay = self.word_delay if delay is None else delay
        item = AssistantMessageItem(
            id=self.store.generate_item_id("message", thread, context),
            thread_id=thread.id,
            created_at=datetime.now(),
            content=[AssistantMessageContent(text="")],
        )
        yield ThreadItemAddedEvent(item=item)
        text = ""
        for i, word in enumerate(words):
            delta = word if i == 0 else f" {word}"
            text += delta
            yield ThreadItemUpdatedEvent(
                item_id=item.id,
                update=AssistantMessageContentPartTextDelta(content_index=0, delta=delta),
            )
            await asyncio.sleep(delay)
        done = item.model_copy(
            update={"content": [AssistantMessageContent(text=text, annotations=annotations or [])]}
        )
        yield ThreadItemDoneEvent(item=done)

    async def _after_client_input(
        self, thread: ThreadMetadata, context: dict[str, Any]
    ) -> AsyncIterator[ThreadStreamEvent]:
        items = await self.store.load_thread_items(thread.id, None, 5, "desc", context)
        latest = items.data[0] if items.data else None
        if isinstance(latest, StructuredInputItem):
            answers = {one.id: one.answer.values if one.answer else None for one in latest.inputs}
            said = f"Answers: {json.dumps(answers, sort_keys=True)}"
            async for event in self._message(thread, context, said.split()):
                yield event
            return
        call = next((i for i in items.data if isinstance(i, ClientToolCallItem)), None)
        output = json.dumps(call.output if call else None)
        async for event in self._message(thread, context, ["The", "selection", "is", output]):
            yield event


def chatkit_app(server: RecordingChatKitServer) -> FastAPI:
    """``POST /chatkit`` in front of ``server``; 401 unless ``Authorization: Bearer <token>``."""
    app = FastAPI()

    @app.post("/chatkit")
    async def chatkit(request: Request) -> Response:
        body = await request.body()
        auth = bearer(request)
        try:
            parsed: Any = json.loads(body)
        except ValueError:
            parsed = body
        server.requests.append(Recorded("/chatkit", auth, parsed, headers=dict(request.headers)))
        if server.token is not None and auth != f"Bearer {server.token}":
            return unauthorized_response()
        result = await server.process(body, {"authorization": auth})
        if isinstance(result, StreamingResult):
            return StreamingResponse(result, media_type="text/event-stream")
        return Response(result.json, media_type="application/json")

    return app


# -- 2. an SSE chat API ----------------------------------------------------------------------


@dataclass
class ChatReply:
    """What ``/api/chat`` answers: SSE frames (``None`` for a plain JSON reply)."""

    conversation_id: str
    frames: list[Any] | None
    json_body: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds between frames
    linger: float = 0.0  # seconds the connection stays open after the last frame


class SSEChatAPI:
    """The SSE chat API server's logic and memory.

    Args:
        token: The bearer token required (``None``: no auth).
        text_key: Which key carries text in frames: ``"content"``, ``"delta"`` or ``"text"``.
        announce: How the server tells the client its conversation id: ``None`` (never: the
            client mints one), ``"frame"`` (a ``{"conversation_id"}`` frame first),
            ``"header"`` (``X-Conversation-Id``) or ``"both"``.
        streaming: ``False`` answers ``application/json`` ``{"content", "conversation_id"}``.
        delay: Seconds between frames.
        slow_delay: Seconds between the frames of the ``"slow"`` reply.

    Triggers in the message text (case-insensitive): ``"use delta"`` / ``"use text"`` (that
    key for this reply), ``"tool"`` (a ``lookup`` tool call that succeeds), ``"tool error"``
    (one that fails with ``"lookup exploded"``), ``"error"`` (two words, then
    ``{"error": "model overloaded"}``), ``"slow"`` (a long reply), ``"as json"`` (a plain
    JSON reply), ``"linger"`` (the connection stays open 10 s after ``[DONE]``). Otherwise
    the reply is ``"You said: <message>"``, one word per frame.

    Records: ``requests`` (each with the parsed body and ``Authorization``).
    """

    def __init__(
        self,
        token: str | None = DEFAULT_TOKEN,
        *,
        text_key: str = "content",
        announce: str | None = "frame",
        streaming: bool = True,
        delay: float = 0.002,
        slow_delay: float = 0.02,
    ) -> None:
        self.token = token
        self.slow_delay = slow_delay
        self.text_key = text_key
        self.announce = announce
        self.streaming = streaming
        self.delay = delay
        self.requests: list[Recorded] = []
        self.disconnects: list[str] = []
        # id -> {"id", "title", "created_at", "updated_at", "messages": [...]}
        self.conversations: dict[str, dict[str, Any]] = {}

    @property
    def conversation_ids(self) -> list[str | None]:
        """The ``conversation_id`` each chat request carried."""
        return [
            r.body.get("conversation_id") if isinstance(r.body, dict) else None
            for r in self.requests
            if r.path == "/api/chat"
        ]

    def add_conversation(self, messages: list[tuple[str, str]], title: str = "Earlier chat") -> str:
        """Store a conversation (``[(role, content), ...]``); returns its id."""
        conv = self._conversation(None, title)
        for role, content in messages:
            self._append(conv, role, content)
        return str(conv["id"])

    def _conversation(self, conversation_id: str | None, title: str) -> dict[str, Any]:
        if conversation_id is None:
            conversation_id = f"conv_{uuid.uuid4().hex[:12]}"
        if conversation_id not in self.conversations:
            now = datetime.now().isoformat()
            self.conversations[conversation_id] = {
                "id": conversation_id,
                "title": title[:40],
                "created_at": now,
                "updated_at": now,
                "messages": [],
            }
        return self.conversations[conversation_id]

    def _append(self, conv: dict[str, Any], role: str, content: str) -> None:
        now = datetime.now().isoformat()
        conv["messages"].append(
            {
                "id": f"m_{uuid.uuid4().hex[:10]}",
                "role": role,
                "content": content,
                "created_at": now,
            }
        )
        conv["updated_at"] = now

    def reply(self, body: dict[str, Any]) -> ChatReply:
        """Build the answer to one chat request (and remember the turn)."""
        message = str(body.get("message") or "")
        lowered = message.lower()
        conv = self._conversation(body.get("conversation_id"), message)
        self._append(conv, "user", message)
        cid = str(conv["id"])
        key = self.text_key
        if "use delta" in lowered:
            key = "delta"
        elif "use text" in lowered:
            key = "text"

        frames: list[Any] = []
        words: list[str]
        if "tool error" in lowered:
            frames += [
                {"tool": "lookup", "status": "pending", "arguments": {"q": "x"}},
                {"tool": "lookup", "status": "error", "error": "lookup exploded"},
            ]
            words = ["The", "lookup", "failed."]
        elif "tool" in lowered:
            frames += [
                {"tool": "lookup", "status": "pending", "arguments": {"q": "cats"}},
                {"tool": "lookup", "status": "success", "output": "3 cats found"},
            ]
            words = ["Found", "3", "cats."]
        elif "slow" in lowered:
            words = [f"w{i}" for i in range(SLOW_WORDS)]
        else:
            words = ["You", "said:", *message.split()]
        texts = [w if i == 0 else f" {w}" for i, w in enumerate(words)]
        if "error" in lowered and "tool error" not in lowered:
            texts = texts[:2]
            frames += [{key: t} for t in texts]
            frames.append({"error": "model overloaded"})
            self._append(conv, "assistant", "".join(texts))
        else:
            frames += [{key: t} for t in texts]
            frames.append("[DONE]")
            self._append(conv, "assistant", "".join(texts))

        headers: dict[str, str] = {}
        if self.announce in ("header", "both"):
            headers["X-Conversation-Id"] = cid
        if self.announce in ("frame", "both"):
            frames.insert(0, {"conversation_id": cid})
        if not self.streaming or "as json" in lowered:
            return ChatReply(
                cid, None, {"content": "".join(texts), "conversation_id": cid}, headers
            )
        delay = self.slow_delay if "slow" in lowered else self.delay
        linger = 10.0 if "linger" in lowered else 0.0
        return ChatReply(cid, frames, None, headers, delay, linger)

    async def frames(self, reply: ChatReply) -> AsyncIterator[bytes]:
        assert reply.frames is not None
        for frame in reply.frames:
            yield sse(frame)
            await asyncio.sleep(reply.delay)
        await asyncio.sleep(reply.linger)

    def list_conversations(self) -> dict[str, Any]:
        convs = sorted(self.conversations.values(), key=lambda c: c["updated_at"], reverse=True)
        return {
            "conversations": [
                {k: c[k] for k in ("id", "title", "created_at", "updated_at")} for c in convs
            ]
        }


def _record_disconnects(
    frames: AsyncIterator[bytes], disconnects: list[str], what: str
) -> AsyncIterator[bytes]:
    async def wrapped() -> AsyncIterator[bytes]:
        try:
            async for frame in frames:
                yield frame
        except asyncio.CancelledError:  # Starlette cancels the body when the client goes away
            disconnects.append(what)
            raise

    return wrapped()


def sse_chat_app(api: SSEChatAPI) -> FastAPI:
    """``POST /api/chat``, ``GET /api/conversations``, ``GET /api/conversations/{id}/messages``."""
    app = FastAPI()

    def authorized(request: Request) -> bool:
        return api.token is None or bearer(request) == f"Bearer {api.token}"

    @app.post("/api/chat")
    async def chat(request: Request) -> Response:
        body = await request.json()
        api.requests.append(
            Recorded("/api/chat", bearer(request), body, headers=dict(request.headers))
        )
        if not authorized(request):
            return unauthorized_response()
        reply = api.reply(body)
        if reply.frames is None:
            return JSONResponse(reply.json_body, headers=reply.headers)
        frames = _record_disconnects(api.frames(reply), api.disconnects, reply.conversation_id)
        return StreamingResponse(frames, media_type="text/event-stream", headers=reply.headers)

    @app.get("/api/conversations")
    async def conversations(request: Request) -> Response:
        api.requests.append(Recorded("/api/conversations", bearer(request), None))
        if not authorized(request):
            return unauthorized_response()
        return JSONResponse(api.list_conversations())

    @app.get("/api/conversations/{conversation_id}/messages")
    async def messages(conversation_id: str, request: Request) -> Response:
        api.requests.append(Recorded(request.url.path, bearer(request), None))
        if not authorized(request):
            return unauthorized_response()
        conv = api.conversations.get(conversation_id)
        if conv is None:
            return JSONResponse({"error": "no such conversation"}, status_code=404)
        return JSONResponse({"messages": conv["messages"]})

    return app


# -- 3. a fault-injecting server --------------------------------------------------------------


@dataclass(frozen=True)
class Fault:
    """One planned behaviour for one request (build with the functions below)."""

    kind: str
    status: int = 200
    retry_after: float | None = None
    frames: int = 0
    seconds: float = 0.0
    accept_token: str | None = None


def status(code: int) -> Fault:
    """Answer with this HTTP status and a small JSON error body."""
    return Fault("status", status=code)


def rate_limited(retry_after: float = 1) -> Fault:
    """429 with ``Retry-After: <retry_after>``."""
    return Fault("status", status=429, retry_after=retry_after)


def unauthorized(unless_token: str | None = None) -> Fault:
    """401, unless the request carries ``Bearer <unless_token>`` (then served normally)."""
    return Fault("unauthorized", status=401, accept_token=unless_token)


def cut_after(n_frames: int) -> Fault:
    """Send ``n_frames`` frames of the normal reply, then drop the connection mid-body."""
    return Fault("cut", frames=n_frames)


def junk() -> Fault:
    """The normal reply with malformed frames mixed in (see ``JUNK_FRAMES``)."""
    return Fault("junk")


def slow_first_byte(seconds: float) -> Fault:
    """Wait ``seconds`` before sending anything (then the normal reply)."""
    return Fault("slow", seconds=seconds)


#: What ``junk()`` inserts: bad JSON, an unknown event type, non-UTF-8 bytes.
JUNK_FRAMES: list[bytes] = [
    b"data: {this is not json\n\n",
    b'data: {"type": "no.such.event", "surprise": true}\n\n',
    b"data: \xff\xfe\x00\x9c\xc3(binary)\xff\n\n",
]
#: The SSE chat API has no event types: a frame with no known key plays the unknown event.
SSE_CHAT_JUNK_FRAMES: list[bytes] = [
    b"data: {this is not json\n\n",
    b'data: {"surprise": "no known key"}\n\n',
    b"data: \xff\xfe\x00\x9c\xc3(binary)\xff\n\n",
]


#: ChatKit requests answered with a stream (a turn).
STREAMING_TYPES = frozenset(
    {
        "threads.create",
        "threads.add_user_message",
        "threads.add_client_tool_output",
        "threads.add_structured_input",
        "threads.retry_after_item",
        "threads.custom_action",
    }
)


def _is_turn(request: Recorded) -> bool:
    return request.path == "/api/chat" or request.type in STREAMING_TYPES


class FaultServer:
    """A ChatKit server (``/chatkit``) and an SSE chat API (``/api/chat``) behind planned faults.

    ``plan(*faults)`` queues behaviours; each request that runs a turn (a ``/api/chat`` post,
    or a streaming ChatKit request such as ``threads.create``) takes the next one, and gets
    normal service once the queue is empty. Other requests (``threads.get_by_id``,
    ``items.list``...) always get normal service and leave the plan alone.

    Records: ``requests`` (every request to either path, with ``Authorization`` and arrival
    time), ``turns`` (the requests that ran a turn), ``disconnects`` (``(path, how)`` each time
    a client went away mid-request), and ``applied`` (the fault each turn got, ``None`` for
    normal service).
    """

    def __init__(self, *, word_delay: float = 0.002) -> None:
        self.chatkit = RecordingChatKitServer(token=None, word_delay=word_delay)
        self.sse_chat = SSEChatAPI(token=None, delay=word_delay)
        self._plan: deque[Fault] = deque()
        self.requests: list[Recorded] = []
        self.applied: list[Fault | None] = []
        self.disconnects: list[tuple[str, str]] = []
        self.junk_sent = 0  # malformed frames sent (none after a ``[DONE]``)

    def plan(self, *faults: Fault) -> FaultServer:
        self._plan.extend(faults)
        return self

    @property
    def authorizations(self) -> list[str | None]:
        return [r.authorization for r in self.requests]

    @property
    def turns(self) -> list[Recorded]:
        """The requests that ran a turn (those the plan applies to)."""
        return [r for r in self.requests if _is_turn(r)]

    def gaps(self) -> list[float]:
        """Seconds between successive turn requests."""
        return [b.at - a.at for a, b in pairwise(self.turns)]

    async def handle(self, request: Request) -> Response:
        body = await request.body()
        path = request.url.path
        auth = bearer(request)
        try:
            parsed: Any = json.loads(body)
        except ValueError:
            parsed = body
        recorded = Recorded(path, auth, parsed, headers=dict(request.headers))
        self.requests.append(recorded)
        fault = None
        if _is_turn(recorded):
            fault = self._plan.popleft() if self._plan else None
            if fault is not None and fault.kind == "unauthorized":
                if fault.accept_token is not None and auth == f"Bearer {fault.accept_token}":
                    fault = None
            self.applied.append(fault)

        if fault is not None and fault.kind == "unauthorized":
            return unauthorized_response()
        if fault is not None and fault.kind == "status":
            headers = {}
            if fault.retry_after is not None:
                headers["Retry-After"] = f"{fault.retry_after:g}"
            return JSONResponse(
                {"error": f"planned status {fault.status}"}, fault.status, headers=headers
            )
        if fault is not None and fault.kind == "slow":
            try:
                await asyncio.wait_for(_wait_for_disconnect(request), fault.seconds)
                self.disconnects.append((path, "while waiting for the first byte"))
                return Response(status_code=499)
            except TimeoutError:
                pass

        frames, headers, plain = await self._normal(path, body)
        if plain is not None:
            return Response(plain, media_type="application/json", headers=headers)
        assert frames is not None
        if fault is not None and fault.kind == "cut":
            frames = _cut(frames, fault.frames)
        elif fault is not None and fault.kind == "junk":
            frames = self._with_junk(
                frames, SSE_CHAT_JUNK_FRAMES if path == "/api/chat" else JUNK_FRAMES
            )
        return StreamingResponse(
            self._watch(frames, path), media_type="text/event-stream", headers=headers
        )

    async def _watch(self, frames: AsyncIterator[bytes], path: str) -> AsyncIterator[bytes]:
        try:
            async for frame in frames:
                yield frame
        except asyncio.CancelledError:
            self.disconnects.append((path, "mid-stream"))
            raise

    async def _with_junk(
        self, frames: AsyncIterator[bytes], junk_frames: list[bytes]
    ) -> AsyncIterator[bytes]:
        """Junk first, then the next junk frame after every good one (none after ``[DONE]``)."""
        yield junk_frames[0]
        self.junk_sent += 1
        async for frame in frames:
            yield frame
            if frame.strip() == b"data: [DONE]":
                continue
            yield junk_frames[self.junk_sent % len(junk_frames)]
            self.junk_sent += 1

    async def _normal(
        self, path: str, body: bytes
    ) -> tuple[AsyncIterator[bytes] | None, dict[str, str], bytes | None]:
        if path == "/chatkit":
            result = await self.chatkit.process(body, {})
            if isinstance(result, StreamingResult):
                return result.json_events, {}, None
            return None, {}, result.json
        reply = self.sse_chat.reply(json.loads(body))
        if reply.frames is None:
            return None, reply.headers, json.dumps(reply.json_body).encode()
        return self.sse_chat.frames(reply), reply.headers, None


async def _cut(frames: AsyncIterator[bytes], n: int) -> AsyncIterator[bytes]:
    sent = 0
    async for frame in frames:
        if sent == n:
            break
        yield frame
        sent += 1
    close = getattr(frames, "aclose", None)
    if close is not None:
        await close()
    raise CutConnection(f"cut after {n} frames (planned)")


def fault_app(faults: FaultServer) -> FastAPI:
    """``POST /chatkit`` and ``POST /api/chat`` (plus the SSE chat API's conversation reads)."""
    app = FastAPI()

    @app.post("/chatkit")
    async def chatkit(request: Request) -> Response:
        return await faults.handle(request)

    @app.post("/api/chat")
    async def chat(request: Request) -> Response:
        return await faults.handle(request)

    @app.get("/api/conversations")
    async def conversations() -> Response:
        return JSONResponse(faults.sse_chat.list_conversations())

    @app.get("/api/conversations/{conversation_id}/messages")
    async def messages(conversation_id: str) -> Response:
        conv = faults.sse_chat.conversations.get(conversation_id)
        if conv is None:
            return JSONResponse({"error": "no such conversation"}, status_code=404)
        return JSONResponse({"messages": conv["messages"]})

    return app

"""The SSE chat API's routes: ``/api/chat`` and the conversation history under ``/api``.

``/api/chat`` runs the same ChatKit server in-process (``threads.create`` or
``threads.add_user_message``) and converts its events, so both protocols share one store.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import AsyncIterator
from datetime import datetime

from chatkit.server import StreamingResult
from chatkit.store import NotFoundError
from chatkit.types import ThreadMetadata
from fastapi import APIRouter, HTTPException, Query, Request, Response
from fastapi.responses import JSONResponse, StreamingResponse

from .._chatkit_json import JSONObject
from .._messages import to_messages
from ..backends._in_process import RequestContext, event_of, turn_request
from ..store import ChatStore
from ._chatkit_routes import STREAM_HEADERS
from ._deps import User, not_found, state_of
from ._sse_chat_frames import DONE, frame, sse_chat_frames
from ._streams import DetachedStream

router = APIRouter(prefix="/api")
log = logging.getLogger(__name__)
#: Client-minted conversation ids: UUIDs and the like, nothing that needs escaping.
CONVERSATION_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,128}$")


@router.post("/chat")
async def chat(request: Request, user: User) -> Response:
    """Send one message; the reply streams as SSE chat API frames (or one JSON object)."""
    state = state_of(request)
    message, conversation_id = await _chat_request(request)
    await state.count_turn(user)
    context: RequestContext = {"user": user}
    if conversation_id is not None:
        await _ensure_conversation(state.store, conversation_id, context)
    chatkit_request = turn_request(message, conversation_id)
    result = await state.chatkit.process(json.dumps(chatkit_request), context)
    assert isinstance(result, StreamingResult)  # both requests stream
    stream = DetachedStream(result)
    if conversation_id is None:  # threads.create announces the new thread first
        created = await stream.next()
        assert created is not None
        announced = event_of(created)
        assert announced["type"] == "thread.created"
        conversation_id = announced["thread"]["id"]
    if _wants_json(request):
        return await _json_reply(stream, conversation_id)
    return StreamingResponse(
        _sse_stream(stream, conversation_id),
        media_type="text/event-stream",
        headers={**STREAM_HEADERS, "X-Conversation-Id": conversation_id},
    )


@router.get("/conversations")
async def conversations(
    request: Request, user: User, limit: int = Query(100, ge=1, le=1000)
) -> JSONObject:
    """The user's conversations, newest first."""
    threads = await state_of(request).store.threads_with_activity(limit, {"user": user})
    return {
        "conversations": [
            {
                "id": thread.id,
                "title": thread.title,
                "created_at": thread.created_at.isoformat(),
                "updated_at": updated_at,
            }
            for thread, updated_at in threads
        ]
    }


@router.get("/conversations/{conversation_id}/messages")
async def messages(request: Request, user: User, conversation_id: str) -> JSONObject:
    """A conversation's messages, oldest first (as ``chat.messages`` shows them)."""
    store = state_of(request).store
    if not await store.owns_thread(conversation_id, user):
        raise not_found()
    context = {"user": user}
    items = await store.load_all_items(conversation_id, context)
    shown = to_messages(items, await store.load_feedback(conversation_id, context))
    return {"messages": [{**m, "content": m["text"]} for m in shown]}


async def _chat_request(request: Request) -> tuple[str, str | None]:
    """The message and conversation id of a ``/api/chat`` body, or a 400 that says what is wrong."""
    try:
        body = await request.json()
    except ValueError as exc:
        raise HTTPException(status_code=400, detail=f"The body is not valid JSON: {exc}") from exc
    if not isinstance(body, dict):
        raise HTTPException(status_code=400, detail='The body must be {"message": "..."}.')
    message, conversation_id = body.get("message"), body.get("conversation_id")
    if not isinstance(message, str) or not message.strip():
        raise HTTPException(status_code=400, detail='"message" must be a non-empty string.')
    if conversation_id is not None and (
        not isinstance(conversation_id, str) or not CONVERSATION_ID.match(conversation_id)
    ):
        raise HTTPException(
            status_code=400,
            detail='"conversation_id" must be null or 1-128 letters, digits, "_", ".", ":" or "-".',
        )
    return message, conversation_id


async def _ensure_conversation(
    store: ChatStore, conversation_id: str, context: RequestContext
) -> None:
    """Continue the user's conversation, or start one with the id the client minted."""
    try:
        await store.load_thread(conversation_id, context)
        return
    except NotFoundError:
        if await store.thread_exists(conversation_id):
            raise not_found() from None
    try:  # raises if another user created the same id a moment ago
        thread = ThreadMetadata(id=conversation_id, created_at=datetime.now())
        await store.save_thread(thread, context)
    except NotFoundError as exc:
        raise not_found() from exc


def _wants_json(request: Request) -> bool:
    accept = request.headers.get("accept", "").lower()
    return "application/json" in accept and "text/event-stream" not in accept


async def _sse_stream(stream: DetachedStream, conversation_id: str) -> AsyncIterator[bytes]:
    try:
        yield frame({"conversation_id": conversation_id})
        async for chatkit_frame in stream.frames():
            for data in sse_chat_frames(event_of(chatkit_frame)):
                yield frame(data)
    except Exception as exc:  # after the headers went out, the stream is the only channel
        log.exception("The chat stream for %s failed", conversation_id)
        yield frame(
            {"error": f"The server failed ({type(exc).__name__}); its log has the details."}
        )
    finally:
        stream.cancel()
    yield DONE


async def _json_reply(stream: DetachedStream, conversation_id: str) -> Response:
    content: list[str] = []
    error: str | None = None
    async for chatkit_frame in stream.frames():
        for data in sse_chat_frames(event_of(chatkit_frame)):
            content.append(data.get("content", ""))
            error = data.get("error", error)
    reply = {"conversation_id": conversation_id, "content": "".join(content)}
    if error is not None:
        return JSONResponse({**reply, "detail": error}, status_code=502)
    return JSONResponse(reply)

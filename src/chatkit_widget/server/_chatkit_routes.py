"""``POST /chatkit``: ChatKit's own protocol, scoped to the authenticated user."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import cast

from chatkit.server import NonStreamingResult
from chatkit.store import NotFoundError
from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import ValidationError

from .._chatkit_json import ChatKitRequest
from ..backends._agent import EDIT_ACTION
from ..backends._in_process import RequestContext, first_problem
from ..backends._marks import mark_items
from ._deps import User, not_found, state_of
from ._streams import DetachedStream

router = APIRouter()
#: Streams are not to be cached or buffered by proxies.
STREAM_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
#: Requests the agent server has no backing for (no attachment store, no transcription).
UNSUPPORTED = frozenset({"attachments.create", "attachments.delete", "input.transcribe"})
#: Requests that start a turn of the model (a tool's output or a decision continues one).
TURN_REQUESTS = frozenset(
    {"threads.create", "threads.add_user_message", "threads.retry_after_item"}
)
#: Reads whose items get what ChatKit's JSON leaves out (a stop, a cut, feedback: `_marks`).
MARKED = frozenset({"items.list", "threads.get_by_id"})


@router.post("/chatkit")
async def chatkit(request: Request, user: User) -> Response:
    """Process one ChatKit request: JSON for reads, ``text/event-stream`` for turns."""
    state = state_of(request)
    body = await request.body()
    parsed = _json_object(body)
    if parsed["type"] in UNSUPPORTED:
        raise HTTPException(
            status_code=400, detail=f"{parsed['type']} is not supported by this server."
        )
    params = parsed.get("params")
    thread_id = params.get("thread_id") if isinstance(params, dict) else None
    # ChatKit reads some things (items.list) without loading the thread: check first.
    if isinstance(thread_id, str) and not await state.store.owns_thread(thread_id, user):
        raise not_found("Thread")
    if _starts_turn(parsed):
        await state.count_turn(user)
    context: RequestContext = {"user": user}
    try:
        result = await state.chatkit.process(body, context)
    except ValidationError as exc:
        raise HTTPException(status_code=400, detail=_describe(exc, parsed)) from exc
    except NotFoundError as exc:
        raise not_found("Thread") from exc
    if isinstance(result, NonStreamingResult):
        if parsed["type"] not in MARKED or not isinstance(thread_id, str):
            return Response(content=result.json, media_type="application/json")
        read = json.loads(result.json)
        await mark_items(state.store, thread_id, read, context)
        return Response(content=json.dumps(read), media_type="application/json")
    stream = DetachedStream(result)
    try:  # errors before the first event are still HTTP errors
        first = await stream.next()
    except NotFoundError as exc:
        raise not_found("Thread") from exc
    except ValueError as exc:  # e.g. a client tool output with no pending call
        raise HTTPException(status_code=400, detail=str(exc)) from exc
    return StreamingResponse(
        _frames(first, stream), media_type="text/event-stream", headers=STREAM_HEADERS
    )


async def _frames(first: bytes | None, stream: DetachedStream) -> AsyncIterator[bytes]:
    try:
        if first is not None:
            yield first
            async for frame in stream.frames():
                yield frame
    finally:
        stream.cancel()


def _starts_turn(request: ChatKitRequest) -> bool:
    """A request that asks the model for a new reply (what ``--rate-limit`` counts)."""
    if request["type"] in TURN_REQUESTS:
        return True
    params = request.get("params")
    action = params.get("action") if isinstance(params, dict) else None
    return (
        request["type"] == "threads.custom_action"
        and isinstance(action, dict)
        and action.get("type") == EDIT_ACTION
    )


def _json_object(body: bytes) -> ChatKitRequest:
    try:
        parsed = json.loads(body)
    except ValueError as exc:
        raise HTTPException(status_code=400, detail=f"The body is not valid JSON: {exc}") from exc
    if not isinstance(parsed, dict) or not isinstance(parsed.get("type"), str):
        raise HTTPException(
            status_code=400, detail='A ChatKit request is a JSON object with a "type".'
        )
    return cast(ChatKitRequest, parsed)  # the rest is ChatKitServer.process's to check


def _describe(exc: ValidationError, request: ChatKitRequest) -> str:
    return f"Invalid ChatKit request {request['type']!r}: {first_problem(exc)}"

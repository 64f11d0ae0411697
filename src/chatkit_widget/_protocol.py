"""The comm envelope: how ChatKit requests and stream events cross the widget comm.

ChatKit's protocol is HTTP-shaped (one POST per request, an SSE stream or a JSON body back).
Over the anywidget comm there is no request/response pairing, so every message is wrapped in a
small envelope with a discriminator (``kind``) and a correlation id (``id``). The payloads inside
are ChatKit's own JSON, untouched; only ``text`` is a short form of one ChatKit event. Mirrored
in ``js/src/protocol.ts``; keep the two in step.

Front end -> kernel:
    ``request``  a ChatKit request (``{"type": "threads.create", "params": ...}``)
    ``cancel``   stop the stream started by request ``id``
    ``resume``   a view rendered (or re-rendered): replay the streams still running, so a
                 view displayed mid-turn shows it live from where it is

Kernel -> front end:
    ``start``    a stream began; sent for every stream, also those started from Python, so every
                 view shows the working state and can offer Stop (``replay``: re-sent for
                 ``resume``, followed by an ``event`` whose ``thread.item.added`` events carry
                 the items still streaming, as they are now)
    ``event``    one or more ChatKit stream events of stream ``id``, in order
    ``text``     on the comm only, the commonest ``event`` in short: one text delta of an
                 assistant message (``item_id``, ``content_index``, ``delta``); ChatKit's wrapper
                 would be a third of the message (`to_comm`)
    ``end``      the stream ``id`` finished (``reason``: ``done`` | ``cancelled`` | ``error``)
    ``response`` the JSON result of a non-streaming request ``id``
    ``error``    request ``id`` failed before producing a result (bad request, unknown thread)
    ``changed``  what request ``id`` changed, as ChatKit events (``thread.updated`` for a rename,
                 ``thread.item.replaced`` for feedback), for every view: JSON requests produce
                 no stream, so without it a second view of the chat would not know
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import Any, Literal, NotRequired, TypedDict, cast

from ._chatkit_json import ChatKitRequest, StreamEvent, TextDelta, is_text_delta

EndReason = Literal["done", "cancelled", "error"]


class RequestMsg(TypedDict):
    """Front end asks the backend to process one ChatKit request."""

    kind: Literal["request"]
    id: str
    request: ChatKitRequest


class CancelMsg(TypedDict):
    """Front end asks to stop a running stream."""

    kind: Literal["cancel"]
    id: str


class ResumeMsg(TypedDict):
    """A view asks for the streams that are running now."""

    kind: Literal["resume"]
    id: str


class StartMsg(TypedDict):
    """A stream started (by the UI or by Python); ``request`` is the ChatKit request."""

    kind: Literal["start"]
    id: str
    request: ChatKitRequest
    replay: NotRequired[bool]


class EventMsg(TypedDict):
    """ChatKit stream events, coalesced: consecutive text deltas are merged."""

    kind: Literal["event"]
    id: str
    events: Sequence[StreamEvent]


class TextMsg(TypedDict):
    """An ``event`` message holding a single assistant text delta, as the comm carries it."""

    kind: Literal["text"]
    id: str
    item_id: str
    content_index: int
    delta: str


class EndMsg(TypedDict):
    """A stream ended."""

    kind: Literal["end"]
    id: str
    reason: EndReason


class ResponseMsg(TypedDict):
    """The JSON body of a non-streaming ChatKit request."""

    kind: Literal["response"]
    id: str
    result: Any


class ErrorMsg(TypedDict):
    """A request failed before it produced a stream or a result."""

    kind: Literal["error"]
    id: str
    message: str


class ChangedMsg(TypedDict):
    """State a non-streaming request changed, for every view to apply."""

    kind: Literal["changed"]
    id: str
    events: Sequence[StreamEvent]


def new_id() -> str:
    """A fresh envelope id: 48 random bits, unique enough among one kernel's streams.

    Short because a streaming reply carries it in every message.
    """
    return secrets.token_hex(6)


IncomingMsg = RequestMsg | CancelMsg | ResumeMsg
OutgoingMsg = StartMsg | EventMsg | EndMsg | ResponseMsg | ErrorMsg | ChangedMsg
#: What the comm carries to the front end: the bridge's messages, text deltas in short.
CommMsg = OutgoingMsg | TextMsg


def to_comm(msg: OutgoingMsg) -> CommMsg:
    """The message as the comm sends it: a lone text delta as a ``text`` message.

    While a reply streams nearly every message is one merged text delta, so this is where the
    bytes per token are decided (the front end expands it back into the ChatKit event).
    """
    if msg["kind"] != "event" or len(msg["events"]) != 1:
        return msg
    event = msg["events"][0]
    if not is_text_delta(event):
        return msg
    update = cast(TextDelta, event["update"])
    return TextMsg(
        kind="text",
        id=msg["id"],
        item_id=event["item_id"],
        content_index=update["content_index"],
        delta=update["delta"],
    )


def parse_incoming(raw: object) -> IncomingMsg:
    """Validate a message from the front end.

    Raises:
        ValueError: if the message is not a well-formed envelope.
    """
    if not isinstance(raw, dict):
        raise ValueError(f"expected an envelope object, got {type(raw).__name__}")
    kind, msg_id = raw.get("kind"), raw.get("id")
    if not isinstance(msg_id, str) or not msg_id:
        raise ValueError("envelope is missing a string 'id'")
    if kind == "request":
        request = raw.get("request")
        if not isinstance(request, dict) or not isinstance(request.get("type"), str):
            raise ValueError("a 'request' envelope needs a ChatKit request with a 'type'")
        # Only ``type`` is checked here: the backend validates the rest, with a precise error.
        return RequestMsg(kind="request", id=msg_id, request=cast(ChatKitRequest, request))
    if kind == "cancel":
        return CancelMsg(kind="cancel", id=msg_id)
    if kind == "resume":
        return ResumeMsg(kind="resume", id=msg_id)
    raise ValueError(f"unknown envelope kind {kind!r}")

"""ChatKit's wire JSON, typed: the requests and stream events the kernel passes along.

These are ``TypedDict``s, not ``chatkit.types``' pydantic models, on purpose. The events go on
to the browser as JSON, unchanged: a TypedDict types the dict that is already there at no cost,
where a model would cost a validation and a dump per text delta (~5 us and ~1.4 us, on the
streaming hot path) and would drop the fields the widget adds to ChatKit's (``unsent`` on
errors, ``incomplete``, ``stopped`` and ``feedback`` on items), which ChatKit's models ignore.

The boundary: a ``Backend``'s ``stream`` yields ``StreamEvent``s. The in-process server's
events are the JSON of ChatKit's own models (well-formed by construction); a remote server's
are validated against ``chatkit.types.ThreadStreamEvent`` as they arrive
(``backends/chatkit.py``). Past it, code branches on ``event["type"]``, which mypy narrows.

Items are typed by the fields the kernel reads or adds (one ``ThreadItemJSON`` for every item
type): the kernel inspects a few and passes the rest through.
"""

from __future__ import annotations

from typing import Any, Final, Literal, NotRequired, Required, TypeAlias, TypedDict, TypeGuard

#: A JSON object whose shape the kernel does not inspect (passed through as it is).
JSONObject: TypeAlias = dict[str, Any]


class ChatKitRequest(TypedDict):
    """A ChatKit request: ``{"type": "threads.create", "params": {...}}``."""

    type: str
    params: NotRequired[JSONObject]
    #: ChatKit's free-form request metadata (``notebook``: see ``backends/_origin.py``).
    metadata: NotRequired[JSONObject]


class ThreadJSON(TypedDict, total=False):
    """A thread (``chatkit.types.Thread`` as JSON)."""

    id: Required[str]
    title: str | None
    created_at: str
    updated_at: str
    """Not ChatKit's: when the newest item was made, in the in-process backends' listings."""
    status: JSONObject
    metadata: JSONObject
    items: JSONObject


class ThreadItemJSON(TypedDict, total=False):
    """Any thread item (``chatkit.types.ThreadItem`` as JSON), by the fields the kernel uses."""

    id: Required[str]
    type: Required[str]
    thread_id: str
    created_at: str
    content: list[JSONObject]
    """Assistant and user messages: their content parts."""
    workflow: JSONObject
    """Workflow items: ``{"type", "tasks": [...], ...}``."""
    status: str
    """Client tool calls: ``"pending"`` | ``"completed"``."""
    call_id: str
    name: str
    arguments: JSONObject
    output: Any
    incomplete: bool
    """Added by the widget: a reply cut off by the network."""
    stopped: bool
    """Added by the widget: a reply the user stopped."""
    feedback: str
    """Added by the widget: ``"positive"`` | ``"negative"``."""


# -- thread.item.updated: what changed in an item ------------------------------------------------


class ContentPartAdded(TypedDict):
    """An assistant message started a content part."""

    type: Literal["assistant_message.content_part.added"]
    content_index: int
    content: JSONObject


TEXT_DELTA: Final = "assistant_message.content_part.text_delta"


class TextDelta(TypedDict):
    """A streamed piece of assistant text (the hot path: one every few ms)."""

    type: Literal["assistant_message.content_part.text_delta"]
    content_index: int
    delta: str


class AnnotationAdded(TypedDict):
    """A citation was added to a content part."""

    type: Literal["assistant_message.content_part.annotation_added"]
    content_index: int
    annotation_index: int
    annotation: JSONObject


class ContentPartDone(TypedDict):
    """A content part is complete."""

    type: Literal["assistant_message.content_part.done"]
    content_index: int
    content: JSONObject


class WidgetTextDelta(TypedDict):
    """Streamed text of a ChatKit widget component."""

    type: Literal["widget.streaming_text.value_delta"]
    component_id: str
    delta: str
    done: bool


class WidgetComponentUpdated(TypedDict):
    """A ChatKit widget component changed."""

    type: Literal["widget.component.updated"]
    component_id: str
    component: JSONObject


class WidgetRootUpdated(TypedDict):
    """A ChatKit widget was replaced."""

    type: Literal["widget.root.updated"]
    widget: JSONObject


class TaskAdded(TypedDict):
    """A workflow gained a task."""

    type: Literal["workflow.task.added"]
    task_index: int
    task: JSONObject


class TaskUpdated(TypedDict):
    """A workflow task changed (sent whole, so a later one supersedes it)."""

    type: Literal["workflow.task.updated"]
    task_index: int
    task: JSONObject


class GeneratedImageUpdated(TypedDict):
    """A generated image progressed."""

    type: Literal["generated_image.updated"]
    image: JSONObject
    progress: NotRequired[float | None]


ItemUpdate = (
    ContentPartAdded
    | TextDelta
    | AnnotationAdded
    | ContentPartDone
    | WidgetTextDelta
    | WidgetComponentUpdated
    | WidgetRootUpdated
    | TaskAdded
    | TaskUpdated
    | GeneratedImageUpdated
)


# -- stream events ---------------------------------------------------------------------------------


class ThreadCreated(TypedDict):
    """The turn created its thread."""

    type: Literal["thread.created"]
    thread: ThreadJSON


class ThreadUpdated(TypedDict):
    """A thread changed (title, status)."""

    type: Literal["thread.updated"]
    thread: ThreadJSON


class ItemAdded(TypedDict):
    """An item was added; it streams until its ``thread.item.done``."""

    type: Literal["thread.item.added"]
    item: ThreadItemJSON


class ItemUpdated(TypedDict):
    """An open item changed."""

    type: Literal["thread.item.updated"]
    item_id: str
    update: ItemUpdate


class ItemDone(TypedDict):
    """An item is complete, as it is stored."""

    type: Literal["thread.item.done"]
    item: ThreadItemJSON


class ItemRemoved(TypedDict):
    """An item was removed."""

    type: Literal["thread.item.removed"]
    item_id: str


class ItemReplaced(TypedDict):
    """An item was replaced whole (feedback, a settled client tool call)."""

    type: Literal["thread.item.replaced"]
    item: ThreadItemJSON


class StreamOptions(TypedDict):
    """Stream settings (``{"allow_cancel": bool}``)."""

    type: Literal["stream_options"]
    stream_options: JSONObject


class ProgressUpdate(TypedDict):
    """A transient status line ("Rate limited, retrying in 2 s")."""

    type: Literal["progress_update"]
    text: str
    icon: NotRequired[str | None]


class ClientEffect(TypedDict):
    """A side effect for the client to perform."""

    type: Literal["client_effect"]
    name: str
    data: NotRequired[JSONObject]


class ErrorEvent(TypedDict):
    """The turn failed."""

    type: Literal["error"]
    code: NotRequired[str]
    message: NotRequired[str | None]
    allow_retry: NotRequired[bool]
    unsent: NotRequired[bool]
    """Added by the widget: the server refused the request before taking the message."""


class Notice(TypedDict):
    """A notice shown in the chat."""

    type: Literal["notice"]
    level: Literal["info", "warning", "danger"]
    message: str
    title: NotRequired[str | None]


StreamEvent = (
    ThreadCreated
    | ThreadUpdated
    | ItemAdded
    | ItemUpdated
    | ItemDone
    | ItemRemoved
    | ItemReplaced
    | StreamOptions
    | ProgressUpdate
    | ClientEffect
    | ErrorEvent
    | Notice
)
"""One ChatKit stream event (``chatkit.types.ThreadStreamEvent`` as JSON)."""


def is_text_delta(event: StreamEvent) -> TypeGuard[ItemUpdated]:
    """Whether an event is a streamed piece of assistant text."""
    return event["type"] == "thread.item.updated" and event["update"]["type"] == TEXT_DELTA


def error_event(message: str, *, allow_retry: bool) -> ErrorEvent:
    """An error event the widget raises itself (``code: "custom"``)."""
    return {"type": "error", "code": "custom", "message": message, "allow_retry": allow_retry}

"""The notebook's side of tool-call approvals: what waits, the requests that decide, the turn.

The backend pauses a turn on a call that needs approval (``backends/_approvals.py``); the tool
row then has status ``approval``. Decisions are ChatKit custom actions, so the UI, Python and
every other view send the same request, to any backend that speaks it.
"""

from __future__ import annotations

import json
from typing import Literal, TypedDict

from chatkit.types import TaskItem, ThreadItem
from pydantic import ValidationError

from ._chatkit_json import ChatKitRequest, JSONObject, StreamEvent, ThreadItemJSON
from ._tool_rows import ToolRow, parse_tool_row
from .backends._approvals import APPROVAL_ACTION, STOPPED_WAITING

DecisionKind = Literal["approve", "deny", "stop"]


class PendingApproval(TypedDict):
    """A tool call waiting for a decision, as ``chat.pending_approvals()`` lists it."""

    id: str
    """The call's id: what ``chat.approve`` and ``chat.deny`` take."""
    name: str
    arguments: str
    """The arguments, as the JSON text the model sent."""


def pending_approvals(items: list[ThreadItem]) -> list[PendingApproval]:
    """The calls of a conversation that wait for a decision, oldest first."""
    pending: list[PendingApproval] = []
    for item in items:
        row = parse_tool_row(item) if isinstance(item, TaskItem) else None
        if row is not None and row.status == "approval":
            arguments = (
                row.arguments if isinstance(row.arguments, str) else json.dumps(row.arguments)
            )
            pending.append({"id": row.call_id, "name": row.name, "arguments": arguments})
    return pending


def decision_request(
    thread_id: str,
    kind: DecisionKind,
    call_id: str | None = None,
    *,
    always: bool = False,
    reason: str | None = None,
) -> ChatKitRequest:
    """The ChatKit request that carries one decision (``stop``: no call runs, the turn ends)."""
    payload: JSONObject = {"decision": kind}
    if call_id is not None:
        payload["call_id"] = call_id
    if always:
        payload["always"] = True
    if reason:
        payload["reason"] = reason
    return {
        "type": "threads.custom_action",
        "params": {
            "thread_id": thread_id,
            "item_id": None,
            "action": {"type": APPROVAL_ACTION, "payload": payload},
        },
    }


def tool_row_of(item: ThreadItemJSON) -> ToolRow | None:
    """The tool row an item carries, if it is one."""
    if item["type"] != "task":
        return None
    try:
        return parse_tool_row(TaskItem.model_validate(item))
    except ValidationError:
        return None


class TurnRecord:
    """What one ``ask()`` turn produced, across the streams that carry it.

    A turn paused for approval goes on in the stream of the last decision, which the UI, a
    ``chat.on("approval")`` callback or another cell may send. Registered as a bridge watch
    (``keep``), this follows the turn's own stream, then every stream of its thread, and knows
    which of its calls still wait.
    """

    def __init__(self, stream_id: str) -> None:
        self.stream_id = stream_id
        self.events: list[StreamEvent] = []
        self.thread_id: str | None = None
        self.waiting: set[str] = set()
        self._seen: set[str] = set()
        #: Why a waiting call ended without running (stopped, or a new turn came first).
        self.unrun: str | None = None

    def keep(self, stream_id: str, thread_id: str | None, event: StreamEvent) -> None:
        """Record an event of this turn (text deltas aside: the done items hold the text)."""
        if stream_id == self.stream_id:
            self.thread_id = thread_id or self.thread_id
        elif thread_id is None or thread_id != self.thread_id:
            return  # another conversation's stream
        if event["type"] == "thread.item.updated":
            return
        if event["type"] in ("thread.item.added", "thread.item.done", "thread.item.replaced"):
            self._seen.add(event["item"]["id"])
            row = tool_row_of(event["item"])
            if row is not None:
                self._follow(row)
        self.events.append(event)

    def settled_elsewhere(self, recent: list[ThreadItemJSON]) -> bool:
        """Whether the turn went on and ended in another widget (another notebook, a server).

        ``recent``: the thread's newest items, oldest first. When none of the calls this turn
        waits for waits any more and the thread ends on a reply, what this turn did not see
        is recorded as if it had streamed here.
        """
        rows = {row.call_id: row for item in recent if (row := tool_row_of(item)) is not None}
        if any(rows[c].status == "approval" for c in self.waiting if c in rows):
            return False
        if not recent or recent[-1]["type"] != "assistant_message":
            return False  # still going on over there
        for item in recent:
            row = tool_row_of(item)
            if row is not None and row.call_id in self.waiting:
                self._follow(row)  # seen here while it waited; decided over there
            if item["id"] not in self._seen:
                self.keep(
                    self.stream_id, self.thread_id, {"type": "thread.item.done", "item": item}
                )
        return not self.waiting

    def _follow(self, row: ToolRow) -> None:
        if row.status == "approval":
            self.waiting.add(row.call_id)
        elif row.call_id in self.waiting:
            self.waiting.discard(row.call_id)
            if row.status == "error":
                self.unrun = row.error or STOPPED_WAITING

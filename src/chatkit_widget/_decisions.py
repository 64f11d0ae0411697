"""The notebook's side of tool-call approvals: what waits, the requests that decide, the turn.

The backend pauses a turn on a call that needs approval (``backends/_approvals.py``); the tool
row then has status ``approval``. Decisions are ChatKit custom actions, so the UI, Python and
every other view send the same request, to any backend that speaks it.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Literal, TypedDict

from chatkit.types import TaskItem, ThreadItem
from pydantic import ValidationError

from ._bridge import Bridge, StreamWatch
from ._chatkit_json import ChatKitRequest, ErrorEvent, JSONObject, StreamEvent, ThreadItemJSON
from ._errors import ChatError
from ._messages import final_text
from ._protocol import EndReason
from ._tool_rows import ToolRow, parse_tool_row
from .backends._approvals import APPROVAL_ACTION, STOPPED_WAITING, waiting_rows
from .backends._base import Backend, BackendError

log = logging.getLogger(__name__)

DecisionKind = Literal["approve", "deny", "stop"]
#: How often a turn waiting for a decision checks whether another widget made it (seconds).
DECISION_POLL_S = 1.0


class PendingApproval(TypedDict):
    """A tool call waiting for a decision, as ``chat.pending_approvals()`` lists it."""

    id: str
    """The call's id: what ``chat.approve`` and ``chat.deny`` take."""
    name: str
    arguments: str
    """The arguments, as the JSON text the model sent."""


def pending_approvals(items: list[ThreadItem]) -> list[PendingApproval]:
    """The calls of a conversation that wait for a decision, oldest first."""
    return [pending_call(row) for _, row in waiting_rows(items).values()]


def pending_call(row: ToolRow) -> PendingApproval:
    """A waiting call as ``pending_approvals()`` and ``chat.on("approval")`` show it."""
    return {"id": row.call_id, "name": row.name, "arguments": row.arguments_json()}


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
        #: Errors of other streams while calls waited (a stale or duplicate decision refused):
        #: the turn itself goes on.
        self.refused: list[StreamEvent] = []
        self._seen: set[str] = set()
        self._rows: dict[str, str] = {}  # tool row item id -> call id
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
        if event["type"] == "error" and stream_id != self.stream_id and self.waiting:
            self.refused.append(event)
            return
        if event["type"] == "thread.item.removed" and event["item_id"] in self._rows:
            call_id = self._rows[event["item_id"]]
            if call_id in self.waiting:  # an edit or a retry took the waiting call away
                self.waiting.discard(call_id)
                self.unrun = "The conversation was rewritten while the call waited."
        if event["type"] in ("thread.item.added", "thread.item.done", "thread.item.replaced"):
            self._seen.add(event["item"]["id"])
            row = tool_row_of(event["item"])
            if row is not None:
                self._rows[event["item"]["id"]] = row.call_id
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


def errors_of(events: list[StreamEvent]) -> list[ErrorEvent]:
    """The error events among ``events``."""
    return [e for e in events if e["type"] == "error"]


class Decisions:
    """Decisions sent through a widget's bridge, and turns that wait for them.

    Args:
        bridge: The widget's bridge: decisions stream to every view like any turn.
        backend: Read for the thread's newest items while a turn waits.
    """

    def __init__(self, bridge: Bridge, backend: Backend) -> None:
        self._bridge = bridge
        self._backend = backend

    def send(
        self,
        thread_id: str,
        kind: DecisionKind,
        call_id: str | None = None,
        *,
        always: bool = False,
        reason: str | None = None,
    ) -> tuple[str, asyncio.Task[EndReason]]:
        """Start the stream that carries one decision; its id and task."""
        request = decision_request(thread_id, kind, call_id, always=always, reason=reason)
        return self._bridge.start_stream(request)

    def from_code(self, thread_id: str, call_id: str, approved: bool) -> None:
        """A ``chat.on("approval")`` callback decided."""
        reason = None if approved else "Denied by the notebook's approval callback."
        self.send(thread_id, "approve" if approved else "deny", call_id, reason=reason)

    def decide(
        self,
        thread_id: str | None,
        waiting: list[str],
        kind: DecisionKind,
        call_id: str | None,
        *,
        always: bool = False,
        reason: str | None = None,
    ) -> asyncio.Task[str]:
        """Decide on ``call_id`` (``None``: all in ``waiting``); the task ends with the reply.

        Raises:
            ValueError: if that call (or, without an id, any call) does not wait.
            RuntimeError: when no event loop runs.
        """
        if call_id is not None and call_id not in waiting:
            raise ValueError(
                f"no tool call {call_id!r} waits for a decision in this conversation "
                f"(waiting: {', '.join(map(repr, waiting)) or 'none'})"
            )
        if thread_id is None or not waiting:
            raise ValueError("no tool call waits for a decision in this conversation")
        asyncio.get_running_loop()  # RuntimeError now, outside a loop, rather than later

        async def decide_all() -> str:
            record = TurnRecord("")
            record.thread_id = thread_id
            record.waiting = set(waiting)
            with self._bridge.watch(record.keep):
                for each in [call_id] if call_id is not None else waiting:
                    if each not in record.waiting:
                        continue  # answered meanwhile ("always allow" answers its siblings)
                    _, task = self.send(thread_id, kind, each, always=always, reason=reason)
                    await task
                record.events += record.refused
            errors = errors_of(record.events)
            if errors:
                message = errors[-1].get("message") or "The decision failed."
                raise ChatError(message, events=record.events)
            return final_text(record.events)

        return asyncio.ensure_future(decide_all())

    async def wait(self, watch: StreamWatch, record: TurnRecord) -> EndReason:
        """Wait while the turn's calls wait: it goes on in this widget, or in another one."""
        next_end = asyncio.ensure_future(_next_end(watch, record))
        try:
            while True:
                done, _ = await asyncio.wait([next_end], timeout=DECISION_POLL_S)
                if done:
                    return next_end.result()
                # Another widget on this conversation (another notebook, a team mate's view of
                # a served agent) may decide: its streams never pass this widget's bridge.
                try:
                    page = await self._backend.call(
                        {
                            "type": "items.list",
                            "params": {"thread_id": record.thread_id, "order": "desc", "limit": 20},
                        }
                    )
                except BackendError as exc:  # an outage while waiting: keep waiting
                    log.warning("chatkit-widget: could not check the waiting turn: %s", exc)
                    continue
                data = page.get("data") if isinstance(page, dict) else None
                recent = list(reversed(data)) if isinstance(data, list) else []
                if record.settled_elsewhere(recent):
                    return "done"
        finally:
            next_end.cancel()


async def _next_end(watch: StreamWatch, record: TurnRecord) -> EndReason:
    """How the next stream of the turn's conversation ended."""
    while True:
        _, thread_id, reason = await watch.ended.get()
        if thread_id == record.thread_id:
            return reason

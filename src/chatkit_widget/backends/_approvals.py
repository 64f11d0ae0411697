"""Human approval of tool calls: a run paused on openai-agents interruptions, kept with its thread.

A tool declared with ``needs_approval`` interrupts the run. The turn then ends with the call's
tool row in status ``approval`` and the run's ``RunState`` saved in the thread's metadata (ChatKit
stores it with the thread and never sends it to a client), so any process can resume it: the
kernel that started it, a new kernel on the same store, another ``serve`` worker. A person's
decision arrives as the custom action ``chatkit_widget.approval`` (like Edit-and-resend):

    {"call_id": ..., "decision": "approve" | "deny", "always"?: true, "reason"?: "..."}
    {"decision": "stop"}      nothing runs: the waiting calls end as errors, the turn ends

Once no call waits, the run resumes in the same stream as the last decision.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from chatkit.errors import CustomStreamError
from chatkit.types import TaskItem, ThreadItem, ThreadMetadata

from .._tool_rows import ToolRow, parse_tool_row

#: The custom action that carries a decision.
APPROVAL_ACTION = "chatkit_widget.approval"
#: Thread metadata: the paused run (``RunState.to_string()``), while a call waits.
PENDING_RUN = "chatkit_widget.pending_run"
#: Thread metadata: tools a person allowed for the rest of the conversation.
ALLOWED_TOOLS = "chatkit_widget.allowed_tools"
#: What a call that was never decided says when its turn is stopped or moves on.
STOPPED_WAITING = "Stopped before anyone approved it."
MOVED_ON = "Not approved: the conversation went on without a decision."
DEFAULT_DENIAL = "Denied by the user."


@dataclass(frozen=True)
class Decision:
    """One person's decision, read from the action's payload."""

    kind: Literal["approve", "deny", "stop"]
    call_id: str | None = None
    always: bool = False
    reason: str | None = None

    @classmethod
    def from_payload(cls, payload: Any) -> Decision:
        """Validate an action payload.

        Raises:
            CustomStreamError: for a payload that is not a decision.
        """
        data = payload if isinstance(payload, dict) else {}
        kind, call_id, reason = data.get("decision"), data.get("call_id"), data.get("reason")
        if kind == "stop":
            return cls("stop")
        if kind not in ("approve", "deny") or not isinstance(call_id, str) or not call_id:
            raise CustomStreamError(
                'A decision needs a "call_id" and "decision": "approve" or "deny".',
                allow_retry=False,
            )
        if reason is not None and not isinstance(reason, str):
            raise CustomStreamError('"reason" must be text.', allow_retry=False)
        return cls(kind, call_id, data.get("always") is True, reason.strip() if reason else None)


def denial_text(reason: str | None) -> str:
    """The reason a denied row shows."""
    return reason or DEFAULT_DENIAL


def model_denial(tool: str, reason: str | None) -> str:
    """What the model is told about a denied call (now, and in later turns' history)."""
    because = f" Reason: {reason}" if reason else ""
    return f"The user denied this call of {tool}; it did not run.{because}"


def pending_run(thread: ThreadMetadata) -> str | None:
    """The paused run's state, if a call of this thread waits for a decision."""
    value = thread.metadata.get(PENDING_RUN)
    return value if isinstance(value, str) else None


def set_pending_run(thread: ThreadMetadata, state: str | None) -> None:
    """Keep (or, with ``None``, drop) the paused run's state with the thread."""
    if state is None:
        thread.metadata.pop(PENDING_RUN, None)
    else:
        thread.metadata[PENDING_RUN] = state


def allowed_tools(thread: ThreadMetadata) -> set[str]:
    """Tools a person allowed for the rest of this conversation."""
    value = thread.metadata.get(ALLOWED_TOOLS)
    return {name for name in value if isinstance(name, str)} if isinstance(value, list) else set()


def allow_tool(thread: ThreadMetadata, name: str) -> None:
    """Allow ``name`` without asking for the rest of the conversation."""
    thread.metadata[ALLOWED_TOOLS] = sorted(allowed_tools(thread) | {name})


def waiting_rows(items: list[ThreadItem]) -> dict[str, tuple[TaskItem, ToolRow]]:
    """The tool rows that wait for a decision, by call id, oldest first."""
    rows: dict[str, tuple[TaskItem, ToolRow]] = {}
    for item in items:
        if isinstance(item, TaskItem) and (row := parse_tool_row(item)) is not None:
            if row.status == "approval":
                rows[row.call_id] = (item, row)
    return rows

"""The contracts Python and TypeScript share, read from the golden files in tests/contracts/.

js/tests/contracts.test.ts reads the same files, so changing one side alone fails a test.
"""

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NotRequired, get_args, get_origin, get_type_hints

import pytest
from chatkit.types import TaskItem

from chatkit_widget import ChatWidget, _protocol
from chatkit_widget._chatkit_json import is_text_delta
from chatkit_widget._decisions import DecisionKind, decision_request
from chatkit_widget._protocol import CommMsg, IncomingMsg, parse_incoming, to_comm
from chatkit_widget._tool_rows import ToolRow, parse_tool_row
from chatkit_widget.backends import AgentBackend, Backend, ChatKitBackend, SSEBackend
from chatkit_widget.backends._agent import EDIT_ACTION
from chatkit_widget.backends._approvals import Decision
from chatkit_widget.backends._versions import VERSION_ACTION

from .conftest import FrontEnd

CONTRACTS = Path(__file__).parent / "contracts"


def golden(name: str) -> Any:
    return json.loads((CONTRACTS / name).read_text(encoding="utf-8"))


def kinds_of(union: Any) -> dict[str, Any]:
    """Envelope kind -> its TypedDict, for a union of envelope TypedDicts."""
    return {get_args(get_type_hints(t)["kind"])[0]: t for t in get_args(union)}


def assert_shape(msg: dict[str, Any], typed: Any) -> None:
    # _protocol.py's postponed annotations hide NotRequired from __required_keys__ on 3.11.
    hints = get_type_hints(typed, include_extras=True)
    required = {key for key, hint in hints.items() if get_origin(hint) is not NotRequired}
    assert required <= set(msg), f"{msg['kind']} lacks {required - set(msg)}"
    assert set(msg) <= set(hints), f"{msg['kind']} has keys its TypedDict lacks"


def test_every_envelope_kind_has_a_golden_file_entry_and_no_other() -> None:
    to_kernel, to_browser = golden("envelopes-to-kernel.json"), golden("envelopes-to-browser.json")
    assert {m["kind"] for m in to_kernel.values()} == set(kinds_of(IncomingMsg))
    assert {m["kind"] for m in to_browser.values()} == set(kinds_of(CommMsg))
    assert _protocol.EndReason.__args__ == ("done", "cancelled", "error")  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", list(golden("envelopes-to-kernel.json")))
def test_the_kernel_parses_each_envelope_the_browser_sends(name: str) -> None:
    msg = golden("envelopes-to-kernel.json")[name]
    assert parse_incoming(msg) == msg
    assert_shape(msg, kinds_of(IncomingMsg)[msg["kind"]])


@pytest.mark.parametrize("name", list(golden("envelopes-to-browser.json")))
def test_each_envelope_the_browser_reads_has_the_kernels_shape(name: str) -> None:
    msg = golden("envelopes-to-browser.json")[name]
    assert_shape(msg, kinds_of(CommMsg)[msg["kind"]])


def test_a_lone_text_delta_goes_in_short_and_anything_else_whole() -> None:
    as_event = golden("envelopes-to-browser.json")["text_as_event"]
    assert to_comm(as_event) == golden("envelopes-to-browser.json")["text"]
    two = {**as_event, "events": as_event["events"] * 2}
    assert to_comm(two) is two
    other = golden("envelopes-to-browser.json")["event"]
    assert to_comm(other) is other


async def test_what_the_kernel_really_sends_has_the_golden_shapes() -> None:
    chat = ChatWidget(store=":memory:")
    front_end = FrontEnd(chat, through_comm=True)
    try:
        rid = front_end.request("threads.create", input=front_end.message("add a task: buy milk"))
        await front_end.until(rid, "end")
        front_end.request("threads.update", thread_id=chat.thread_id, title="Renamed")
        front_end.request("threads.get_by_id", thread_id="thr_missing")
        listed = front_end.request("threads.list", limit=5)
        await front_end.until(listed, "response")
    finally:
        chat.stop()
        chat.close()
    assert {m["kind"] for m in front_end.received} == set(kinds_of(CommMsg))
    shapes = {(m["kind"], frozenset(m)) for m in golden("envelopes-to-browser.json").values()}
    for msg in front_end.received:
        assert (msg["kind"], frozenset(msg)) in shapes, f"not a golden shape: {sorted(msg)}"
    # Text went in short where a message held nothing else, and no piece of it was lost.
    pieces = [piece for m in front_end.received for piece in text_pieces(m)]
    assert "".join(pieces) == chat.messages[-1]["text"]
    assert sum(m["kind"] == "text" for m in front_end.received) > len(pieces) / 2


def text_pieces(msg: dict[str, Any]) -> list[str]:
    """The assistant text a message from the comm carries."""
    if msg["kind"] == "text":
        return [msg["delta"]]
    if msg["kind"] == "event":
        return [e["update"]["delta"] for e in msg["events"] if is_text_delta(e)]
    return []


AT = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


@pytest.mark.parametrize("name", list(golden("tool-rows.json")))
def test_tool_rows_are_written_and_read_as_the_golden_items(name: str) -> None:
    case = golden("tool-rows.json")[name]
    row = ToolRow(**case["row"])
    item_id, thread_id = case["item"]["id"], case["item"]["thread_id"]
    assert row.to_item(item_id, thread_id, AT).model_dump(mode="json") == case["item"]
    assert parse_tool_row(TaskItem.model_validate(case["item"])) == row


@pytest.mark.parametrize(
    ("name", "kind", "options"),
    [
        ("approve", "approve", {}),
        ("approve_always", "approve", {"always": True}),
        ("deny", "deny", {"reason": "not now"}),
        ("stop", "stop", {}),
    ],
)
def test_decisions_are_the_requests_the_browser_sends(
    name: str, kind: DecisionKind, options: dict[str, Any]
) -> None:
    golden_request = golden("custom-actions.json")[name]
    call_id = golden_request["params"]["action"]["payload"].get("call_id")
    assert decision_request("thr_1", kind, call_id, **options) == golden_request
    assert Decision.from_payload(golden_request["params"]["action"]["payload"]).kind == kind


def test_the_edit_action_is_the_one_the_browser_sends() -> None:
    edit = golden("custom-actions.json")["edit"]
    assert edit["type"] == "threads.custom_action"
    assert edit["params"]["action"]["type"] == EDIT_ACTION


def test_the_version_action_is_the_one_the_browser_sends() -> None:
    version = golden("custom-actions.json")["version"]
    assert version["params"]["action"]["type"] == VERSION_ACTION
    assert set(version["params"]["action"]["payload"]) == {"item_id", "index"}


async def test_the_golden_edit_request_edits_a_message(front_end: FrontEnd) -> None:
    rid = front_end.request("threads.create", input=front_end.message("hello"))
    await front_end.until(rid, "end")
    user = next(m for m in front_end.chat.messages if m["role"] == "user")
    request = golden("custom-actions.json")["edit"]
    params = {**request["params"], "thread_id": front_end.chat.thread_id}
    params["action"] = {
        **params["action"],
        "payload": {"item_id": user["id"], "text": "list tasks"},
    }
    edit = front_end.request(request["type"], **params)
    assert (await front_end.until(edit, "end"))["reason"] == "done"
    assert [m["text"] for m in front_end.chat.messages if m["role"] == "user"] == ["list tasks"]


@pytest.mark.parametrize(
    "backend",
    [
        AgentBackend,
        lambda: ChatKitBackend("http://127.0.0.1:9/chatkit", features=("edit", "feedback")),
        lambda: SSEBackend("http://127.0.0.1:9/api/chat"),
    ],
    ids=["agent", "chatkit", "sse"],
)
def test_backends_only_announce_features_the_browser_knows(backend: Any) -> None:
    instance: Backend = backend() if backend is not AgentBackend else _agent_backend()
    assert set(instance.features) <= set(golden("features.json"))


def _agent_backend() -> Backend:
    from chatkit_widget import SQLiteStore
    from chatkit_widget.demo import demo_agent

    backend = AgentBackend(demo_agent(), SQLiteStore(":memory:"))
    assert backend.features == ("edit", "feedback", "notebooks")
    return backend

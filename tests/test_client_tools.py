"""Client tools: the agent calls a function of the notebook through ChatKit's client_tool_call."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from agents import Agent, function_tool

from chatkit_widget import ChatWidget, OfflineDemoModel

from .conftest import FrontEnd


def make_chat() -> ChatWidget:
    return ChatWidget(agent=Agent(name="a", model=OfflineDemoModel(delay=0)), store=":memory:")


async def test_a_client_tool_round_trip_continues_the_turn() -> None:
    chat = make_chat()
    calls: list[int] = []

    @chat.client_tool
    def double(x: int) -> int:
        """Double a number."""
        calls.append(x)
        return 2 * x

    assert await chat.ask('use tool double with {"x": 21}') == "42"
    assert calls == [21]
    # one client call per model step: ChatKit holds a single pending call
    backend: Any = chat._backend
    assert backend.server._agent_for_run().model_settings.parallel_tool_calls is False
    _user, tool, reply = chat.messages
    assert tool["role"] == "tool"
    assert tool["tool"] == {
        "name": "double",
        "arguments": {"x": 21},
        "output": 42,
        "status": "success",
        "client": True,
    }
    assert reply["text"] == "42"
    # the next turn's history has the call and its output: the model can refer to it
    assert await chat.ask("count to 2") == "1 2"
    chat.close()


async def test_the_ui_sees_one_stream_with_the_call_pending_then_completed() -> None:
    chat = make_chat()
    front_end = FrontEnd(chat)
    release = asyncio.Event()

    @chat.client_tool
    async def slow_lookup(key: str) -> dict[str, str]:
        """Look a key up."""
        await release.wait()
        return {"key": key, "value": "found"}

    rid = front_end.request(
        "threads.create", input=front_end.message('use tool slow_lookup with {"key": "k"}')
    )

    async def pending_shown() -> dict[str, Any]:
        while True:
            for event in front_end.events(rid):
                if event["type"] == "thread.item.done" and event["item"]["type"] == (
                    "client_tool_call"
                ):
                    return dict(event["item"])
            await asyncio.sleep(0.005)

    pending = await asyncio.wait_for(pending_shown(), 10)
    assert pending["status"] == "pending" and pending["name"] == "slow_lookup"
    assert not [m for m in front_end.for_id(rid) if m["kind"] == "end"]  # still one turn
    release.set()
    assert (await front_end.until(rid, "end"))["reason"] == "done"
    events = front_end.events(rid)
    replaced = next(e["item"] for e in events if e["type"] == "thread.item.replaced")
    assert replaced["id"] == pending["id"]
    assert replaced["status"] == "completed"
    assert replaced["output"] == {"key": "k", "value": "found"}
    assert [m["kind"] for m in front_end.for_id(rid)].count("start") == 1
    chat.close()


async def test_an_exception_becomes_an_error_the_model_sees() -> None:
    chat = make_chat()

    @chat.client_tool(name="fetch", description="Fetch something.")
    def failing() -> str:
        raise RuntimeError("disk on fire")

    reply = await chat.ask("use tool fetch")
    assert reply == "The `fetch` tool failed: RuntimeError: disk on fire"
    tool = next(m["tool"] for m in chat.messages if m["role"] == "tool")
    assert tool["status"] == "error" and tool["output"] == "RuntimeError: disk on fire"
    chat.close()


async def test_bad_arguments_are_reported_not_raised() -> None:
    chat = make_chat()

    @chat.client_tool
    def square(x: int) -> int:
        """Square a number."""
        return x * x

    reply = await chat.ask('use tool square with {"x": "not a number"}')
    assert "Invalid arguments for square" in reply
    chat.close()


async def test_stop_while_the_notebook_runs_the_tool_ends_the_turn() -> None:
    chat = make_chat()
    started = asyncio.Event()

    @chat.client_tool
    async def forever() -> str:
        """Never returns."""
        started.set()
        await asyncio.Event().wait()
        return "unreachable"

    front_end = FrontEnd(chat)
    task = chat.send("use tool forever")
    await asyncio.wait_for(started.wait(), 10)
    chat.stop()
    with pytest.raises(Exception, match="stopped"):
        await asyncio.wait_for(task, 10)
    # the call is settled, in the store and on screen, rather than left running forever
    tool = next(m["tool"] for m in chat.messages if m["role"] == "tool")
    assert tool["status"] == "error" and tool["output"].startswith("Stopped by the user")
    events = [e for m in front_end.received if m["kind"] == "event" for e in m["events"]]
    settled = [e["item"] for e in events if e["type"] == "thread.item.replaced"]
    assert [(i["type"], i["status"]) for i in settled] == [("client_tool_call", "completed")]
    # the thread stays usable
    assert await chat.ask("count to 3") == "1 2 3"
    chat.close()


def test_a_client_tool_may_not_shadow_an_agent_tool() -> None:
    @function_tool
    def lookup() -> str:
        """Server-side lookup."""
        return "server"

    chat = ChatWidget(
        agent=Agent(name="a", model=OfflineDemoModel(delay=0), tools=[lookup]), store=":memory:"
    )

    def lookup_client() -> str:
        return "client"

    with pytest.raises(ValueError, match="already has a tool named 'lookup'"):
        chat.client_tool(lookup_client, name="lookup")
    chat.close()


async def test_an_approved_client_tool_reaches_the_model_once() -> None:
    # Its approval row and its client_tool_call share the call id: history holds one call.
    from datetime import datetime

    from chatkit.types import ClientToolCallItem

    from chatkit_widget._tool_rows import ToolRow
    from chatkit_widget.backends._history import HistoryConverter

    row = ToolRow(call_id="call_7", name="run_cell", arguments={}, status="success", output="ok")
    call = ClientToolCallItem(
        id="tc_2",
        thread_id="thr_1",
        created_at=datetime.now(),
        call_id="call_7",
        name="run_cell",
        arguments={},
        status="completed",
        output={"outputs": "42"},
    )
    items = [row.to_item("tc_1", "thr_1", datetime.now()), call]
    model_input = await HistoryConverter().to_agent_input(items)
    calls = [i for i in model_input if i.get("type") == "function_call"]
    outputs = [i for i in model_input if i.get("type") == "function_call_output"]
    assert [c["call_id"] for c in calls] == ["call_7"]
    assert len(outputs) == 1 and "42" in str(outputs[0]["output"])

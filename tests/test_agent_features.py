"""openai-agents features through the widget: guardrails and handoffs, with a real Runner."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from agents import (
    Agent,
    GuardrailFunctionOutput,
    RunContextWrapper,
    handoff,
    input_guardrail,
    output_guardrail,
)
from openai.types.responses import ResponseFunctionToolCall

from chatkit_widget import ChatError, ChatWidget, OfflineDemoModel
from chatkit_widget.demo import demo_agent

from .conftest import FrontEnd


@input_guardrail
async def no_passwords(
    ctx: RunContextWrapper[Any], agent: Agent[Any], input: Any
) -> GuardrailFunctionOutput:
    latest = input[-1] if isinstance(input, list) else input  # the new message, not the history
    return GuardrailFunctionOutput(output_info=None, tripwire_triggered="password" in str(latest))


@output_guardrail
async def no_sevens(
    ctx: RunContextWrapper[Any], agent: Agent[Any], output: Any
) -> GuardrailFunctionOutput:
    return GuardrailFunctionOutput(output_info=None, tripwire_triggered="7" in str(output))


def guarded_chat() -> tuple[ChatWidget, FrontEnd]:
    agent = demo_agent(model=OfflineDemoModel(delay=0.01)).clone(
        input_guardrails=[no_passwords], output_guardrails=[no_sevens]
    )
    chat = ChatWidget(agent=agent, store=":memory:")
    return chat, FrontEnd(chat)


async def test_an_input_guardrail_blocks_the_reply_and_says_so() -> None:
    chat, _ = guarded_chat()
    with pytest.raises(ChatError, match="The guardrail 'no_passwords' blocked this message"):
        await chat.ask("my password is hunter2, count to 50")
    assert [m["role"] for m in chat.messages] == ["user"]  # nothing of the blocked reply kept
    assert await chat.ask("count to 3") == "1 2 3"  # the conversation goes on


async def test_an_output_guardrail_removes_the_blocked_reply() -> None:
    chat, front_end = guarded_chat()
    with pytest.raises(ChatError, match="The guardrail 'no_sevens' blocked this reply"):
        await chat.ask("count to 9")
    assert [m["role"] for m in chat.messages] == ["user"]
    events = [e for m in front_end.received if m["kind"] == "event" for e in m["events"]]
    added = next(e["item"]["id"] for e in events if e["type"] == "thread.item.added")
    assert {"type": "thread.item.removed", "item_id": added} in events  # the UI drops it too
    assert events[-1]["type"] == "error" and events[-1].get("allow_retry") is not True


class HandsOff(OfflineDemoModel):
    """A triage model that always hands the conversation to the task assistant."""

    def _output(self, input: Any, tools: Any = ()) -> list[Any]:
        return [
            ResponseFunctionToolCall(
                type="function_call",
                id=f"fc_{uuid.uuid4().hex[:8]}",
                call_id=f"call_{uuid.uuid4().hex[:8]}",
                name="transfer_to_task_assistant",
                arguments="{}",
                status="completed",
            )
        ]


async def test_a_handoff_agent_runs_tools_with_live_status() -> None:
    tasks = demo_agent(model=OfflineDemoModel(delay=0))
    triage = Agent(name="Triage", model=HandsOff(delay=0), handoffs=[handoff(tasks)])
    chat = ChatWidget(agent=triage, store=":memory:")
    front_end = FrontEnd(chat)
    reply = await chat.ask("complete task nothing")
    assert reply == "The `complete_task` tool failed: ValueError: No open task matches 'nothing'."
    tool = next(m for m in chat.messages if m["role"] == "tool")
    assert tool["tool"]["status"] == "error"  # the task agent's tool, after the handoff
    progress = [
        e["text"]
        for m in front_end.received
        if m["kind"] == "event"
        for e in m["events"]
        if e["type"] == "progress_update"
    ]
    assert "Task assistant is working on it" in progress


async def test_a_reasoning_summary_streams_as_a_reasoning_workflow() -> None:
    chat = ChatWidget(agent=Agent(name="a", model=OfflineDemoModel(delay=0)), store=":memory:")
    front_end = FrontEnd(chat)
    reply = await chat.ask("think: why is the sky blue?")
    assert reply.startswith("This is where the answer goes")
    events = [e for m in front_end.received if m["kind"] == "event" for e in m["events"]]
    updates = [e["update"] for e in events if e["type"] == "thread.item.updated"]
    added = [u for u in updates if u["type"] == "workflow.task.added"]
    assert [u["task"]["status_indicator"] for u in added] == ["loading", "loading"]
    assert any(u["type"] == "workflow.task.updated" for u in updates)  # thoughts stream
    done = next(
        e["item"]
        for e in events
        if e["type"] == "thread.item.done" and e["item"]["type"] == "workflow"
    )
    workflow = done["workflow"]
    assert workflow["type"] == "reasoning" and "duration" in workflow["summary"]
    assert [t["status_indicator"] for t in workflow["tasks"]] == ["complete", "complete"]
    assert workflow["tasks"][0]["content"].endswith("You asked: why is the sky blue?")
    # stored before the reply, and the next turn's history is still valid for the model
    assert chat.thread_id is not None
    stored = [i.type for i in chat._backend.items_sync(chat.thread_id)]
    assert stored == ["user_message", "workflow", "assistant_message"]
    assert await chat.ask("count to 2") == "1 2"
    chat.close()


async def test_a_tool_can_post_a_notice_into_its_turn() -> None:
    from agents import function_tool

    from chatkit_widget import notify

    @function_tool
    def figures() -> str:
        """Quarterly figures."""
        notify("Q2 figures are **preliminary**.", level="warning", title="Heads up")
        return "North 120"

    chat = ChatWidget(agent=Agent(name="a", model=OfflineDemoModel(delay=0), tools=[figures]))
    front_end = FrontEnd(chat)
    assert await chat.ask("use tool figures") == "North 120"
    events = [e for m in front_end.received if m["kind"] == "event" for e in m["events"]]
    notices = [e for e in events if e["type"] == "notice"]
    assert notices == [
        {
            "type": "notice",
            "level": "warning",
            "message": "Q2 figures are **preliminary**.",
            "title": "Heads up",
        }
    ]
    # it follows the tool row it came from
    row_done = next(
        i
        for i, e in enumerate(events)
        if e["type"] == "thread.item.done" and e["item"]["type"] == "task"
    )
    assert events.index(notices[0]) == row_done + 1
    with pytest.raises(RuntimeError, match="inside a tool while a chat turn runs"):
        notify("outside any turn")
    chat.close()

"""The offline demo model and its task list, through a real openai-agents Runner."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import pytest
from agents import Runner

from chatkit_widget import ChatError, ChatWidget, OfflineDemoModel
from chatkit_widget.demo import TaskList, demo_agent
from chatkit_widget.demo._offline_model import HELP_TEXT, NOTEBOOK_HELP_TEXT, plan_turn


@pytest.mark.parametrize(
    ("text", "step"),
    [
        ("add a task: buy milk", ("add_task", {"title": "buy milk"})),
        ("Add task - call mum ", ("add_task", {"title": "call mum"})),
        ("list tasks", ("list_tasks", {})),
        ("show my tasks", ("list_tasks", {})),
        ("complete task buy milk", ("complete_task", {"title": "buy milk"})),
        ("done task: #2", ("complete_task", {"title": "#2"})),
    ],
)
def test_commands_become_tool_calls(text: str, step: tuple[str, dict[str, str]]) -> None:
    name, arguments = plan_turn([{"role": "user", "content": text}])  # type: ignore[misc]
    assert (name, json.loads(arguments)) == step


def test_anything_else_explains_how_to_connect_a_model() -> None:
    reply = plan_turn("what's the weather?")
    assert reply == HELP_TEXT and "OPENAI_API_KEY" in reply and "offline demo model" in reply
    assert plan_turn("count to 5") == "1 2 3 4 5"


def test_beside_a_notebook_the_help_offers_the_notebook_commands() -> None:
    # The sidebar's agent has the notebook tools: its help is about them and Jupyter's config.
    reply = plan_turn("hello", tools=frozenset({"read_notebook", "run_cell"}))
    assert reply == NOTEBOOK_HELP_TEXT
    assert "`read the notebook`" in reply and "c.ChatKitWidget.agent" in reply
    assert "ChatWidget(" not in reply
    for command in ("read the notebook", "what variables are defined", "run the active cell"):
        assert command in reply
        tools = frozenset({"read_notebook", "list_variables", "run_cell"})
        assert isinstance(plan_turn(command, tools=tools), tuple), command


def test_task_list_persists_and_completes(tmp_path: Path) -> None:
    tasks = TaskList(tmp_path / "tasks.sqlite")
    assert tasks.add(" buy milk ") == 1 and tasks.add("walk dog") == 2
    assert tasks.complete("BUY MILK") == "buy milk"
    assert tasks.complete("#2") == "walk dog"
    with pytest.raises(ValueError, match="No open task matches 'buy milk'"):
        tasks.complete("buy milk")
    with pytest.raises(ValueError, match="needs a title"):
        tasks.add("   ")
    tasks.add("file taxes")
    assert TaskList(tmp_path / "tasks.sqlite").open_tasks() == [(3, "file taxes")]


async def test_streams_word_by_word_with_real_waits(tmp_path: Path) -> None:
    agent = demo_agent(tmp_path / "t.sqlite", OfflineDemoModel(delay=0.02))
    result = Runner.run_streamed(agent, "count to 10")
    arrivals: list[float] = []
    async for event in result.stream_events():
        if event.type == "raw_response_event" and event.data.type == "response.output_text.delta":
            arrivals.append(time.monotonic())
    assert len(arrivals) == 10
    assert arrivals[-1] - arrivals[0] >= 9 * 0.02 * 0.9
    assert result.final_output == "1 2 3 4 5 6 7 8 9 10"


async def test_tools_really_change_the_task_list(tmp_path: Path) -> None:
    tasks = TaskList(tmp_path / "t.sqlite")
    agent = demo_agent(tasks, OfflineDemoModel(delay=0))
    assert (await Runner.run(agent, "add a task: buy milk")).final_output == (
        "Added **buy milk** to your task list."
    )
    assert tasks.open_tasks() == [(1, "buy milk")]
    listed = await Runner.run(agent, "list tasks")
    assert listed.final_output == "Your open tasks:\n\n- buy milk"
    done = await Runner.run(agent, "complete task buy milk")
    assert done.final_output == "Marked **buy milk** as done."
    assert tasks.open_tasks() == []


async def test_stop_really_stops_the_model(tmp_path: Path) -> None:
    produced: list[str] = []

    class Counting(OfflineDemoModel):
        async def stream_response(self, *args, **kwargs):  # type: ignore[no-untyped-def,override]
            async for event in super().stream_response(*args, **kwargs):
                if event.type == "response.output_text.delta":
                    produced.append(event.delta)
                yield event

    chat = ChatWidget(
        agent=demo_agent(tmp_path / "t.sqlite", Counting(delay=0.01)), store=":memory:"
    )
    chat._bridge._send = lambda msg: None
    turn = chat.send("count to 1000")
    while len(produced) < 5:
        await asyncio.sleep(0.01)
    chat.stop()
    with pytest.raises(ChatError):
        await turn
    count = len(produced)
    await asyncio.sleep(0.2)  # twenty more words' worth, had the model kept going
    assert len(produced) == count < 1000

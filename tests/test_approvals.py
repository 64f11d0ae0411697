"""Human approval of tool calls, through the real openai-agents ``Runner`` and ``RunState``.

The demo agent's ``remove_task`` is declared ``needs_approval=True``: the turn pauses with the
call's row in status ``approval`` until someone decides, in the chat (the envelope the browser
sends), from Python, or from a ``chat.on("approval")`` callback.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import textwrap
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from agents import Agent
from openai.types.responses import ResponseFunctionToolCall

from chatkit_widget import ChatError, ChatKitBackend, ChatWidget
from chatkit_widget.demo import OfflineDemoModel, TaskList
from chatkit_widget.server import create_app, mint_token

from .conftest import FrontEnd
from .support.http_servers import serve_app


class RecordingModel(OfflineDemoModel):
    """The offline model; it remembers what the runner asked it, and can call tools in parallel.

    "remove both: A and B" asks for two ``remove_task`` calls in one step.
    """

    def __init__(self) -> None:
        super().__init__(delay=0)
        self.inputs: list[Any] = []

    def _output(self, input: str | list[Any], tools: Any = ()) -> list[Any]:
        self.inputs.append(input)
        last = input[-1] if isinstance(input, list) and input else {}
        content = last.get("content") if isinstance(last, dict) else None
        parts = content if isinstance(content, list) else [{"text": content}]
        text = "".join(str(p.get("text", "")) for p in parts if isinstance(p, dict))
        if text.startswith("remove both: "):
            return [_call("remove_task", {"title": t}) for t in text[13:].split(" and ")]
        return super()._output(input, tools)


def _call(name: str, arguments: dict[str, Any]) -> ResponseFunctionToolCall:
    return ResponseFunctionToolCall(
        type="function_call",
        id=f"fc_{uuid.uuid4().hex[:12]}",
        call_id=f"call_{uuid.uuid4().hex[:12]}",
        name=name,
        arguments=json.dumps(arguments),
        status="completed",
    )


class Tasks:
    """A chat whose agent manages a task list, with the model's inputs recorded."""

    def __init__(self, store: str | Path = ":memory:") -> None:
        self.tasks = TaskList(":memory:")
        self.model = RecordingModel()
        agent = Agent(name="Tasks", model=self.model, tools=self.tasks.tools())
        self.chat = ChatWidget(agent=agent, store=store)
        self.sent: list[dict[str, Any]] = []
        self.chat._post = self.sent.append  # type: ignore[method-assign]
        self.chat._bridge._send = self.sent.append

    def titles(self) -> list[str]:
        return [title for _, title in self.tasks.open_tasks()]

    def rows(self) -> list[tuple[str, str]]:
        return [
            (m["tool"]["status"], m["tool"]["arguments"].get("title", ""))
            for m in self.chat.messages
            if m["role"] == "tool"
        ]


@pytest.fixture
def tasks() -> Iterator[Tasks]:
    t = Tasks()
    t.tasks.add("buy milk")
    t.tasks.add("walk dog")
    yield t
    t.chat.close()


async def until(check: Callable[[], Any], wait_s: float = 10.0) -> Any:
    async def poll() -> Any:
        while not (result := check()):
            await asyncio.sleep(0.01)
        return result

    return await asyncio.wait_for(poll(), wait_s)


def asking(chat: ChatWidget, text: str) -> asyncio.Task[str]:
    return asyncio.ensure_future(chat.ask(text))


async def test_ask_waits_for_approve_then_the_tool_runs_and_the_turn_finishes(
    tasks: Tasks,
) -> None:
    reply = asking(tasks.chat, "remove task buy milk")
    [call] = await until(tasks.chat.pending_approvals)
    assert call["name"] == "remove_task"
    assert json.loads(call["arguments"]) == {"title": "buy milk"}
    assert tasks.titles() == ["buy milk", "walk dog"], "nothing ran before the decision"
    assert tasks.rows() == [("approval", "buy milk")]
    assert not reply.done(), "ask() waits for the decision"

    assert await tasks.chat.approve(call["id"]) == "Removed **buy milk** from your task list."
    assert await reply == "Removed **buy milk** from your task list."
    assert tasks.titles() == ["walk dog"]
    assert tasks.rows() == [("success", "buy milk")]
    assert tasks.chat.pending_approvals() == []


async def test_deny_never_runs_the_tool_and_the_model_is_told_why(tasks: Tasks) -> None:
    reply = asking(tasks.chat, "remove task walk dog")
    await until(tasks.chat.pending_approvals)
    await tasks.chat.deny(reason="the dog still needs it")
    assert await reply == "I left your task list as it was."
    assert tasks.titles() == ["buy milk", "walk dog"]
    [tool] = [m["tool"] for m in tasks.chat.messages if m["role"] == "tool"]
    assert tool["status"] == "denied"
    assert tool["output"] == "the dog still needs it"
    told = tasks.model.inputs[-1][-1]
    assert told["type"] == "function_call_output"
    assert "denied" in told["output"] and "the dog still needs it" in told["output"]

    # Later turns' history says the same, so the model never thinks the call ran.
    await tasks.chat.ask("list tasks")
    history = json.dumps(tasks.model.inputs[-2])
    assert "The user denied this call of remove_task; it did not run." in history


async def test_the_ui_decides_through_the_envelope_and_a_second_decision_is_refused(
    front_end: FrontEnd,
) -> None:
    chat = front_end.chat
    rid = front_end.request("threads.create", input=front_end.message("add a task: buy milk"))
    await front_end.until(rid, "end")
    rid = front_end.request(
        "threads.add_user_message",
        thread_id=chat.thread_id,
        input=front_end.message("remove task buy milk"),
    )
    assert (await front_end.until(rid, "end"))["reason"] == "done"
    rows = [e["item"] for e in front_end.events(rid) if e["type"] == "thread.item.done"]
    waiting = json.loads(rows[-1]["task"]["content"].split("tool ", 1)[1].split(" -->")[0])
    assert waiting["status"] == "approval"
    assert rows[-1]["task"]["status_indicator"] == "loading"

    action = {
        "type": "chatkit_widget.approval",
        "payload": {"call_id": waiting["call_id"], "decision": "approve"},
    }
    decide = front_end.request(
        "threads.custom_action", thread_id=chat.thread_id, item_id=None, action=action
    )
    assert (await front_end.until(decide, "end"))["reason"] == "done"
    done = [e["item"] for e in front_end.events(decide) if e["type"] == "thread.item.done"]
    assert [d["type"] for d in done] == ["task", "task", "assistant_message"]  # approved, ran
    assert "Removed" in done[-1]["content"][0]["text"]

    again = front_end.request(
        "threads.custom_action", thread_id=chat.thread_id, item_id=None, action=action
    )
    await front_end.until(again, "end")
    [error] = [e for e in front_end.events(again) if e["type"] == "error"]
    assert "does not wait for a decision" in error["message"]


async def test_approval_callbacks_decide_from_code(tasks: Tasks) -> None:
    seen: list[dict[str, Any]] = []

    async def keep_milk(call: dict[str, Any]) -> bool | None:
        seen.append(call)
        title = json.loads(call["arguments"])["title"]
        return None if title == "walk dog" else title != "buy milk"

    tasks.chat.on("approval", keep_milk)
    with pytest.raises(asyncio.TimeoutError):  # None: left to the chat, so it keeps waiting
        await asyncio.wait_for(asyncio.shield(asking(tasks.chat, "remove task walk dog")), 0.5)
    assert [c["name"] for c in tasks.chat.pending_approvals()] == ["remove_task"]
    tasks.chat.stop()
    await until(lambda: not tasks.chat.pending_approvals())

    assert await tasks.chat.ask("remove task buy milk") == "I left your task list as it was."
    tasks.tasks.add("old note")
    assert (
        await tasks.chat.ask("remove task old note") == "Removed **old note** from your task list."
    )
    assert tasks.titles() == ["buy milk", "walk dog"]
    assert [json.loads(c["arguments"])["title"] for c in seen] == [
        "walk dog",
        "buy milk",
        "old note",
    ]


async def test_parallel_calls_are_decided_one_by_one(tasks: Tasks) -> None:
    reply = asking(tasks.chat, "remove both: buy milk and walk dog")
    calls = await until(
        lambda: len(tasks.chat.pending_approvals()) == 2 and tasks.chat.pending_approvals()
    )
    milk, dog = (c["id"] for c in calls)
    assert await tasks.chat.deny(dog) == "", "one call still waits: no reply yet"
    assert not reply.done()
    assert tasks.rows() == [("approval", "buy milk"), ("denied", "walk dog")]
    await tasks.chat.approve(milk)
    await reply
    assert tasks.titles() == ["walk dog"]
    assert sorted(tasks.rows()) == [("denied", "walk dog"), ("success", "buy milk")]


async def test_always_allow_stops_asking_for_that_tool_in_this_conversation(tasks: Tasks) -> None:
    reply = asking(tasks.chat, "remove task buy milk")
    await until(tasks.chat.pending_approvals)
    await tasks.chat.approve(always=True)
    await reply
    assert (
        await tasks.chat.ask("remove task walk dog") == "Removed **walk dog** from your task list."
    )
    assert tasks.titles() == []
    tasks.chat.new_thread()  # a new conversation asks again
    tasks.tasks.add("water plants")
    waiting = asking(tasks.chat, "remove task water plants")
    await until(tasks.chat.pending_approvals)
    tasks.chat.stop()
    with pytest.raises(ChatError):
        await waiting


async def test_stop_while_waiting_ends_the_turn_and_nothing_runs(tasks: Tasks) -> None:
    reply = asking(tasks.chat, "remove task buy milk")
    await until(tasks.chat.pending_approvals)
    tasks.chat.stop()
    with pytest.raises(ChatError, match="stopped"):
        await reply
    # A stop that lands while the turn is still pausing settles the calls right after.
    await until(lambda: tasks.rows()[0][0] != "approval")
    assert tasks.titles() == ["buy milk", "walk dog"]
    [tool] = [m["tool"] for m in tasks.chat.messages if m["role"] == "tool"]
    assert (tool["status"], tool["output"]) == ("error", "Stopped before anyone approved it.")
    # The conversation goes on normally, and the model sees the call as not run.
    assert "walk dog" in await tasks.chat.ask("list tasks")


async def test_a_new_message_while_a_call_waits_settles_it_unrun(tasks: Tasks) -> None:
    first = asking(tasks.chat, "remove task buy milk")
    await until(tasks.chat.pending_approvals)
    tasks.chat.send("list tasks")  # from another cell, say
    with pytest.raises(ChatError):  # the first turn's call will never run
        await asyncio.wait_for(first, 10)
    await until(lambda: tasks.chat.messages[-1]["role"] == "assistant")
    assert tasks.rows()[0][0] == "error"
    assert tasks.titles() == ["buy milk", "walk dog"]


async def test_decisions_for_unknown_or_decided_calls_are_clear_errors(tasks: Tasks) -> None:
    with pytest.raises(ValueError, match="no tool call waits"):
        tasks.chat.approve()
    reply = asking(tasks.chat, "remove task buy milk")
    [call] = await until(tasks.chat.pending_approvals)
    with pytest.raises(ValueError, match=r"no tool call 'call_nope' waits.*waiting: 'call_"):
        tasks.chat.deny("call_nope")
    await tasks.chat.approve(call["id"])
    await reply
    with pytest.raises(ValueError, match=f"no tool call '{call['id']}' waits"):
        tasks.chat.approve(call["id"])


def run_kernel(code: str) -> list[str]:
    """Run ``code`` (the body of ``async def main()``) in a fresh Python process."""
    script = (
        "import asyncio, os\n"
        "from agents import set_tracing_disabled\n"
        "from chatkit_widget import ChatWidget\n"
        "set_tracing_disabled(True)\n"
        "async def main():\n" + textwrap.indent(textwrap.dedent(code), "    ") + "\n"
        "asyncio.run(main())\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def test_a_waiting_call_survives_the_kernel_and_runs_in_a_new_process(tmp_path: Path) -> None:
    store = str(tmp_path / "chats.sqlite")
    [thread_id] = run_kernel(
        f"""
        chat = ChatWidget(store={store!r})  # the demo agent: remove_task needs approval
        chat._post = chat._bridge._send = lambda msg: None
        await chat.ask("add a task: buy milk")
        waiting = asyncio.ensure_future(chat.ask("remove task buy milk"))
        while not chat.pending_approvals():
            await asyncio.sleep(0.01)
        print(chat.thread_id, flush=True)
        os._exit(0)  # the kernel dies while the call waits: nothing gets to clean up
        """
    )
    out = run_kernel(
        f"""
        chat = ChatWidget(store={store!r}, thread_id={thread_id!r})
        chat._post = chat._bridge._send = lambda msg: None
        [call] = chat.pending_approvals()
        print(call["name"], call["arguments"])
        print(await chat.approve(call["id"]))
        print(await chat.ask("list tasks"))
        """
    )
    assert out == [
        'remove_task {"title": "buy milk"}',
        "Removed **buy milk** from your task list.",
        "You have no open tasks.",
    ]


SECRET = "approval-test-secret-" + "s" * 32


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    tasks = TaskList(":memory:")
    tasks.add("buy milk")
    agent = Agent(name="Served", model=OfflineDemoModel(delay=0), tools=tasks.tools())
    app = create_app(agent, store=tmp_path / "served.sqlite", secret=SECRET)
    with serve_app(app) as url:
        yield url


async def test_serve_and_chatkit_backend_carry_approvals_in_the_protocol(server: str) -> None:
    def widget() -> ChatWidget:
        backend = ChatKitBackend(f"{server}/chatkit", token=mint_token("ada", secret=SECRET))
        return ChatWidget(backend=backend)

    chat, other_view = widget(), widget()
    reply = asking(chat, "remove task buy milk")
    [call] = await until(chat.pending_approvals)
    other_view.open_thread(chat.thread_id)  # say, the same user in another notebook
    assert other_view.pending_approvals() == [call]

    assert await other_view.approve(call["id"]) == "Removed **buy milk** from your task list."
    assert await reply == "Removed **buy milk** from your task list."
    assert chat.pending_approvals() == []
    with pytest.raises(ValueError, match="waits for a decision"):
        chat.approve(call["id"])
    # Sent anyway (a stale view): the server refuses it cleanly, and nothing runs twice.
    _, refused = chat._decisions.send(chat.thread_id or "", "approve", call["id"])
    assert await refused == "error"
    assert [m["tool"]["status"] for m in chat.messages if m["role"] == "tool"] == ["success"]


async def test_always_allow_answers_the_same_tools_other_waiting_calls(tasks: Tasks) -> None:
    reply = asking(tasks.chat, "remove both: buy milk and walk dog")
    await until(lambda: len(tasks.chat.pending_approvals()) == 2)
    assert await tasks.chat.approve(always=True) == "Removed **walk dog** from your task list."
    await reply
    assert tasks.titles() == []


async def test_a_refused_duplicate_decision_leaves_the_turn_waiting(tasks: Tasks) -> None:
    reply = asking(tasks.chat, "remove both: buy milk and walk dog")
    await until(lambda: len(tasks.chat.pending_approvals()) == 2)
    milk, dog = (c["id"] for c in tasks.chat.pending_approvals())
    thread = tasks.chat.thread_id or ""
    first = tasks.chat._decisions.send(thread, "deny", milk)[1]
    again = tasks.chat._decisions.send(thread, "deny", milk)[1]  # a double click, a second view
    assert await asyncio.gather(first, again) == ["done", "error"]
    assert not reply.done(), "the other call still waits: so does ask()"
    await tasks.chat.approve(dog)
    assert await reply == "Removed **walk dog** from your task list."


async def test_stop_after_one_of_two_approvals_runs_neither(tasks: Tasks) -> None:
    reply = asking(tasks.chat, "remove both: buy milk and walk dog")
    await until(lambda: len(tasks.chat.pending_approvals()) == 2)
    await tasks.chat.approve(tasks.chat.pending_approvals()[0]["id"])
    tasks.chat.stop()
    with pytest.raises(ChatError, match="stopped"):
        await reply
    assert tasks.titles() == ["buy milk", "walk dog"]
    assert tasks.rows() == [("error", "buy milk"), ("error", "walk dog")], "no row spins on"


async def test_editing_the_message_of_a_waiting_turn_ends_it_unrun(tasks: Tasks) -> None:
    reply = asking(tasks.chat, "remove task buy milk")
    await until(tasks.chat.pending_approvals)
    user = next(m for m in tasks.chat.messages if m["role"] == "user")
    edit = {"type": "chatkit_widget.edit", "payload": {"item_id": user["id"], "text": "list tasks"}}
    params = {"thread_id": tasks.chat.thread_id, "item_id": None, "action": edit}
    await tasks.chat._bridge.start_stream({"type": "threads.custom_action", "params": params})[1]
    with pytest.raises(ChatError, match="rewritten"):
        await asyncio.wait_for(reply, 10)
    assert tasks.titles() == ["buy milk", "walk dog"]
    assert tasks.chat.pending_approvals() == []


async def test_two_views_approving_at_once_run_the_tool_once(tmp_path: Path) -> None:
    tasks = TaskList(":memory:")
    tasks.add("buy milk")
    tasks.add("buy milk")  # a second run of the tool would remove this one too
    agent = Agent(name="Served", model=OfflineDemoModel(delay=0), tools=tasks.tools())
    app = create_app(agent, store=tmp_path / "served.sqlite", secret=SECRET)
    with serve_app(app) as url:

        def widget() -> ChatWidget:
            token = mint_token("ada", secret=SECRET)
            return ChatWidget(backend=ChatKitBackend(f"{url}/chatkit", token=token))

        chat, other = widget(), widget()
        reply = asking(chat, "remove task buy milk")
        [call] = await until(chat.pending_approvals)
        other.open_thread(chat.thread_id)
        ends = await asyncio.gather(
            chat._decisions.send(chat.thread_id or "", "approve", call["id"])[1],
            other._decisions.send(other.thread_id or "", "approve", call["id"])[1],
        )
        assert sorted(ends) == ["done", "error"]
        assert await reply == "Removed **buy milk** from your task list."
        assert len(tasks.open_tasks()) == 1

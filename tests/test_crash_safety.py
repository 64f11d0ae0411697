"""A process killed mid-turn loses at most the last second of text, and its turn is marked.

Each test runs a real kernel-like process (``tests/support/crash_child.py``: a ``ChatWidget`` on
a SQLite file, and where marked on a PostgreSQL database too), kills it with SIGKILL at a
chosen moment, then reopens the conversation here, in a new process, as a user would, and
checks what they see and what Retry does.
"""

from __future__ import annotations

import asyncio
import json
import os
import queue
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from agents import function_tool
from chatkit.types import (
    AssistantMessageContent,
    AssistantMessageItem,
    InferenceOptions,
    ThreadItem,
    ThreadMetadata,
    UserMessageItem,
    UserMessageTextContent,
)

from chatkit_widget import ChatWidget, OfflineDemoModel
from chatkit_widget._messages import to_messages
from chatkit_widget.backends import AgentBackend
from chatkit_widget.backends._in_process import turn_request
from chatkit_widget.backends._owner import (
    DEAD_AFTER,
    _pid_namespace,
    _started,
    is_alive,
    this_process,
)
from chatkit_widget.backends._turns import INTERRUPTED_TOOL, settle_dead_turns
from chatkit_widget.demo import TaskList, demo_agent
from chatkit_widget.server import mint_token
from chatkit_widget.store import RunningTurn, SQLiteStore, open_store
from tests.support.http_servers import serve_process
from tests.support.memory_store import MemoryStore

REPO = Path(__file__).resolve().parent.parent
#: A kill loses at most the checkpoint interval, plus a write in flight on a busy machine.
MAX_LOSS_S = 1.0 + 0.75
SECRET = "crash-test-secret-0123456789abcdef0123456789abcdef"


class Child:
    """A ``crash_child`` process and the lines it reports."""

    def __init__(self, db: str, tasks: Path, *prompts: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.support.crash_child", str(db), str(tasks), *prompts],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        #: (time, characters streamed) of each ``text`` line read so far.
        self.text: list[tuple[float, int]] = []
        self.thread_id: str | None = None
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line.strip())

    def wait_for(self, what: str, timeout: float = 60.0, min_text: int = 0) -> None:
        """Read lines until one starts with ``what`` (``text``: until ``min_text`` streamed)."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            assert remaining > 0, f"no {what!r} line; stderr: {self._stderr()}"
            try:
                line = self.lines.get(timeout=min(remaining, 1.0))
            except queue.Empty:
                assert self.proc.poll() is None, f"the child exited: {self._stderr()}"
                continue
            kind, _, rest = line.partition(" ")
            if kind == "thread":
                self.thread_id = rest
            elif kind == "text":
                at, length = rest.split()
                self.text.append((float(at), int(length)))
            if kind == what and (what != "text" or self.text[-1][1] >= min_text):
                return

    def kill(self) -> float:
        """SIGKILL it; when (``time.time()``) the signal was sent."""
        killed_at = time.time()
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)
        return killed_at

    def _stderr(self) -> str:
        if self.proc.poll() is None:
            return "(still running)"
        return self.proc.stderr.read() if self.proc.stderr else ""

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.communicate(timeout=10)  # reads and closes its pipes


@pytest.fixture
def files(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, Path]:
    """The store (a SQLite file; ``indirect`` ``"postgres"``: a fresh database) and task list."""
    if getattr(request, "param", "sqlite") == "postgres":
        return request.getfixturevalue("postgres_url"), tmp_path / "tasks.json"
    return str(tmp_path / "chats.sqlite"), tmp_path / "tasks.json"


BOTH_STORES = pytest.mark.parametrize("files", ["sqlite", "postgres"], indirect=True)


@pytest.fixture
def start(files: tuple[str, Path]) -> Iterator[Callable[..., Child]]:
    """Start a child on the test's store with these prompts; every one is ended after."""
    started: list[Child] = []

    def child(*prompts: str) -> Child:
        started.append(Child(*files, *prompts))
        return started[-1]

    yield child
    for one in started:
        one.close()


@function_tool
async def slow_step() -> str:
    """A step that takes a minute (here, none: the retry must finish)."""
    return "slow step done"


def reopen(db: str, tasks: Path, thread_id: str) -> ChatWidget:
    """The conversation in this process, as ``ChatWidget(thread_id=...)`` in a new kernel."""
    agent = demo_agent(tasks, OfflineDemoModel(delay=0))
    agent = agent.clone(tools=[*agent.tools, slow_step])
    return ChatWidget(agent=agent, store=db, thread_id=thread_id)


async def retry(chat: ChatWidget) -> None:
    """What the UI's Retry sends: regenerate the reply to the last user message."""
    user = [m for m in chat.messages if m["role"] == "user"][-1]
    request = {
        "type": "threads.retry_after_item",
        "params": {"thread_id": chat.thread_id, "item_id": user["id"]},
    }
    _, task = chat._bridge.start_stream(request)  # type: ignore[arg-type]
    assert await asyncio.wait_for(task, 60) == "done"


@BOTH_STORES
async def test_a_reply_cut_by_a_killed_process_is_kept_marked_and_retried(
    files: tuple[str, Path], start: Callable[..., Child]
) -> None:
    db, tasks = files
    child = start("count to 3000")
    child.wait_for("text", min_text=1500)  # a few seconds of streaming
    killed_at = child.kill()
    assert child.thread_id is not None
    store = open_store(db)
    assert len(store.run_sync(store.running_turns(child.thread_id))) == 1, "left behind"

    chat = reopen(db, tasks, child.thread_id)
    user, reply = chat.messages
    full = " ".join(str(i) for i in range(1, 3001))
    assert user["text"] == "count to 3000"
    assert reply["incomplete"] is True and "stopped" not in reply
    assert full.startswith(reply["text"]) and len(reply["text"]) < len(full)
    before = max((n for at, n in child.text if at <= killed_at - MAX_LOSS_S), default=0)
    assert len(reply["text"]) >= before, "at most the last second of text is lost"
    assert store.run_sync(store.running_turns(child.thread_id)) == [], "settled once"

    await retry(chat)
    user_again, regenerated = chat.messages
    assert user_again["id"] == user["id"]
    assert regenerated["text"] == full and "incomplete" not in regenerated
    chat.close()


async def test_a_tool_running_when_its_process_died_shows_failed_and_retry_reruns_it(
    files: tuple[str, Path], start: Callable[..., Child]
) -> None:
    db, tasks = files
    child = start("use tool slow_step")
    child.wait_for("tool")
    assert child.thread_id is not None
    wait_for_item(db, child.thread_id, "task")  # the tool runs as its row is being stored
    child.kill()

    chat = reopen(db, tasks, child.thread_id)
    _, row, reply = chat.messages
    assert row["tool"]["name"] == "slow_step"
    assert row["tool"]["status"] == "error" and row["text"] == INTERRUPTED_TOOL
    assert reply["role"] == "assistant" and reply["text"] == "" and reply["incomplete"] is True

    await retry(chat)
    _, row, reply = chat.messages
    assert row["tool"]["status"] == "success" and row["text"] == "slow step done"
    assert reply["text"] and "incomplete" not in reply
    chat.close()


async def test_a_call_waiting_for_approval_when_its_process_died_still_waits(
    files: tuple[str, Path], start: Callable[..., Child]
) -> None:
    db, tasks = files
    child = start("add a task: buy milk", "remove task buy milk")
    child.wait_for("approval")
    child.kill()
    assert child.thread_id is not None

    chat = reopen(db, tasks, child.thread_id)
    assert not any(m.get("incomplete") for m in chat.messages), "nothing ran: not interrupted"
    (waiting,) = chat.pending_approvals()
    assert waiting["name"] == "remove_task"

    await asyncio.wait_for(chat.approve(), 60)
    assert chat.pending_approvals() == []
    row = [m for m in chat.messages if m["role"] == "tool"][-1]
    assert row["tool"]["name"] == "remove_task" and row["tool"]["status"] == "success"
    assert TaskList(tasks).open_tasks() == [], "the approved call ran in the new process"
    chat.close()


@BOTH_STORES
async def test_a_turn_streaming_in_another_live_process_is_not_marked_interrupted(
    files: tuple[str, Path], start: Callable[..., Child]
) -> None:
    db, tasks = files
    child = start("count to 1500")
    child.wait_for("text", min_text=1000)
    assert child.thread_id is not None
    wait_for_item(db, child.thread_id, "assistant_message")

    store = open_store(db)
    chat = reopen(db, tasks, child.thread_id)  # reading while it streams
    _, partial = chat.messages
    assert store.run_sync(store.running_turns(child.thread_id)), "it was still streaming"
    assert partial["text"] and "incomplete" not in partial, "still streaming elsewhere"
    child.wait_for("finished")
    _, reply = chat.messages
    assert reply["text"] == " ".join(str(i) for i in range(1, 1501))
    assert "incomplete" not in reply
    assert store.run_sync(store.running_turns(child.thread_id)) == []
    chat.close()


def wait_for_item(db: str, thread_id: str, kind: str, timeout: float = 10.0) -> None:
    """Until the store holds an item of type ``kind`` (a checkpointed reply, a tool row)."""
    store = open_store(db)
    deadline = time.monotonic() + timeout
    while not any(item.type == kind for item in store.all_items_sync(thread_id)):
        assert time.monotonic() < deadline, f"no {kind} item was stored"
        time.sleep(0.05)
    store.close()


@BOTH_STORES
def test_a_serve_worker_killed_mid_reply_spares_the_others_and_its_reply_comes_back_marked(
    files: tuple[str, Path],
) -> None:
    db = files[0]
    target = "tests.support.serve_target:agent"
    headers = {"Authorization": f"Bearer {mint_token('ada', secret=SECRET)}"}
    full = " ".join(str(i) for i in range(1, 601))
    create = {"type": "threads.create", "params": {"input": _input("count to 600")}}
    with serve_process(target, db, SECRET) as first, serve_process(target, db, SECRET) as other:
        # Another worker on the store streams a reply of its own throughout the kill.
        others: dict[str, str] = {}
        other_streaming = threading.Event()

        def stream_on_the_other_worker() -> None:
            bob = {"Authorization": f"Bearer {mint_token('bob', secret=SECRET)}"}
            body = {"message": "count to 300"}  # 3 s at 100 tokens a second
            parts = []
            with httpx.stream(
                "POST", other.url + "/api/chat", json=body, headers=bob, timeout=60
            ) as response:
                for line in response.iter_lines():
                    data = json.loads(line[len("data: ") :]) if line.startswith("data: {") else {}
                    others.setdefault("thread", data.get("conversation_id", ""))
                    if "content" in data:
                        parts.append(data["content"])
                        other_streaming.set()
            others["text"] = "".join(parts)

        alongside = threading.Thread(target=stream_on_the_other_worker)
        alongside.start()
        assert other_streaming.wait(30)
        cut = threading.Event()

        def kill_when_checkpointed() -> None:
            store = open_store(db)
            deadline = time.monotonic() + 30
            while not cut.is_set() and time.monotonic() < deadline:
                threads = store.run_sync(store.load_threads(10, None, "desc", {})).data
                if any(
                    item.type == "assistant_message"
                    for thread in threads
                    if thread.id != others["thread"]
                    for item in store.all_items_sync(thread.id)
                ):
                    first.process.send_signal(signal.SIGKILL)
                    return
                time.sleep(0.05)

        killer = threading.Thread(target=kill_when_checkpointed)
        killer.start()
        with pytest.raises(httpx.RemoteProtocolError):  # the client sees the stream end
            with httpx.stream(
                "POST", first.url + "/chatkit", json=create, headers=headers, timeout=60
            ) as response:
                for _ in response.iter_lines():
                    pass
        cut.set()
        killer.join()
        assert first.process.wait(timeout=10) == -signal.SIGKILL
        alongside.join()
        assert others["text"] == " ".join(str(i) for i in range(1, 301)), "the other stream went on"

        # The next request, on the worker still alive, finds the turn interrupted.
        with httpx.Client(base_url=other.url, headers=headers, timeout=60) as client:
            (thread,) = client.post("/chatkit", json={"type": "threads.list", "params": {}}).json()[
                "data"
            ]
            items = client.post("/chatkit", json=items_list(thread["id"])).json()["data"]
            user, partial = items
            assert user["type"] == "user_message" and partial["type"] == "assistant_message"
            text = partial["content"][0]["text"]
            assert text and full.startswith(text) and len(text) < len(full)
            assert partial["incomplete"] is True and partial["interrupted"] is True
            # Marked for every reader of the store (and the model: a hidden note).
            store = open_store(db)
            assert to_messages(store.all_items_sync(thread["id"]))[-1]["incomplete"] is True

            retry = {
                "type": "threads.retry_after_item",
                "params": {"thread_id": thread["id"], "item_id": user["id"]},
            }
            with client.stream("POST", "/chatkit", json=retry) as response:
                events = [
                    json.loads(line[len("data: ") :])
                    for line in response.iter_lines()
                    if line.startswith("data: ")
                ]
            done = [e["item"] for e in events if e["type"] == "thread.item.done"]
            assert done[-1]["content"][0]["text"] == full
            after = client.post("/chatkit", json=items_list(thread["id"])).json()["data"]
            assert [i["type"] for i in after] == ["user_message", "assistant_message"]
            assert "incomplete" not in to_messages(store.all_items_sync(thread["id"]))[-1]


def items_list(thread_id: str) -> dict[str, object]:
    return {"type": "items.list", "params": {"thread_id": thread_id, "order": "asc"}}


def _input(text: str) -> dict[str, object]:
    return {
        "content": [{"type": "input_text", "text": text}],
        "attachments": [],
        "inference_options": {},
    }


def test_a_turn_owner_is_alive_exactly_while_its_process_is() -> None:
    assert is_alive(this_process(), beat=0.0), "this process, however old its heartbeat"
    here = {"host": socket.gethostname(), "ns": _pid_namespace()}
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        owner = json.dumps({**here, "pid": sleeper.pid, "start": _started(sleeper.pid)})
        assert is_alive(owner, beat=0.0)
        if _started(sleeper.pid) is not None:  # Linux: a reused pid is told apart
            reused = json.dumps({**here, "pid": sleeper.pid, "start": "x:1"})
            assert not is_alive(reused, beat=time.time())
    finally:
        sleeper.kill()
        sleeper.wait()
    assert not is_alive(owner, beat=time.time()), "dead, however fresh its heartbeat"

    for elsewhere in (
        json.dumps({"host": "another-host", "ns": here["ns"], "pid": 1, "start": None}),
        json.dumps({**here, "ns": -1, "pid": os.getpid(), "start": None}),  # another container
    ):
        assert is_alive(elsewhere, beat=time.time()), "its pid means nothing here: the heartbeat"
        assert not is_alive(elsewhere, beat=time.time() - DEAD_AFTER - 1)
    assert not is_alive("not json", beat=time.time() - DEAD_AFTER - 1)


class _Racing(SQLiteStore):
    """Reads the running turns, then waits until the other process has read them too."""

    barrier: asyncio.Barrier

    async def running_turns(self, thread_id: str) -> list[RunningTurn]:
        turns = await super().running_turns(thread_id)
        await self.barrier.wait()
        return turns


async def test_two_processes_settling_one_dead_turn_mark_it_once(tmp_path: Path) -> None:
    db = tmp_path / "race.sqlite"
    store = SQLiteStore(db)
    thread = ThreadMetadata(id="thr_race", created_at=datetime.now())
    await store.save_thread(thread, {})
    for item in (
        UserMessageItem(
            id="msg_user",
            thread_id=thread.id,
            created_at=datetime.now(),
            content=[UserMessageTextContent(text="count to 10")],
            inference_options=InferenceOptions(),
        ),
        AssistantMessageItem(
            id="msg_partial",
            thread_id=thread.id,
            created_at=datetime.now(),
            content=[AssistantMessageContent(text="1 2 3")],
        ),
    ):
        await store.add_thread_item(thread.id, item, {})
    gone = json.dumps({"host": "a-host-long-gone", "pid": 1, "start": None})
    await store.save_running_turn(RunningTurn("turn", thread.id, gone, beat=0.0))

    barrier = asyncio.Barrier(2)
    first, second = _Racing(db), _Racing(db)  # two processes' connections
    first.barrier = second.barrier = barrier
    settled = await asyncio.gather(
        settle_dead_turns(first, thread.id, {}), settle_dead_turns(second, thread.id, {})
    )
    assert sorted(settled) == [False, True]
    messages = to_messages(store.all_items_sync(thread.id))
    assert [m["role"] for m in messages] == ["user", "assistant"]
    assert messages[1]["text"] == "1 2 3" and messages[1]["incomplete"] is True
    assert len(store.all_items_sync(thread.id)) == 3, "one note, not two"


class _InsertOnly(MemoryStore):
    """A ChatKit store whose ``add_thread_item`` refuses an id it has (as a plain INSERT)."""

    async def add_thread_item(self, thread_id: str, item: ThreadItem, context: Any) -> None:
        if any(existing.id == item.id for existing in self.items.get(thread_id, [])):
            raise ValueError(f"duplicate item {item.id}")
        await super().add_thread_item(thread_id, item, context)


async def test_a_store_that_does_not_upsert_gets_no_checkpoints_and_each_reply_once() -> None:
    store = _InsertOnly()
    backend = AgentBackend(demo_agent(model=OfflineDemoModel(delay=0.02)), store)
    assert not backend.store.keeps_running_turns
    events = [e async for e in backend.stream(turn_request("count to 80", None))]
    assert not any(e["type"] == "error" for e in events), events
    (thread_id,) = store.threads
    replies = [i for i in store.items[thread_id] if i.type == "assistant_message"]
    assert len(replies) == 1, "streamed for 1.6 s: a checkpoint would have added it twice"


class _Unwritable(SQLiteStore):
    """A store whose running-turn writes fail (locked past its timeout, say)."""

    async def save_running_turn(self, turn: RunningTurn) -> None:
        raise sqlite3.OperationalError("database is locked")


async def test_a_turn_goes_on_when_its_record_cannot_be_written(tmp_path: Path) -> None:
    backend = AgentBackend(demo_agent(model=OfflineDemoModel(delay=0)), _Unwritable(tmp_path / "s"))
    events = [e async for e in backend.stream(turn_request("echo: still here", None))]
    assert not any(e["type"] == "error" for e in events), events
    done = [e["item"] for e in events if e["type"] == "thread.item.done"]
    assert done[-1]["content"][0]["text"] == "still here"


async def test_a_replys_first_text_is_written_at_once_not_a_second_later(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "first.sqlite")
    backend = AgentBackend(demo_agent(model=OfflineDemoModel(delay=0.2)), store)
    backend.server.checkpoint_interval = 60.0  # the timer never fires here: only the first write
    stream = backend.stream(turn_request("count to 50", None))
    thread_id = None
    async for event in stream:
        if event["type"] == "thread.created":
            thread_id = event["thread"]["id"]
        if event["type"] == "thread.item.updated" and event["update"]["type"].endswith("delta"):
            break
    assert thread_id is not None
    deadline = time.monotonic() + 10
    while not (replies := [i for i in store.all_items_sync(thread_id) if i.type != "user_message"]):
        assert time.monotonic() < deadline, "the first text was not written"
        await asyncio.sleep(0.02)
    assert replies[0].content[0].text.startswith("1")
    await stream.aclose()

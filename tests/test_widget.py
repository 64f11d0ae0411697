"""Drive the widget the way the front end does: envelopes in, envelopes out."""

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
import traitlets
from agents import Agent

from chatkit_widget import BackendError, ChatError, ChatWidget, OfflineDemoModel
from chatkit_widget.demo import demo_agent

from .conftest import FrontEnd
from .support.memory_store import MemoryStore


def item_types(events: list[dict[str, Any]], kind: str) -> list[str]:
    return [e["item"]["type"] for e in events if e["type"] == kind]


async def test_a_turn_from_the_ui_streams_and_ends(front_end: FrontEnd) -> None:
    rid = front_end.request("threads.create", input=front_end.message("count to 30"))
    end = await front_end.until(rid, "end")
    assert end["reason"] == "done"
    kinds = [m["kind"] for m in front_end.for_id(rid)]
    assert kinds[0] == "start" and kinds[-1] == "end"
    events = front_end.events(rid)
    created = next(e for e in events if e["type"] == "thread.created")
    assert front_end.chat.thread_id == created["thread"]["id"]
    assert item_types(events, "thread.item.done") == ["user_message", "assistant_message"]
    deltas = [e for e in events if e.get("update", {}).get("type", "").endswith("text_delta")]
    text = "".join(d["update"]["delta"] for d in deltas)
    assert text == " ".join(str(i) for i in range(1, 31))
    # the model sleeps 30 ms a word: deltas arrive over many messages, each small
    assert len([m for m in front_end.for_id(rid) if m["kind"] == "event"]) > 10


async def test_tool_row_goes_pending_then_success(front_end: FrontEnd) -> None:
    rid = front_end.request("threads.create", input=front_end.message("add a task: buy milk"))
    await front_end.until(rid, "end")
    events = front_end.events(rid)
    added = next(
        e for e in events if e["type"] == "thread.item.added" and e["item"]["type"] == "task"
    )
    done = next(
        e for e in events if e["type"] == "thread.item.done" and e["item"]["type"] == "task"
    )
    assert added["item"]["id"] == done["item"]["id"]
    assert added["item"]["task"]["status_indicator"] == "loading"
    assert '"status": "pending"' in added["item"]["task"]["content"]
    assert '"status": "success"' in done["item"]["task"]["content"]
    tool = next(m for m in front_end.chat.messages if m["role"] == "tool")
    assert tool["tool"] == {
        "name": "add_task",
        "arguments": {"title": "buy milk"},
        "output": "Added task #1: buy milk",
        "status": "success",
    }
    reply = front_end.chat.messages[-1]
    assert reply["role"] == "assistant" and "buy milk" in reply["text"]


async def test_a_failing_tool_is_an_error_row_and_the_conversation_goes_on(
    front_end: FrontEnd,
) -> None:
    reply = await front_end.chat.ask("complete task walk the dog")
    assert "No open task matches 'walk the dog'" in reply
    tool = next(m for m in front_end.chat.messages if m["role"] == "tool")
    assert tool["tool"]["status"] == "error"
    assert tool["tool"]["output"] == "ValueError: No open task matches 'walk the dog'."
    assert "buy milk" in await front_end.chat.ask("add a task: buy milk")


async def test_non_streaming_requests_get_a_response(front_end: FrontEnd) -> None:
    await front_end.chat.ask("hello")
    thread_id = front_end.chat.thread_id
    rid = front_end.request("threads.list", limit=10)
    page = (await front_end.until(rid, "response"))["result"]
    assert [t["id"] for t in page["data"]] == [thread_id]
    assert page["data"][0]["title"] == "hello"
    rid = front_end.request("threads.get_by_id", thread_id=thread_id)
    thread = (await front_end.until(rid, "response"))["result"]
    assert [i["type"] for i in thread["items"]["data"]] == ["user_message", "assistant_message"]


async def test_unknown_thread_is_a_clear_error(front_end: FrontEnd) -> None:
    rid = front_end.request("threads.get_by_id", thread_id="thr_missing")
    err = await front_end.until(rid, "error")
    assert "thr_missing" in err["message"]
    rid = front_end.request(
        "threads.add_user_message", thread_id="thr_missing", input=front_end.message("hi")
    )
    end = await front_end.until(rid, "end")
    assert end["reason"] == "error"
    assert "thr_missing" in front_end.events(rid)[-1]["message"]


async def test_malformed_requests_are_answered_not_dropped(front_end: FrontEnd) -> None:
    front_end.send({"kind": "request", "id": "bad", "request": {"type": "threads.list"}})
    err = await front_end.until("bad", "error")
    assert "threads.list" in err["message"] and "params" in err["message"]
    front_end.send({"kind": "whatever", "id": "odd"})
    assert (await front_end.until("odd", "error"))["message"] == "unknown envelope kind 'whatever'"


async def test_cancel_keeps_the_partial_reply_marked_stopped(front_end: FrontEnd) -> None:
    rid = front_end.request("threads.create", input=front_end.message("count to 400"))

    def streamed() -> str:
        return "".join(
            e["update"]["delta"]
            for e in front_end.events(rid)
            if e.get("update", {}).get("type", "").endswith("text_delta")
        )

    while len(streamed().split()) < 5:
        await asyncio.sleep(0.01)
    front_end.send({"kind": "cancel", "id": rid})
    end = await front_end.until(rid, "end")
    assert end["reason"] == "cancelled"
    messages = front_end.chat.messages
    assert [m["role"] for m in messages] == ["user", "assistant"]
    assert messages[1]["stopped"] is True
    assert messages[1]["text"].startswith("1 2 3 4 5")
    assert messages[1]["text"].startswith(streamed())  # nothing shown is lost
    assert not messages[1]["text"].endswith("400")
    # the agent was told, so the next turn does not continue the cancelled one
    assert "buy milk" in await front_end.chat.ask("add a task: buy milk")


async def test_ask_and_send_drive_the_same_ui(front_end: FrontEnd) -> None:
    task = front_end.chat.send("list tasks")
    assert isinstance(task, asyncio.Task)
    assert await task == "You have no open tasks."
    starts = [m for m in front_end.received if m["kind"] == "start"]
    assert starts and starts[0]["request"]["type"] == "threads.create"
    assert any(m["kind"] == "event" for m in front_end.received)


def test_send_with_a_dict_is_still_ipywidgets_custom_message(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    chat = ChatWidget(store=":memory:")
    sent: list[tuple[Any, Any]] = []
    monkeypatch.setattr(
        chat.comm, "send", lambda data=None, buffers=None, **_: sent.append((data, buffers))
    )
    assert chat.send({"kind": "ping"}, [b"raw"]) is None
    chat.focus()  # ipywidgets' own caller of send(content)
    assert sent == [
        ({"method": "custom", "content": {"kind": "ping"}}, [b"raw"]),
        ({"method": "custom", "content": {"do": "focus"}}, None),
    ]
    assert chat._bridge.streams == {}  # neither started a turn
    chat.close()


async def test_stop_from_python_makes_ask_raise(front_end: FrontEnd) -> None:
    task = front_end.chat.send("count to 500")
    while not front_end.chat.messages:
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.1)
    front_end.chat.stop()
    with pytest.raises(ChatError, match="stopped"):
        await task


async def test_threads_new_and_open(front_end: FrontEnd) -> None:
    chat = front_end.chat
    await chat.ask("first chat")
    first = chat.thread_id
    chat.new_thread()
    assert chat.thread_id is None and chat.messages == []
    await chat.ask("second chat")
    assert chat.thread_id != first
    assert [t["title"] for t in chat.threads()] == ["second chat", "first chat"]
    chat.open_thread(first)  # type: ignore[arg-type]
    assert chat.messages[0]["text"] == "first chat"
    with pytest.raises(BackendError, match="thr_nope"):
        chat.open_thread("thr_nope")
    with pytest.raises(traitlets.TraitError, match="No thread with id 'thr_typo'"):
        chat.thread_id = "thr_typo"
    assert chat.thread_id == first


async def test_model_error_becomes_chat_error_and_keeps_history(front_end: FrontEnd) -> None:
    class Broken(OfflineDemoModel):
        async def stream_response(self, *args: Any, **kwargs: Any):  # type: ignore[override]
            yield  # pragma: no cover
            raise RuntimeError("model server went away")

    chat = ChatWidget(agent=Agent(name="broken", model=Broken()), store=":memory:")
    with pytest.raises(ChatError, match="model server went away"):
        await chat.ask("hello?")
    assert [m["text"] for m in chat.messages] == ["hello?"]


def test_sync_api_works_inside_a_running_loop(tmp_path: Path) -> None:
    chat = ChatWidget(store=tmp_path / "c.sqlite")

    async def inside() -> None:
        await chat.ask("add a task: sync")
        assert len(chat.threads()) == 1  # plain calls while the loop runs
        assert [m["role"] for m in chat.messages] == ["user", "tool", "assistant"]
        chat.new_thread()
        chat.open_thread(chat.threads()[0]["id"])

    asyncio.run(inside())


def test_reopening_a_thread_from_a_new_widget_gives_the_agent_its_history(tmp_path: Path) -> None:
    seen: list[Any] = []

    class Recording(OfflineDemoModel):
        def _output(self, input: Any, tools: Any = ()) -> list[Any]:
            seen.append(input)
            return super()._output(input, tools)

    db = tmp_path / "chats.sqlite"
    first = ChatWidget(agent=demo_agent(tmp_path / "t.sqlite", Recording(delay=0)), store=db)
    asyncio.run(first.ask("add a task: water plants"))
    thread_id = first.thread_id
    # a new widget on the same file (a kernel restart), opening the same thread
    second = ChatWidget(
        agent=demo_agent(tmp_path / "t.sqlite", Recording(delay=0)), store=db, thread_id=thread_id
    )
    assert [m["role"] for m in second.messages] == ["user", "tool", "assistant"]
    seen.clear()
    assert "water plants" in asyncio.run(second.ask("list tasks"))
    history = seen[0]
    texts = [str(i.get("content")) for i in history if isinstance(i, dict)]
    assert any("add a task: water plants" in t for t in texts)
    assert any(i.get("type") == "function_call" and i["name"] == "add_task" for i in history)
    assistant = [i for i in history if i.get("role") == "assistant"]
    assert assistant and isinstance(assistant[0]["content"], str)


async def test_a_widget_on_any_chatkit_store_works_end_to_end() -> None:
    store = MemoryStore()  # a plain ChatKit Store, not a SQLiteStore
    front_end = FrontEnd(ChatWidget(store=store))
    chat = front_end.chat
    try:
        task = chat.send("count to 300")
        while not any(
            e.get("update", {}).get("type", "").endswith("text_delta")
            for m in front_end.received
            if m["kind"] == "event"
            for e in m["events"]
        ):
            await asyncio.sleep(0.01)
        chat.stop()
        with pytest.raises(ChatError, match="stopped"):
            await task
        rid = front_end.request(
            "threads.add_user_message",
            thread_id=chat.thread_id,
            input=front_end.message("count to 2"),
        )
        assert (await front_end.until(rid, "end"))["reason"] == "done"
        thread_id = chat.thread_id
        assert list(store.threads) == [thread_id]  # the conversation is in the user's store
        stopped, reply = [m["id"] for m in chat.messages if m["role"] == "assistant"]
        rid = front_end.request(
            "items.feedback", thread_id=thread_id, item_ids=[reply], kind="positive"
        )
        await front_end.until(rid, "response")

        rid = front_end.request("threads.get_by_id", thread_id=thread_id)
        items = (await front_end.until(rid, "response"))["result"]["items"]["data"]
        replies = [i for i in items if i["type"] == "assistant_message"]
        assert [(r["id"], r.get("stopped", False), r.get("feedback")) for r in replies] == [
            (stopped, True, None),
            (reply, False, "positive"),
        ]
        # the synchronous API reads the same store from inside this running loop
        assert chat.messages[-1]["feedback"] == "positive"
        assert [t["id"] for t in chat.threads()] == [thread_id]
        chat.set_thread_status("locked", reason="Archived")
        assert store.threads[thread_id].status.type == "locked"
        with pytest.raises(ChatError, match="locked: Archived"):
            await chat.ask("more")
    finally:
        chat.stop()
        chat.close()


def test_constructor_validates_arguments() -> None:
    with pytest.raises(ValueError, match="theme must be one of"):
        ChatWidget(theme="blue", store=":memory:")
    with pytest.raises(TypeError, match="store must be a path"):
        ChatWidget(store=42)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"agent must be an agents\.Agent"):
        ChatWidget(agent="gpt-4o", store=":memory:")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="either agent= or backend="):
        ChatWidget(agent=demo_agent(), backend=object(), store=":memory:")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="store= applies to the in-process agent"):
        ChatWidget(backend=ChatWidget(store=":memory:")._backend, store=":memory:")
    with pytest.raises(ValueError, match="must not be empty"):
        asyncio.run(ChatWidget(store=":memory:").ask("  "))
    with pytest.raises(TypeError, match="must be a string, not int"):
        ChatWidget(store=":memory:").send(3)  # type: ignore[arg-type]


def test_repr_is_stable_and_state_has_no_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    chat = ChatWidget(store=":memory:")
    assert repr(chat) == "ChatWidget(thread_id=None, backend='offline demo model')"
    assert chat.offline is True and chat.model_label == "Offline demo model"
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-secret-value-1234567890")
    keyed = ChatWidget(store=":memory:")
    assert keyed.offline is False and keyed.model_label == "gpt-4.1-mini"
    state = keyed.get_state()
    assert "sk-test-secret" not in repr(state) and "sk-test-secret" not in repr(keyed)


def test_one_message_handler_is_registered() -> None:
    chat = ChatWidget(store=":memory:")
    assert len(chat._msg_callbacks.callbacks) == 1


async def test_resume_replays_a_running_stream_with_its_text_so_far(front_end: FrontEnd) -> None:
    rid = front_end.request("threads.create", input=front_end.message("count to 300"))
    while sum(1 for e in front_end.events(rid) if e["type"] == "thread.item.updated") < 5:
        await asyncio.sleep(0.01)
    front_end.received.clear()
    front_end.send({"kind": "resume", "id": "view-2"})
    start, snapshot = front_end.received[:2]
    assert start == {
        "kind": "start",
        "id": rid,
        "replay": True,
        "request": {
            "type": "threads.create",
            "params": {"input": front_end.message("count to 300")},
        },
    }
    (added,) = snapshot["events"]
    assert added["type"] == "thread.item.added"
    assert added["item"]["type"] == "assistant_message"
    text = added["item"]["content"][0]["text"]
    assert text.startswith("1 2 3 4") and not text.endswith("300")
    front_end.chat.stop()
    await front_end.until(rid, "end")
    front_end.received.clear()
    front_end.send({"kind": "resume", "id": "view-3"})
    assert front_end.received == []  # nothing runs any more


async def test_a_late_view_gets_each_word_once() -> None:
    # Deltas held by the coalescer when a view resumes are in the snapshot: they must not
    # also arrive afterwards (the view would show them twice).
    chat = ChatWidget(agent=demo_agent(model=OfflineDemoModel(delay=0.002)), store=":memory:")
    chat._bridge.flush_interval = 0.2
    front_end = FrontEnd(chat)
    rid = front_end.request("threads.create", input=front_end.message("count to 200"))
    while sum(1 for e in front_end.events(rid) if e["type"] == "thread.item.updated") < 1:
        await asyncio.sleep(0.005)
    await asyncio.sleep(0.05)  # let deltas pile up in the coalescer
    mark = len(front_end.received)
    front_end.send({"kind": "resume", "id": "late-view"})
    await front_end.until(rid, "end")
    after = front_end.received[mark:]
    snapshot = next(
        m for m in after if m["kind"] == "event" and m["events"][0]["type"] == "thread.item.added"
    )
    text = snapshot["events"][0]["item"]["content"][0]["text"]
    later = after[after.index(snapshot) + 1 :]
    for msg in later:
        for event in msg.get("events", []):
            if event.get("update", {}).get("type", "").endswith("text_delta"):
                text += event["update"]["delta"]
    assert text == " ".join(str(i) for i in range(1, 201))


async def test_stop_while_a_turn_waits_for_another_still_ends_it(front_end: FrontEnd) -> None:
    first = front_end.request("threads.create", input=front_end.message("count to 300"))
    await front_end.until(first, "start")
    queued = front_end.request(
        "threads.add_user_message", thread_id="thr_whatever", input=front_end.message("hi")
    )
    front_end.send({"kind": "cancel", "id": queued})
    assert (await front_end.until(queued, "end"))["reason"] == "cancelled"
    assert [m["kind"] for m in front_end.for_id(queued)] == ["end"]
    # and from Python: ask() raises ChatError, not a bare CancelledError
    waiting = front_end.chat.send("count to 3")
    await asyncio.sleep(0)
    front_end.chat.stop()
    with pytest.raises(ChatError, match="stopped"):
        await waiting
    assert (await front_end.until(first, "end"))["reason"] == "cancelled"


async def test_reloading_a_thread_marks_stopped_replies(front_end: FrontEnd) -> None:
    task = front_end.chat.send("count to 300")
    while (
        not [m for m in front_end.chat.messages if m["role"] == "assistant"]
        and len([e for e in front_end.received if e["kind"] == "event"]) < 5
    ):
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.2)
    front_end.chat.stop()
    with pytest.raises(ChatError):
        await task
    await front_end.chat.ask("count to 3")
    rid = front_end.request("threads.get_by_id", thread_id=front_end.chat.thread_id)
    items = (await front_end.until(rid, "response"))["result"]["items"]["data"]
    replies = [i for i in items if i["type"] == "assistant_message"]
    assert [r.get("stopped", False) for r in replies] == [True, False]
    rid = front_end.request("items.list", thread_id=front_end.chat.thread_id, order="asc")
    listed = (await front_end.until(rid, "response"))["result"]["data"]
    assert [i.get("stopped", False) for i in listed if i["type"] == "assistant_message"] == [
        True,
        False,
    ]


def chat_with_slow_add_task(wait: Callable[[], Awaitable[object]]) -> ChatWidget:
    """A chat whose ``add_task`` tool answers only once ``wait()`` returns."""
    from agents import function_tool

    @function_tool
    async def add_task(title: str) -> str:
        """Add a task."""
        await wait()
        return f"Added task #1: {title}"

    agent = Agent(name="slow tools", model=OfflineDemoModel(delay=0), tools=[add_task])
    chat = ChatWidget(agent=agent, store=":memory:")
    FrontEnd(chat)
    return chat


async def until_a_tool_row(chat: ChatWidget) -> None:
    while not any(m["role"] == "tool" for m in chat.messages):
        await asyncio.sleep(0.01)


async def test_a_running_tool_is_stored_where_it_started() -> None:
    release = asyncio.Event()
    chat = chat_with_slow_add_task(release.wait)
    task = chat.send("add a task: wait for it")
    await until_a_tool_row(chat)
    assert [(m["role"], m.get("tool", {}).get("status")) for m in chat.messages] == [
        ("user", None),
        ("tool", "pending"),
    ]
    release.set()
    assert "wait for it" in await task
    assert [(m["role"], m.get("tool", {}).get("status")) for m in chat.messages] == [
        ("user", None),
        ("tool", "success"),
        ("assistant", None),
    ]


async def test_stopping_during_a_tool_call_marks_it_failed() -> None:
    chat = chat_with_slow_add_task(asyncio.Event().wait)  # never answers
    task = chat.send("add a task: forever")
    await until_a_tool_row(chat)
    chat.stop()
    with pytest.raises(ChatError, match="stopped"):
        await task
    tool = next(m for m in chat.messages if m["role"] == "tool")
    assert tool["tool"]["status"] == "error" and tool["tool"]["output"] == "Stopped"


async def test_cancelling_ask_stops_the_turn_and_keeps_the_partial_reply(
    front_end: FrontEnd,
) -> None:
    asking = asyncio.ensure_future(front_end.chat.ask("count to 500"))
    deltas = [e for m in front_end.received if m["kind"] == "event" for e in m["events"]]
    while len([e for e in deltas if e["type"] == "thread.item.updated"]) < 6:
        await asyncio.sleep(0.01)
        deltas = [e for m in front_end.received if m["kind"] == "event" for e in m["events"]]
    asking.cancel()  # what an interrupted cell or asyncio.wait_for does
    with pytest.raises(asyncio.CancelledError):
        await asking
    assert front_end.received[-1]["kind"] == "end"
    assert front_end.received[-1]["reason"] == "cancelled"
    reply = front_end.chat.messages[-1]
    assert reply["stopped"] is True and reply["text"].startswith("1 2 3")


async def test_closing_the_widget_stops_its_turn() -> None:
    chat = ChatWidget(store=":memory:")
    FrontEnd(chat)
    turn = chat.send("count to 300")
    while not chat.messages:
        await asyncio.sleep(0.01)
    chat.close()
    with pytest.raises(ChatError, match="stopped"):
        await turn


async def test_sends_before_a_new_conversation_has_an_id_join_it_in_order() -> None:
    chat = ChatWidget(agent=demo_agent(":memory:", OfflineDemoModel(delay=0.001)), store=":memory:")
    await chat.ask("echo: earlier")
    chat.new_thread()
    replies = await asyncio.gather(*(chat.send(f"echo: {w}") for w in ("one", "two", "three")))
    assert replies == ["one", "two", "three"]
    assert len(chat.threads()) == 2, "one new conversation, not three"
    texts = [m["text"] for m in chat.messages]
    assert texts == ["echo: one", "one", "echo: two", "two", "echo: three", "three"]

    # new_thread() between sends still means a new conversation.
    chat.new_thread()
    first = chat.send("echo: four")
    chat.new_thread()
    await asyncio.gather(first, chat.send("echo: five"))
    assert len(chat.threads()) == 4
    assert [m["text"] for m in chat.messages] == ["echo: five", "five"]
    chat.close()

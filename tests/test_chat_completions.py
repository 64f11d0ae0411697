"""An agent on a Chat-Completions model served over real HTTP on 127.0.0.1, for two turns."""

from pathlib import Path

from agents import OpenAIChatCompletionsModel
from openai import AsyncOpenAI

from chatkit_widget import ChatWidget
from chatkit_widget.demo import demo_agent

from .conftest import FrontEnd
from .support.openai_compatible_server import OpenAICompatibleServer


async def test_two_turns_with_a_tool_call(tmp_path: Path) -> None:
    with OpenAICompatibleServer() as server:
        client = AsyncOpenAI(base_url=server.url, api_key="local-test-key")
        model = OpenAIChatCompletionsModel(model="local", openai_client=client)
        chat = ChatWidget(agent=demo_agent(tmp_path / "tasks.sqlite", model), store=":memory:")
        front_end = FrontEnd(chat)

        first = front_end.request("threads.create", input=front_end.message("add a task: milk"))
        assert (await front_end.until(first, "end"))["reason"] == "done"
        second = front_end.request(
            "threads.add_user_message",
            thread_id=chat.thread_id,
            input=front_end.message("thanks, bye"),
        )
        assert (await front_end.until(second, "end"))["reason"] == "done"
        await client.close()

    messages = chat.messages
    assert [m["role"] for m in messages] == ["user", "tool", "assistant", "user", "assistant"]
    assert messages[1]["tool"]["status"] == "success"
    assert messages[2]["text"] == "Done: Added task #1: milk"
    assert messages[4]["text"].startswith("Echo: thanks, bye")
    ids = [m["id"] for m in messages]
    assert len(set(ids)) == len(ids) and "__fake_id__" not in ids

    # the third request is the second turn: the whole history, in a form Chat Completions accepts
    history = server.recorder.requests[2]["messages"]
    roles = [m["role"] for m in history if m["role"] != "system"]
    assert roles == ["user", "assistant", "tool", "assistant", "user"]
    assert history[-2]["content"] == "Done: Added task #1: milk"
    tool_call = next(m for m in history if m.get("tool_calls"))
    assert tool_call["tool_calls"][0]["function"]["name"] == "add_task"

"""A kernel-like process the crash tests kill (``python -m tests.support.crash_child``).

Arguments: ``DB TASKS PROMPT...``. It sends each prompt to a ``ChatWidget`` on the store file
``DB`` (the demo agent on the offline model, with its task list in ``TASKS``, plus
``slow_step``, a tool that takes a minute) and reports on stdout, one line each, flushed:
``thread ID``, ``text TIME LENGTH`` (streamed reply text so far), ``tool`` (``slow_step``
started), ``approval`` (a call waits for a decision), ``finished`` (every prompt answered).
Then it idles until killed.
"""

from __future__ import annotations

import asyncio
import sys
import time
from typing import Any

from agents import function_tool, set_tracing_disabled

from chatkit_widget import ChatWidget, OfflineDemoModel
from chatkit_widget.demo import demo_agent

#: Seconds between the offline model's words: "count to 3000" streams for about 15 s.
WORD_DELAY = 0.005


@function_tool
async def slow_step() -> str:
    """A step that takes a minute."""
    say("tool")
    await asyncio.sleep(60)
    return "slow step done"


def say(line: str) -> None:
    print(line, flush=True)


async def main(db: str, tasks: str, prompts: list[str]) -> None:
    set_tracing_disabled(True)
    agent = demo_agent(tasks, OfflineDemoModel(delay=WORD_DELAY))
    agent = agent.clone(tools=[*agent.tools, slow_step])
    chat = ChatWidget(agent=agent, store=db)
    streamed = 0

    def seen(event: dict[str, Any]) -> None:
        nonlocal streamed
        if event["type"] == "thread.created":
            say(f"thread {event['thread']['id']}")
        elif event["type"] == "thread.item.updated" and event["update"]["type"].endswith(
            "text_delta"
        ):
            streamed += len(event["update"]["delta"])
            say(f"text {time.time()} {streamed}")

    chat._bridge.observers.append(seen)  # type: ignore[arg-type]
    chat.on("approval", lambda _: say("approval"))
    for prompt in prompts:
        streamed = 0
        await chat.send(prompt)
    say("finished")
    await asyncio.sleep(3600)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3:]))

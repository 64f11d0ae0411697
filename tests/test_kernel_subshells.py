"""The widget in a real ipykernel whose front end talks to it from a kernel subshell.

JupyterLab's widget manager sends comm messages with a ``subshell_id``; ipykernel 7 then runs
each on that subshell's own thread and event loop (after the kernel has replied to the comm
from there). A client tool awaiting an ``asyncio.Event`` that a cell sets must still resume,
and the streams must run where the cells run.
"""

from __future__ import annotations

import queue
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from jupyter_client.blocking.client import BlockingKernelClient

from .support.kernel import execute, running_kernel

SETUP = """
import asyncio, threading
from agents import Agent
from chatkit_widget import ChatWidget, OfflineDemoModel
gate = asyncio.Event()
chat = ChatWidget(agent=Agent(name="helper", model=OfflineDemoModel()), store=":memory:")
ran_on = []

@chat.client_tool
async def notebook_value(name: str) -> dict:
    '''Read a value of the notebook.'''
    ran_on.append(threading.current_thread().name)
    await gate.wait()
    return {"name": name, "value": 42}

print(chat.comm.comm_id)
"""

TOOL_TURN = {
    "type": "threads.create",
    "params": {
        "input": {
            "content": [
                {"type": "input_text", "text": 'use tool notebook_value with {"name": "answer"}'}
            ],
            "attachments": [],
            "inference_options": {},
        }
    },
}


class KernelSession:
    """A real kernel and a client that plays the front end's part."""

    def __init__(self, client: BlockingKernelClient) -> None:
        self.client = client

    def execute(self, code: str) -> str:
        """Run a cell on the main shell; its stdout."""
        return execute(self.client, code).stdout

    def create_subshell(self) -> str:
        msg = self.client.session.msg("create_subshell_request", {})
        self.client.control_channel.send(msg)
        reply = self.client.get_control_msg(timeout=30)
        return str(reply["content"]["subshell_id"])

    def comm_send(self, comm_id: str, content: dict[str, Any], subshell_id: str) -> None:
        """What the widget manager sends: an anywidget custom message, from its subshell."""
        data = {"method": "custom", "content": content}
        msg = self.client.session.msg("comm_msg", {"comm_id": comm_id, "data": data})
        msg["header"]["subshell_id"] = subshell_id
        self.client.shell_channel.send(msg)

    def comm_replies(self, comm_id: str, timeout: float) -> Iterator[dict[str, Any]]:
        """The widget's custom messages to the front end, until ``timeout`` passes."""
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                msg = self.client.get_iopub_msg(timeout=left)
            except queue.Empty:
                return
            data = msg["content"].get("data", {})
            if (
                msg["msg_type"] == "comm_msg"
                and msg["content"]["comm_id"] == comm_id
                and data.get("method") == "custom"
            ):
                yield data["content"]


@pytest.fixture
def kernel() -> Iterator[KernelSession]:
    with running_kernel() as client:
        yield KernelSession(client)


def test_a_client_tool_resumes_when_messages_come_from_a_subshell(
    kernel: KernelSession,
) -> None:
    comm_id = kernel.execute(SETUP).strip()
    subshell = kernel.create_subshell()

    # A first request answered from the subshell: ipykernel now routes the comm's messages there.
    listed = uuid.uuid4().hex
    kernel.comm_send(
        comm_id,
        {"kind": "request", "id": listed, "request": {"type": "threads.list", "params": {}}},
        subshell,
    )
    reply = next((m for m in kernel.comm_replies(comm_id, 30) if m.get("id") == listed), None)
    assert reply is not None and reply["kind"] == "response"

    stream = uuid.uuid4().hex
    kernel.comm_send(comm_id, {"kind": "request", "id": stream, "request": TOOL_TURN}, subshell)
    statuses: list[str] = []
    for reply in kernel.comm_replies(comm_id, 30):
        for event in reply.get("events", []) if reply.get("id") == stream else []:
            if event.get("type") == "thread.item.done":
                statuses.append(event["item"].get("status", ""))
        if "pending" in statuses:
            break
    assert "pending" in statuses, "the turn stopped at the client tool call"

    # A cell opens the tool's gate, and the turn goes on.
    kernel.execute("gate.set()")
    replies = kernel.comm_replies(comm_id, 30)
    end = next((m for m in replies if m.get("id") == stream and m["kind"] == "end"), None)
    assert end is not None, "the turn went on after the gate opened"
    assert end["reason"] == "done"
    output = kernel.execute("print(chat.messages[1]['tool']['output'])")
    assert output.strip() == "{'name': 'answer', 'value': 42}"
    # The tool (and the stream) ran where the cells run, not on the subshell's thread.
    assert kernel.execute("print(ran_on)").strip() == "['MainThread']"

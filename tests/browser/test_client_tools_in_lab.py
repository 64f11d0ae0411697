"""Client tools as a notebook user sees them, in real JupyterLab (rich results: test_items.py)."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from ..support.chat_page import DONE_REPLIES, open_chat, type_message
from ..support.lab import Lab

CLIENT_TOOL_CHAT = """
import asyncio
gate = asyncio.Event()
chat = ChatWidget(agent=Agent(name="helper", model=OfflineDemoModel()), store=":memory:")

@chat.client_tool
async def notebook_value(name: str) -> dict:
    '''Read a value of the notebook.'''
    await gate.wait()
    return {"name": name, "value": 42}

@chat.client_tool
def broken() -> str:
    '''Always fails.'''
    raise RuntimeError("no such value")

chat
"""


def test_a_client_tool_round_trip_shows_pending_then_done(lab: Lab, page: Page) -> None:
    open_chat(lab, page, "client-tools.ipynb", CLIENT_TOOL_CHAT)
    type_message(page, 'use tool notebook_value with {"name": "answer"}')
    row = page.locator("[data-item-type=client_tool_call]")
    # the kernel holds the function at the gate: the row waits, the turn is still running
    expect(row).to_have_attribute("data-status", "pending", timeout=30_000)
    expect(page.locator("button[aria-label=Stop]")).to_be_visible()
    lab.execute(page, "gate.set()")
    expect(row).to_have_attribute("data-status", "success", timeout=30_000)
    expect(page.locator(DONE_REPLIES).first).to_contain_text('"value": 42', timeout=30_000)
    kept = lab.execute(page, "print(chat.messages[1]['tool']['output'])")
    assert kept.strip() == "{'name': 'answer', 'value': 42}"

    type_message(page, "use tool broken")
    failed = page.locator("[data-item-type=client_tool_call]").nth(1)
    expect(failed).to_have_attribute("data-status", "error", timeout=30_000)
    expect(failed).to_contain_text("no such value")
    expect(page.locator(DONE_REPLIES).nth(1)).to_contain_text(
        "broken tool failed: RuntimeError: no such value", timeout=30_000
    )

"""Tools as a notebook user sees them: client tools and rich tool results, in real JupyterLab."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from .lab import Lab
from .test_chat_in_lab import DONE_REPLIES, open_chat, type_message

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


RICH_TOOLS_CHAT = """
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
from agents import function_tool

@function_tool
def sales_table() -> pd.DataFrame:
    '''Sales by region.'''
    return pd.DataFrame({"region": ["North", "South"], "sales": [120, 80]})

@function_tool
def sales_chart():
    '''A chart of sales.'''
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.bar(["North", "South"], [120, 80])
    return fig

chat = ChatWidget(
    agent=Agent(name="analyst", model=OfflineDemoModel(), tools=[sales_table, sales_chart]),
    store=":memory:",
)
chat
"""


def test_a_dataframe_and_a_figure_render_inside_their_tool_rows(lab: Lab, page: Page) -> None:
    open_chat(lab, page, "rich-tools.ipynb", RICH_TOOLS_CHAT)
    type_message(page, "use tool sales_table")
    table_row = page.locator("[data-item-type=task][data-tool-name=sales_table]")
    expect(table_row).to_have_attribute("data-status", "success", timeout=30_000)
    table = table_row.locator("table").first
    expect(table).to_be_visible()
    expect(table.locator("th").filter(has_text="region")).to_have_count(1)
    expect(table.locator("td").filter(has_text="North")).to_have_count(1)
    # sanitized: nothing from the HTML can run
    assert table_row.locator("script, [onclick], [onerror]").count() == 0

    type_message(page, "use tool sales_chart")
    chart_row = page.locator("[data-item-type=task][data-tool-name=sales_chart]")
    expect(chart_row).to_have_attribute("data-status", "success", timeout=30_000)
    image = chart_row.locator("img[src^='data:image/png;base64,']")
    expect(image).to_be_visible()
    # a real decoded image, not a broken icon
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 100",
        arg=image.element_handle(),
        timeout=10_000,
    )
    page.screenshot(path="test-results/rich-tools.png")

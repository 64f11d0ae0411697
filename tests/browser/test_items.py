"""Rich items in real JupyterLab: custom renderers from Python, tool results shown as a cell would.

Every wait is on observable state (a selector, a DOM condition, the kernel's answer);
none is a fixed sleep.
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from ..support.axe import load_axe
from ..support.chat_page import DONE_REPLIES, open_chat, type_message
from ..support.lab import Lab


def axe_violations(page: Page, selector: str) -> list[str]:
    """Accessibility rules the elements matching ``selector`` break (axe-core, WCAG A/AA)."""
    load_axe(page)
    found: list[str] = page.evaluate(
        """async (selector) => {
            const rows = document.querySelectorAll(selector);
            if (!rows.length) return [`nothing matches ${selector}`];
            const result = await axe.run(rows, { runOnly: ["wcag2a", "wcag2aa"] });
            return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target)}`);
        }""",
        selector,
    )
    return found


# Draws assistant replies as a shouted bubble; throws on "boom"; declines everything else.
RENDERER = r'''
RENDERER = """
export function renderMessage(item, el) {
  if (item.type !== "assistant_message") return false;
  const text = item.content.map((part) => part.text).join("");
  if (text.includes("boom")) throw new Error("this renderer cannot take a boom");
  const bubble = document.createElement("div");
  bubble.className = "shout";
  bubble.textContent = text.toUpperCase();
  el.append(bubble);
}
"""
'''


def test_custom_renderer_replaces_replies_and_falls_back(lab: Lab, page: Page) -> None:
    warnings: list[str] = []
    page.on(
        "console",
        lambda msg: warnings.append(msg.text) if msg.type == "warning" else None,
    )
    open_chat(
        lab,
        page,
        "custom_renderer.ipynb",
        RENDERER,
        "chat = ChatWidget(agent=Agent(name='a', model=OfflineDemoModel()), store=':memory:',"
        " render_message=RENDERER)\nchat",
    )
    type_message(page, "echo: quiet words")
    custom = page.locator(".ckw-custom[data-item-type=assistant_message] .shout")
    expect(custom).to_have_text("QUIET WORDS", timeout=30_000)
    # Declined items keep the built-in look.
    expect(page.locator(".ckw-user[data-item-type=user_message]")).to_have_text("echo: quiet words")

    type_message(page, "echo: boom goes the renderer")
    builtin = page.locator(f"{DONE_REPLIES}.ckw-assistant")
    expect(builtin).to_have_text("boom goes the renderer", timeout=30_000)
    expect(page.locator(".shout")).to_have_count(1)
    assert sum("render_message threw" in w for w in warnings) == 1, warnings

    # A new source from Python re-renders what is on screen.
    lab.execute(page, "chat.render_message = ''")
    expect(page.locator(".shout")).to_have_count(0, timeout=10_000)
    expect(page.locator(f"{DONE_REPLIES}.ckw-assistant").first).to_have_text("quiet words")
    lab.execute(page, "chat.render_message = RENDERER")
    expect(page.locator(".shout")).to_have_text("QUIET WORDS", timeout=10_000)
    page.screenshot(path="test-results/custom-renderer.png")


RICH_TOOLS = """
import pandas as pd
from agents import function_tool
from matplotlib.figure import Figure

@function_tool
def weather_table():
    '''A table of temperatures.'''
    return pd.DataFrame({"city": ["Oslo", "Rome"], "temp": [3.5, 18.0]})

@function_tool
def weather_plot():
    '''A chart of temperatures.'''
    figure = Figure(figsize=(3, 2))
    figure.add_subplot().bar(["Oslo", "Rome"], [3.5, 18.0])
    return figure

chat = ChatWidget(
    agent=Agent(name="a", model=OfflineDemoModel(), tools=[weather_table, weather_plot]),
    store=":memory:",
)
chat
"""


def test_dataframe_and_figure_results_show_as_table_and_image(lab: Lab, page: Page) -> None:
    open_chat(lab, page, "rich_tools.ipynb", RICH_TOOLS)
    type_message(page, "use tool weather_table")
    row = page.locator("[data-item-type=task][data-tool-name=weather_table]")
    expect(row).to_have_attribute("data-status", "success", timeout=30_000)
    table = row.locator(".ckw-rich-html table")
    # Visible without expanding the row; cells as cells, pandas' <style> gone.
    expect(table).to_be_visible()
    expect(table.locator("tbody tr")).to_have_count(2)
    expect(table.locator("tbody td").first).to_have_text("Oslo")
    expect(row.locator(".ckw-rich-html style")).to_have_count(0)
    expect(row.locator("details")).not_to_have_attribute("open", "")
    # the turn ends with the model's reply; only then does Enter send the next message
    expect(page.locator(DONE_REPLIES).first).to_contain_text("Oslo", timeout=30_000)

    type_message(page, "use tool weather_plot")
    plot = page.locator("[data-item-type=task][data-tool-name=weather_plot]")
    expect(plot).to_have_attribute("data-status", "success", timeout=30_000)
    image = plot.locator("img.ckw-rich-image")
    expect(image).to_be_visible()
    expect(image).to_have_attribute("alt", "<Figure size 300x200 with 1 Axes>")
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 100", arg=image.element_handle()
    )
    assert axe_violations(page, "[data-item-type=task]") == []
    page.screenshot(path="test-results/rich-tool-results.png")


def test_a_reasoning_workflow_streams_then_folds_away(lab: Lab, page: Page) -> None:
    open_chat(
        lab,
        page,
        "reasoning.ipynb",
        "chat = ChatWidget(agent=Agent(name='a', model=OfflineDemoModel(delay=0.05)),"
        " store=':memory:')\nchat",
    )
    type_message(page, "think: why is the sky blue?")
    workflow = page.locator("[data-item-type=workflow]")
    toggle = workflow.get_by_role("button").first
    # while the model thinks, the summary says so and the thoughts stream in
    expect(toggle).to_contain_text("Thinking", timeout=30_000)
    expect(page.locator(DONE_REPLIES)).to_contain_text(
        "This is where the answer goes", timeout=30_000
    )
    expect(toggle).to_have_text(re.compile(r"Thought for \d+s"))
    expect(toggle).to_have_attribute("aria-expanded", "false")
    toggle.press("Enter")  # the keyboard opens it
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(workflow).to_contain_text("You asked: why is the sky blue?")
    expect(workflow).to_contain_text("Planning the answer.")


def test_citations_show_as_numbered_source_links(lab: Lab, page: Page) -> None:
    open_chat(lab, page, "sources.ipynb", "chat = ChatWidget(store=':memory:')\nchat")
    type_message(page, "search: notebooks")
    reply = page.locator(DONE_REPLIES).first
    expect(reply).to_contain_text("these sources are fixed", timeout=30_000)
    sources = reply.get_by_role("list", name="Sources")
    expect(sources.get_by_role("listitem")).to_have_count(2)
    link = sources.get_by_role("link", name="Project Jupyter")
    expect(link).to_have_attribute("href", "https://jupyter.org")
    expect(link).to_have_attribute("target", "_blank")
    expect(link).to_have_attribute("rel", "noopener noreferrer")
    expect(sources.get_by_role("link", name="ChatKit Python SDK")).to_have_count(1)
    # the view stays at the bottom as the finished reply grows (sources, toolbar)
    page.wait_for_function(
        "() => { const s = document.querySelector('.ckw-root .ckw-scroll');"
        " return s.scrollHeight - s.scrollTop - s.clientHeight < 2; }",
        timeout=10_000,
    )
    # the search itself shows as a web_search workflow task: its query and the pages found
    search = page.locator("[data-item-type=workflow]")
    toggle = search.get_by_role("button").first
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(search).to_contain_text("notebooks")
    expect(search.get_by_role("link", name=re.compile("jupyter.org"))).to_have_attribute(
        "href", "https://jupyter.org"
    )

    # a file search: a file task naming the files, and file sources shown as text, not links
    type_message(page, "search files: roadmap")
    reply = page.locator(DONE_REPLIES).nth(1)
    expect(reply).to_contain_text("these are made up", timeout=30_000)
    files = reply.get_by_role("list", name="Sources")
    expect(files.get_by_role("listitem")).to_have_text(["notes/roadmap.md", "notes/decisions.md"])
    expect(files.get_by_role("link")).to_have_count(0)
    file_task = page.locator("[data-item-type=workflow]").nth(1)
    file_task.get_by_role("button").first.click()
    expect(file_task).to_contain_text("notes/roadmap.md")


NOTIFYING_TOOL = """
from agents import function_tool
from chatkit_widget import notify

@function_tool
def figures() -> str:
    '''Quarterly figures.'''
    notify("Q2 figures are **preliminary**.", level="warning", title="Heads up")
    return "North 120"

agent = Agent(name="a", model=OfflineDemoModel(), tools=[figures])
chat = ChatWidget(agent=agent, store=":memory:")
chat
"""


def test_a_notice_from_a_tool_shows_with_its_level(lab: Lab, page: Page) -> None:
    open_chat(lab, page, "notice.ipynb", NOTIFYING_TOOL)
    type_message(page, "use tool figures")
    notice = page.locator("[data-item-type=notice]")
    expect(notice).to_have_attribute("data-level", "warning", timeout=30_000)
    expect(notice).to_have_attribute("role", "status")
    expect(notice.locator(".ckw-notice-title")).to_have_text("Heads up")
    expect(notice.locator("strong")).to_have_text("preliminary")
    expect(notice.get_by_role("img", name=re.compile("warning", re.I))).to_have_count(1)
    expect(page.locator(DONE_REPLIES)).to_have_text("North 120", timeout=30_000)


def test_a_locked_thread_disables_the_composer_with_its_reason(lab: Lab, page: Page) -> None:
    open_chat(lab, page, "locked.ipynb", "chat = ChatWidget(store=':memory:')\nchat")
    type_message(page, "count to 2")
    expect(page.locator(DONE_REPLIES)).to_have_text("1 2", timeout=30_000)
    box = page.locator(".ckw-root textarea[aria-label=Message]")
    lab.execute(page, "chat.set_thread_status('locked', reason='Archived by the team')")
    expect(box).to_be_disabled(timeout=10_000)
    expect(box).to_have_attribute("placeholder", "Archived by the team")
    lab.execute(page, "chat.set_thread_status('active')")
    expect(box).to_be_enabled(timeout=10_000)
    type_message(page, "count to 3")
    expect(page.locator(DONE_REPLIES).nth(1)).to_have_text("1 2 3", timeout=30_000)


# A tool shows an order form; its submit action reaches a Python handler, which answers with a
# new card in place of the form.
ORDER_WIDGET = '''
from agents import Agent, function_tool
from chatkit.actions import ActionConfig
from chatkit.widgets import Badge, Button, Card, Form, Input, Label, Row, Text, Title
from chatkit_widget import ChatWidget, OfflineDemoModel, show_widget

@function_tool
def offer_order(order_id: str) -> str:
    """Show the order for confirmation."""
    show_widget(Card(children=[
        Row(children=[Title(value=f"Order {order_id}"), Badge(label="pending")]),
        Form(onSubmitAction=ActionConfig(type="order.confirm", payload={"id": order_id}),
             children=[Label(value="Delivery note", fieldName="note"), Input(name="note"),
                       Button(label="Confirm order", submit=True)]),
    ]), copy_text=f"Order {order_id}")
    return "Shown."

chat = ChatWidget(agent=Agent(name="shop", model=OfflineDemoModel(), tools=[offer_order]),
                  store=":memory:")

@chat.action("order.confirm")
def confirm(action):
    note = action.payload["note"]
    return Card(children=[Text(value=f"Order {action.payload['id']} placed: {note}")])

chat
'''


def test_a_widget_from_a_tool_submits_its_form_to_a_python_handler(lab: Lab, page: Page) -> None:
    open_chat(lab, page, "widget.ipynb", ORDER_WIDGET)
    type_message(page, 'use tool offer_order with {"order_id": "42"}')
    widget = page.locator("[data-item-type=widget]")
    expect(widget.get_by_text("Order 42")).to_be_visible(timeout=30_000)
    expect(widget.get_by_text("pending")).to_be_visible()
    assert axe_violations(page, "[data-item-type=widget]") == []
    widget.get_by_label("Delivery note").fill("leave at the door")
    widget.get_by_role("button", name="Confirm order").click()
    # The handler's card replaces the form in the same row.
    expect(widget).to_have_count(1)
    expect(widget.get_by_text("Order 42 placed: leave at the door")).to_be_visible(timeout=30_000)
    expect(widget.get_by_role("button", name="Confirm order")).to_have_count(0)
    # Copy text stays what the tool gave; the stored widget is the handler's card.
    shown = lab.execute(page, "print([m['text'] for m in chat.messages if m['role'] == 'widget'])")
    assert shown.strip() == "['Order 42']"

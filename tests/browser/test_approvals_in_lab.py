"""Approving and denying tool calls in real JupyterLab, and a waiting call shown after a reload.

The demo agent's ``remove_task`` needs approval. Every wait is on observable state.
"""

from __future__ import annotations

from playwright.sync_api import Page, expect

from ..support.chat_page import open_chat, type_message
from ..support.lab import Lab

DONE_REPLIES = "[data-item-type=assistant_message]:not([data-streaming])"
# Reopens the conversation `tid` names once it is set (after the page reloads).
CHAT = (
    "from pathlib import Path\n"
    "store = Path('approvals-store') / 'chats.sqlite'\n"
    "chat = ChatWidget(store=store, thread_id=globals().get('tid'))\n"
    "chat"
)


def test_approve_and_deny_on_tool_rows_and_a_waiting_call_after_a_reload(
    lab: Lab, page: Page
) -> None:
    open_chat(lab, page, "approvals.ipynb", CHAT)
    type_message(page, "add a task: buy milk")
    expect(page.locator(DONE_REPLIES)).to_have_count(1, timeout=30_000)
    type_message(page, "add a task: walk dog")
    expect(page.locator(DONE_REPLIES)).to_have_count(2, timeout=30_000)

    # A cell awaits the turn; the person approves in the chat.
    lab.start_execute(page, "print(await chat.ask('remove task buy milk'))")
    waiting = page.locator(".ckw-tool[data-status=approval]")
    expect(waiting).to_have_count(1, timeout=30_000)
    expect(waiting).to_contain_text("remove_task")
    expect(waiting).to_contain_text('"buy milk"')  # the arguments show without expanding
    expect(page.locator(".ckw-root")).to_contain_text("Waiting for your approval")
    expect(page.get_by_role("button", name="Stop")).to_be_visible()
    waiting.get_by_role("button", name="Approve", exact=True).click()
    expect(page.locator(".ckw-tool[data-status=success]")).to_have_count(3, timeout=30_000)
    assert lab.executed_output(page).strip() == "Removed **buy milk** from your task list."
    expect(page.get_by_role("button", name="Stop")).to_have_count(0)

    # Deny from the chat: the tool never runs, the reply says so.
    type_message(page, "remove task walk dog")
    waiting.get_by_role("button", name="Deny", exact=True).click()
    denied = page.locator(".ckw-tool[data-status=denied]")
    expect(denied).to_have_count(1, timeout=30_000)
    expect(page.locator(DONE_REPLIES).last).to_have_text("I left your task list as it was.")
    assert lab.execute(page, "print(chat.messages[-2]['tool']['status'])").strip() == "denied"

    # A call waits when the page reloads: the reopened conversation shows it, still waiting.
    type_message(page, "remove task walk dog")
    expect(waiting).to_have_count(1, timeout=30_000)
    assert lab.execute(page, "tid = chat.thread_id; print(len(chat.pending_approvals()))") == "1\n"
    page.reload()
    lab.open(page, "approvals.ipynb")
    lab.run_all(page)
    expect(waiting).to_have_count(1, timeout=60_000)
    expect(denied).to_have_count(1)  # the earlier decision is part of the stored conversation
    waiting.get_by_role("button", name="Approve", exact=True).click()
    expect(page.locator(DONE_REPLIES).last).to_have_text(
        "Removed walk dog from your task list.", timeout=30_000
    )
    assert lab.execute(page, "print(chat.pending_approvals())").strip() == "[]"

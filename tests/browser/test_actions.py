"""Message actions and the keyboard, in real JupyterLab: copy, retry, edit, feedback, Escape.

Every wait is on observable state (a selector, a DOM condition, the kernel's answer);
none is a fixed sleep.
"""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect

from ..support.chat_page import open_chat, type_message
from ..support.lab import Lab

DONE_REPLIES = "[data-item-type=assistant_message]:not([data-streaming])"
USER = "[data-item-type=user_message]"
OFFLINE_CHAT = (
    "chat = ChatWidget(agent=Agent(name='a', model=OfflineDemoModel()), store=':memory:')\nchat"
)


def action(row: Locator, label: str) -> Locator:
    return row.locator(f".ckw-actions button[aria-label='{label}']")


def wait_for_kernel(lab: Lab, page: Page, code: str, expected: str) -> None:
    """Poll the kernel (an observable answer, not a sleep) until `code` prints `expected`."""
    for _ in range(50):
        if lab.execute(page, code).strip() == expected:
            return
    raise AssertionError(f"{code!r} never printed {expected!r}: {lab.execute(page, code)!r}")


def test_copy_puts_the_message_text_on_the_clipboard(lab: Lab, page: Page) -> None:
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=lab.url)
    open_chat(lab, page, "copy.ipynb", OFFLINE_CHAT)
    type_message(page, "echo: **bold** and `code`\nsecond line")
    reply = page.locator(DONE_REPLIES).first
    expect(reply.locator("strong")).to_have_text("bold", timeout=30_000)

    action(reply, "Copy").click()
    expect(reply.locator(".ckw-action-note")).to_have_text("Copied")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == "**bold** and `code`\nsecond line", "the markdown source, not the rendering"

    user = page.locator(USER).first
    user.hover()
    action(user, "Copy").click()
    expect(user.locator(".ckw-action-note")).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == (
        "echo: **bold** and `code`\nsecond line"
    )


def test_retry_regenerates_only_the_last_reply(lab: Lab, page: Page) -> None:
    open_chat(lab, page, "retry.ipynb", OFFLINE_CHAT)
    type_message(page, "echo: one")
    expect(page.locator(DONE_REPLIES)).to_have_count(1, timeout=30_000)
    type_message(page, "echo: two")
    expect(page.locator(DONE_REPLIES)).to_have_count(2, timeout=30_000)
    first, last = page.locator(DONE_REPLIES).nth(0), page.locator(DONE_REPLIES).nth(1)
    expect(action(first, "Retry")).to_be_hidden()
    expect(action(last, "Retry")).to_be_visible()
    old_id = last.get_attribute("data-item-id")

    action(last, "Retry").click()
    new_last = page.locator(DONE_REPLIES).nth(1)
    expect(new_last).not_to_have_attribute("data-item-id", old_id or "", timeout=30_000)
    expect(new_last).to_have_text("two")
    expect(page.locator(f"[data-item-id='{old_id}']")).to_have_count(0)
    expect(page.locator(DONE_REPLIES)).to_have_count(2)
    texts = lab.execute(page, "print([m['text'] for m in chat.messages])").strip()
    assert texts == "['echo: one', 'one', 'echo: two', 'two']"


def test_edit_continues_the_thread_from_the_edited_message(lab: Lab, page: Page) -> None:
    open_chat(lab, page, "edit.ipynb", OFFLINE_CHAT)
    type_message(page, "echo: first")
    expect(page.locator(DONE_REPLIES)).to_have_count(1, timeout=30_000)
    type_message(page, "echo: second")
    expect(page.locator(DONE_REPLIES)).to_have_count(2, timeout=30_000)
    first_user = page.locator(USER).first
    later = [
        page.locator(USER).nth(1).get_attribute("data-item-id"),
        page.locator(DONE_REPLIES).nth(1).get_attribute("data-item-id"),
    ]

    first_user.hover()
    action(first_user, "Edit").click()
    box = page.locator(".ckw-root textarea[aria-label=Message]")
    expect(page.locator(".ckw-edit-bar")).to_contain_text("Editing message")
    expect(box).to_have_value("echo: first")
    expect(box).to_be_focused()
    expect(first_user).to_have_attribute("data-editing", "true")
    box.fill("echo: first, edited")
    box.press("Enter")

    expect(page.locator(".ckw-edit-bar")).to_be_hidden()
    expect(first_user.locator(".ckw-bubble")).to_have_text("echo: first, edited")
    for item_id in later:
        expect(page.locator(f"[data-item-id='{item_id}']")).to_have_count(0, timeout=30_000)
    expect(page.locator(DONE_REPLIES)).to_have_count(1, timeout=30_000)
    expect(page.locator(DONE_REPLIES).first).to_have_text("first, edited")
    expect(page.locator(USER)).to_have_count(1)
    texts = lab.execute(page, "print([m['text'] for m in chat.messages])").strip()
    assert texts == "['echo: first, edited', 'first, edited']"


def test_feedback_toggles_and_survives_reopening_the_thread(lab: Lab, page: Page) -> None:
    open_chat(lab, page, "feedback.ipynb", OFFLINE_CHAT)
    type_message(page, "echo: rate me")
    reply = page.locator(DONE_REPLIES).first
    expect(reply).to_have_text("rate me", timeout=30_000)
    good, bad = action(reply, "Good response"), action(reply, "Bad response")
    expect(good).to_have_attribute("aria-pressed", "false")
    expect(bad).to_have_attribute("aria-pressed", "false")

    good.click()
    expect(good).to_have_attribute("aria-pressed", "true")
    expect(bad).to_have_attribute("aria-pressed", "false")
    bad.click()
    expect(bad).to_have_attribute("aria-pressed", "true")
    expect(good).to_have_attribute("aria-pressed", "false")
    wait_for_kernel(lab, page, "print(chat.messages[-1].get('feedback'))", "negative")

    thread_id = lab.execute(page, "print(chat.thread_id)").strip()
    lab.execute(page, "chat.new_thread()")
    expect(page.locator(DONE_REPLIES)).to_have_count(0)
    lab.execute(page, f"chat.open_thread({thread_id!r})")
    reply = page.locator(DONE_REPLIES).first
    expect(reply).to_have_text("rate me", timeout=30_000)
    expect(action(reply, "Bad response")).to_have_attribute("aria-pressed", "true")
    expect(action(reply, "Good response")).to_have_attribute("aria-pressed", "false")


def test_keyboard_escape_stops_and_arrow_up_edits(lab: Lab, page: Page) -> None:
    slow = (
        "chat = ChatWidget(agent=Agent(name='a', model=OfflineDemoModel(delay=0.2)),"
        " store=':memory:')\nchat"
    )
    open_chat(lab, page, "keyboard.ipynb", slow)
    cells = "window.jupyterapp.shell.currentWidget.content.widgets.length"
    before = page.evaluate(cells)
    box = page.locator(".ckw-root textarea[aria-label=Message]")
    stopped = page.locator("[data-item-type=assistant_message][data-stopped=true]")

    # Escape in the composer stops the reply.
    type_message(page, "count to 200")
    expect(page.locator("[data-item-type=assistant_message][data-streaming]")).to_have_count(
        1, timeout=30_000
    )
    box.press("Escape")
    expect(stopped).to_have_count(1, timeout=10_000)
    expect(page.locator("button[aria-label=Send]")).to_be_visible()

    # Escape with focus elsewhere in the widget (a message's Copy button) stops it too.
    type_message(page, "count to 200")
    expect(page.locator("[data-item-type=assistant_message][data-streaming]")).to_have_count(
        1, timeout=30_000
    )
    copy = action(page.locator(USER).first, "Copy")
    copy.focus()
    expect(copy).to_be_focused()
    page.keyboard.press("Escape")
    expect(stopped).to_have_count(2, timeout=10_000)

    # Shift+Tab from the composer reaches the last reply's toolbar, which shows with focus
    # (once at the end: scrolled up, "Jump to latest" comes first).
    jump = page.get_by_role("button", name="Jump to latest")
    if jump.is_visible():
        jump.click()
    expect(jump).to_be_hidden()
    box.focus()
    page.keyboard.press("Shift+Tab")
    focused = page.locator(":focus")
    expect(focused).to_have_attribute("aria-label", "Bad response")
    toolbar = page.locator(DONE_REPLIES).last.locator(".ckw-actions")
    expect(toolbar).to_have_css("opacity", "1")
    expect(focused).to_have_css("outline-style", "solid")

    # ArrowUp in the empty composer edits the last message; Enter sends the edit.
    box.focus()
    box.press("ArrowUp")
    expect(page.locator(".ckw-edit-bar")).to_be_visible()
    expect(box).to_have_value("count to 200")
    page.keyboard.type("a b dd")  # JupyterLab's cell shortcuts must not fire while editing
    assert page.evaluate(cells) == before
    box.fill("echo: done")
    box.press("Enter")
    expect(page.locator(USER)).to_have_count(2, timeout=30_000)
    expect(page.locator(USER).last.locator(".ckw-bubble")).to_have_text("echo: done")
    expect(page.locator(DONE_REPLIES).last).to_have_text("done", timeout=30_000)
    expect(stopped).to_have_count(1, timeout=10_000)

    # Escape leaves an edit, and the box is empty again.
    box.press("ArrowUp")
    expect(box).to_have_value("echo: done")
    box.press("Escape")
    expect(page.locator(".ckw-edit-bar")).to_be_hidden()
    expect(box).to_have_value("")

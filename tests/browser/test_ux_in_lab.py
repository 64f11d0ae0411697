"""How the chat behaves under a user's hands in real JupyterLab: focus, scrolling, busy state
per conversation, stale errors, narrow widths.

Every wait is on observable state; none is a fixed sleep.
"""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect

from ..support.chat_page import DONE_REPLIES, open_chat, type_message
from ..support.lab import Lab

COMPOSER = ".ckw-root textarea[aria-label=Message]"
STREAMING = "[data-item-type=assistant_message][data-streaming]"


def scroller(page: Page) -> Locator:
    return page.locator(".ckw-root .ckw-scroll")


def distance_from_bottom(page: Page) -> float:
    return float(scroller(page).evaluate("e => e.scrollHeight - e.scrollTop - e.clientHeight"))


def top_of_last_message(page: Page) -> float:
    """How far the last user message sits below the top of the transcript's view, in px."""
    return float(
        scroller(page).evaluate(
            "e => { const rows = e.querySelectorAll('.ckw-log > .ckw-user');"
            " return rows[rows.length - 1].getBoundingClientRect().top"
            " - e.getBoundingClientRect().top; }"
        )
    )


def reply_length(page: Page) -> int:
    return int(page.locator(STREAMING).last.evaluate("e => e.textContent.length"))


def test_focus_scroll_anchoring_and_jump_to_latest(lab: Lab, page: Page) -> None:
    open_chat(lab, page, "scroll.ipynb", "chat = ChatWidget(height='420px')\nchat")
    box = page.locator(COMPOSER)
    jump = page.locator(".ckw-root").get_by_role("button", name="Jump to latest")

    # Offline with no prompts given, the demo's phrases are buttons that send themselves.
    prompts = page.get_by_role("group", name="Starter prompts").get_by_role("button")
    expect(prompts).to_have_count(4)
    prompts.filter(has_text="list tasks").click()
    expect(page.locator(DONE_REPLIES).first).to_be_visible(timeout=30_000)
    expect(box).to_be_focused()

    # Sent: the message goes to the top and the reply grows below it, past the fold.
    type_message(page, "count to 400")
    page.wait_for_function(
        "() => { const s = document.querySelector('.ckw-root .ckw-scroll');"
        " return s.scrollHeight - s.scrollTop - s.clientHeight > 60; }",
        timeout=30_000,
    )
    assert 0 <= top_of_last_message(page) < 40, "the sent message is held at the top"
    expect(jump).to_be_visible()
    page.locator(".ckw-root").screenshot(path="test-results/turn-at-top.png")
    # One progress indicator: the streaming reply's own cursor, not a "Working…" line too.
    expect(page.locator(".ckw-root [data-role=working]")).to_be_hidden()

    # Stop from the keyboard: focus goes back to the composer, not to the page.
    stop = page.locator(".ckw-root button[aria-label=Stop]")
    stop.focus()
    stop.press("Enter")
    expect(page.locator(".ckw-root button[aria-label=Send]")).to_be_visible(timeout=30_000)
    expect(box).to_be_focused()

    # Jump to latest scrolls to the end, hides, and leaves focus in the composer.
    jump.click()
    expect(jump).to_be_hidden()
    assert distance_from_bottom(page) < 32
    expect(box).to_be_focused()

    # Focus moved to an earlier message (Tab, find in page): the view goes there and stays.
    first_copy = page.locator(".ckw-root .ckw-log > .ckw-assistant .ckw-action-copy").first
    first_copy.focus()
    in_view = """async (el) => {
        for (let i = 0; i < 3; i++) await new Promise((done) => requestAnimationFrame(done));
        const box = el.closest('.ckw-scroll').getBoundingClientRect();
        const r = el.getBoundingClientRect();
        return r.top >= box.top && r.bottom <= box.bottom;
    }"""
    assert first_copy.evaluate(in_view), "focus brought the earlier message into view; it stays"
    expect(jump).to_be_visible()
    jump.click()

    # Scrolled up while a reply streams: the view stays put; Jump re-pins it to the end.
    type_message(page, "count to 600")
    page.wait_for_function(
        "() => document.querySelector('.ckw-root [data-streaming]')?.textContent.length > 40",
        timeout=30_000,
    )
    scroller(page).hover()
    page.mouse.wheel(0, -100_000)  # the user scrolls up to the top
    page.wait_for_function(
        "() => document.querySelector('.ckw-root .ckw-scroll').scrollTop === 0", timeout=10_000
    )
    grown = reply_length(page) + 200
    page.wait_for_function(
        f"() => document.querySelector('.ckw-root [data-streaming]')?.textContent.length > {grown}",
        timeout=30_000,
    )
    assert scroller(page).evaluate("e => e.scrollTop") == 0, "the view did not move"
    expect(jump).to_be_visible()
    jump.click()
    grown = reply_length(page) + 200
    page.wait_for_function(
        f"() => document.querySelector('.ckw-root [data-streaming]')?.textContent.length > {grown}",
        timeout=30_000,
    )
    assert distance_from_bottom(page) < 32, "pinned again, it follows the reply"
    page.keyboard.press("Escape")
    expect(page.locator(STREAMING)).to_have_count(0, timeout=30_000)

    # The transcript's focus ring is drawn inside it: outside, the frame would clip it.
    scroller(page).focus()
    page.keyboard.press("Shift")  # a key press: the ring shows as for keyboard users
    scroller(page).focus()
    offset = scroller(page).evaluate(
        "e => e.matches(':focus-visible') ? getComputedStyle(e).outlineOffset : 'not focused'"
    )
    assert offset == "-2px"

    # No empty toolbar row under a user message: its actions sit beside the bubble.
    gaps = page.evaluate(
        """() => [...document.querySelectorAll('.ckw-log > .ckw-user')].map((row) => {
            const next = row.nextElementSibling;
            const bubble = row.querySelector('.ckw-bubble').getBoundingClientRect();
            return next.getBoundingClientRect().top - bubble.bottom;
        })"""
    )
    assert gaps and max(gaps) <= 24, f"gaps under user messages: {gaps}"


def test_a_new_chat_is_free_while_another_conversation_answers(lab: Lab, page: Page) -> None:
    open_chat(lab, page, "busy.ipynb", "chat = ChatWidget()\nchat")
    root = page.locator(".ckw-root")
    type_message(page, "count to 500")
    page.wait_for_function(
        "() => document.querySelector('.ckw-root [data-streaming]')?.textContent.length > 20",
        timeout=30_000,
    )
    root.get_by_role("button", name="New chat").click()
    expect(page.locator(COMPOSER)).to_be_focused()
    expect(root.locator("button[aria-label=Stop]")).to_be_hidden()
    expect(root.locator("[data-role=working]")).to_be_hidden()
    expect(root.get_by_role("group", name="Starter prompts")).to_be_visible()

    # A message goes out at once and is answered while the first conversation still counts.
    type_message(page, "add a task: water plants")
    expect(page.locator(DONE_REPLIES).first).to_contain_text("water plants", timeout=30_000)
    root.get_by_role("button", name="History", exact=True).click()
    panel = root.get_by_role("dialog", name="History")
    answering = panel.locator(".ckw-history-row[data-answering]")
    expect(answering).to_have_count(1, timeout=10_000)
    expect(answering).to_contain_text("count to 500")
    expect(answering).to_contain_text("answering")

    # Back in it: its reply is still streaming, and Stop there stops it.
    answering.locator(".ckw-history-open").click()
    expect(page.locator(STREAMING)).to_have_count(1, timeout=30_000)
    root.locator("button[aria-label=Stop]").click()
    expect(page.locator(STREAMING)).to_have_count(0, timeout=30_000)
    expect(page.locator(COMPOSER)).to_be_focused()

    # A refusal of a locked conversation names the message, and goes when it reopens.
    lab.execute(
        page,
        "chat.set_thread_status('locked', reason='Final')\n"
        "try:\n    await chat.ask('add a task: one more thing')\n"
        "except Exception as exc:\n    print(type(exc).__name__)",
    )
    error = root.locator(".ckw-error")
    expect(error).to_contain_text("locked")
    expect(error).to_contain_text("“add a task: one more thing” was not sent")
    lab.execute(page, "chat.set_thread_status('active')")
    expect(error).to_have_count(0)
    expect(page.locator(COMPOSER)).to_be_enabled()


def test_narrow_widget_keeps_every_control_whole(lab: Lab, page: Page) -> None:
    page.emulate_media(reduced_motion="reduce")
    open_chat(lab, page, "narrow.ipynb", "chat = ChatWidget()\nchat")
    type_message(page, "add a task: a rather long task name to wrap")
    expect(page.locator(DONE_REPLIES).first).to_be_visible(timeout=30_000)
    root = page.locator(".ckw-root")
    for theme, width in (("light", 360), ("dark", 360), ("light", 1000), ("dark", 1000)):
        lab.execute(page, f"chat.theme = {theme!r}")
        expect(root).to_have_attribute("data-theme", theme)
        root.evaluate(f"e => {{ e.style.width = '{width}px'; }}")
        header = root.locator(".ckw-header").bounding_box()
        assert header is not None
        for name in ("History", "New chat"):
            button = root.get_by_role("button", name=name, exact=True)
            shown = button.bounding_box()
            assert shown is not None
            assert shown["x"] + shown["width"] <= header["x"] + header["width"], name
            # Narrow, the label goes and the name stays (an icon button).
            label_shown = button.locator(".ckw-button-label").is_visible()
            assert label_shown == (width > 420), (name, width)
        badge = root.locator("[data-role=offline-badge]").bounding_box()
        title = root.locator(".ckw-title").bounding_box()
        assert badge is not None and title is not None
        assert badge["height"] < 24, "the badge stays on one line"
        assert title["width"] >= 120, f"the title keeps room: {title['width']} px"
        page.screenshot(path=f"test-results/widget-{width}-{theme}.png")

    # The History panel at 360 px: a delete confirmation shows both its buttons whole.
    root.evaluate("e => { e.style.width = '360px'; }")
    root.get_by_role("button", name="History", exact=True).click()
    panel = root.get_by_role("dialog", name="History")
    row = panel.locator(".ckw-history-row").first
    row.hover()
    row.get_by_role("button", name="Delete").click()
    confirm = panel.get_by_role("button", name="Yes, delete")
    expect(confirm).to_be_visible()
    inside = panel.bounding_box()
    assert inside is not None
    cancel = panel.get_by_role("button", name="Cancel")
    for part in (confirm, cancel, panel.locator(".ckw-history-question")):
        shown = part.bounding_box()
        assert shown is not None
        right = inside["x"] + inside["width"]
        assert inside["x"] <= shown["x"] and shown["x"] + shown["width"] <= right
    assert panel.locator(".ckw-history-scroll").evaluate("e => e.scrollWidth <= e.clientWidth")
    page.screenshot(path="test-results/widget-360-delete.png")


def test_edit_keeps_the_earlier_version_to_switch_back_to(lab: Lab, page: Page) -> None:
    open_chat(lab, page, "versions.ipynb", "chat = ChatWidget(store=':memory:')\nchat")
    root = page.locator(".ckw-root")
    questions = root.locator("[data-item-type=user_message] .ckw-bubble")
    replies = root.locator(DONE_REPLIES)
    type_message(page, "echo: first question")
    expect(replies).to_have_count(1, timeout=30_000)
    type_message(page, "echo: follow up")
    expect(replies).to_have_count(2, timeout=30_000)
    expect(root.get_by_role("group", name="Versions")).to_have_count(0)  # none edited yet

    first = root.locator("[data-item-type=user_message]").first
    first.hover()
    first.get_by_role("button", name="Edit").click()
    box = page.locator(COMPOSER)
    box.fill("echo: better question")
    box.press("Enter")
    expect(replies).to_have_text(["better question"], timeout=30_000)
    versions = first.get_by_role("group", name="Versions")
    expect(versions).to_have_text("2 / 2")
    expect(root.get_by_role("group", name="Versions")).to_have_count(1)

    # The earlier question comes back with everything that followed it.
    versions.get_by_role("button", name="Previous version").click()
    expect(questions).to_have_text(["echo: first question", "echo: follow up"], timeout=30_000)
    expect(replies).to_have_text(["first question", "follow up"])
    expect(versions).to_have_text("1 / 2")
    root.screenshot(path="test-results/versions.png")

    # Kept with the conversation: reopened from History, it still has both.
    root.get_by_role("button", name="New chat").click()
    root.get_by_role("button", name="History", exact=True).click()
    root.get_by_role("dialog", name="History").locator(".ckw-history-open").first.click()
    expect(versions).to_have_text("1 / 2", timeout=30_000)
    versions.get_by_role("button", name="Next version").click()
    expect(questions).to_have_text(["echo: better question"], timeout=30_000)
    expect(versions).to_have_text("2 / 2")
    # The model continues the version shown.
    type_message(page, "echo: and then")
    expect(replies).to_have_text(["better question", "and then"], timeout=30_000)

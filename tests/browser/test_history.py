"""Conversations in real JupyterLab: the history panel, long threads, the start screen.

Every wait is on observable state (a selector, a DOM condition, the kernel's answer);
none is a fixed sleep.
"""

from __future__ import annotations

import json

from playwright.sync_api import Locator, Page, expect

from ..support.axe import load_axe
from ..support.chat_page import open_chat
from ..support.lab import Lab

CHAT = "chat = ChatWidget(agent=Agent(name='a', model=OfflineDemoModel(delay=0)), store=':memory:'"
# 65 one-turn threads, oldest first; the widget is displayed afterwards.
MANY_THREADS = (
    f"{CHAT})\n"
    "for i in range(65):\n"
    "    await chat.ask(f'echo: note {i}')\n"
    "    chat.new_thread()\n"
    "chat"
)
ROWS = ".ckw-history-row"


def serious_axe_violations(page: Page, selector: str) -> list[dict[str, object]]:
    """What axe finds serious or critical in the element ``selector`` (rules and nodes)."""
    load_axe(page)
    found: list[dict[str, object]] = page.evaluate(
        """async (selector) => {
            const result = await window.axe.run(document.querySelector(selector));
            return result.violations
                .filter((v) => v.impact === 'serious' || v.impact === 'critical')
                .map((v) => ({ id: v.id, nodes: v.nodes.map((n) => n.target.join(' ')) }));
        }""",
        selector,
    )
    return found


def history_panel(page: Page) -> Locator:
    return page.locator(".ckw-root").get_by_role("dialog", name="History")


def kernel(lab: Lab, page: Page, code: str) -> str:
    return lab.execute(page, code).strip()


def thread_titles(lab: Lab, page: Page) -> dict[str, str | None]:
    out = kernel(
        lab,
        page,
        "import json; print(json.dumps({t['id']: t['title'] for t in chat.threads(200)}))",
    )
    result: dict[str, str | None] = json.loads(out)
    return result


def test_history_pages_opens_renames_and_deletes(lab: Lab, page: Page) -> None:
    open_chat(lab, page, "history.ipynb", MANY_THREADS)
    page.locator(".ckw-root").get_by_role("button", name="History", exact=True).click()
    panel = history_panel(page)
    expect(panel).to_be_visible()
    expect(
        page.locator(".ckw-root").get_by_role("button", name="History", exact=True)
    ).to_have_attribute("aria-expanded", "true")
    titles = panel.locator(".ckw-history-title")
    expect(titles).to_have_count(20)
    expect(titles.nth(0)).to_have_text("echo: note 64")
    expect(titles.nth(1)).to_have_text("echo: note 63")
    expect(panel.locator(".ckw-history-time").first).to_have_text("just now")

    # Scrolling the list to its end pages in the rest, 20 at a time.
    scroller = panel.locator(".ckw-history-scroll")
    scroller.hover()
    for listed in (40, 60, 65):
        page.mouse.wheel(0, 4000)  # the user scrolls the list down to its end
        expect(titles).to_have_count(listed)
    expect(titles).to_have_text([f"echo: note {i}" for i in range(64, -1, -1)])
    expect(panel.get_by_role("button", name="Load more", exact=True)).to_be_hidden()
    page.locator(".ckw-root").screenshot(path="test-results/history-list.png")

    # Open an older thread: its messages show and the kernel's thread_id follows.
    older = page.locator(ROWS).nth(61)  # note 3
    older_id = older.get_attribute("data-thread-id")
    assert older_id and older_id.startswith("thr_")
    older.locator(".ckw-history-open").click()
    expect(panel).to_be_hidden()
    expect(page.locator("[data-item-type=user_message]")).to_have_text(["echo: note 3"])
    expect(page.locator("[data-item-type=assistant_message]")).to_have_text(["note 3"])
    expect(page.locator(".ckw-title")).to_have_text("echo: note 3")
    assert kernel(lab, page, "print(chat.thread_id)") == older_id

    # It is the current one in the list.
    page.locator(".ckw-root").get_by_role("button", name="History", exact=True).click()
    current = panel.locator("[aria-current=true]")
    expect(current).to_have_count(1)
    expect(current).to_contain_text("echo: note 3")
    expect(current).to_be_focused()

    # Rename inline; the title is stored.
    target = panel.locator(ROWS).nth(0)  # note 64
    target_id = target.get_attribute("data-thread-id")
    target.get_by_role("button", name="Rename", exact=True).click()
    box = target.get_by_role("textbox", name="Conversation title")
    expect(box).to_be_focused()
    box.fill("Shopping list")
    box.press("Enter")
    expect(target.locator(".ckw-history-title")).to_have_text("Shopping list")
    assert thread_titles(lab, page)[str(target_id)] == "Shopping list"

    # Delete, confirming first; Cancel keeps it.
    doomed = panel.locator(ROWS).nth(1)  # note 63
    doomed_id = str(doomed.get_attribute("data-thread-id"))
    doomed.get_by_role("button", name="Delete", exact=True).click()
    expect(doomed.get_by_role("group", name="Delete “echo: note 63”?")).to_be_visible()
    doomed.get_by_role("button", name="Cancel", exact=True).click()
    assert doomed_id in thread_titles(lab, page)
    doomed.get_by_role("button", name="Delete", exact=True).click()
    doomed.get_by_role("button", name="Yes, delete", exact=True).click()
    expect(panel.locator(f"[data-thread-id='{doomed_id}']")).to_have_count(0)
    expect(titles).to_have_count(64)
    assert doomed_id not in thread_titles(lab, page)

    # Deleting the open thread leaves a new, empty chat.
    current_row = panel.locator(f"[data-thread-id='{older_id}']")
    current_row.get_by_role("button", name="Delete", exact=True).click()
    current_row.get_by_role("button", name="Yes, delete", exact=True).click()
    expect(current_row).to_have_count(0)
    expect(page.locator(".ckw-root .ckw-greeting")).to_be_attached()
    expect(page.locator("[data-item-type=user_message]")).to_have_count(0)
    assert kernel(lab, page, "print(chat.thread_id)") == "None"

    # Python opens a thread: the widget and the open list follow.
    note5 = str(
        panel.locator(ROWS)
        .filter(has=page.get_by_text("echo: note 5", exact=True))
        .get_attribute("data-thread-id")
    )
    kernel(lab, page, f"chat.thread_id = {note5!r}")
    expect(panel.locator("[aria-current=true] .ckw-history-title")).to_have_text("echo: note 5")
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    expect(
        page.locator(".ckw-root").get_by_role("button", name="History", exact=True)
    ).to_be_focused()
    expect(page.locator("[data-item-type=assistant_message]")).to_have_text(["note 5"])
    page.screenshot(path="test-results/history-panel.png")


def test_history_with_the_keyboard_alone(lab: Lab, page: Page) -> None:
    cells = (
        f"{CHAT})\nfor i in range(3):\n"
        "    await chat.ask(f'echo: kb {i}')\n    chat.new_thread()\nchat"
    )
    open_chat(lab, page, "history-keys.ipynb", cells)
    history = page.locator(".ckw-root").get_by_role("button", name="History", exact=True)
    history.focus()
    page.keyboard.press("Enter")
    panel = history_panel(page)
    expect(panel).to_be_visible()
    focused = page.locator(":focus")
    # No thread is open: focus lands on the newest one.
    expect(focused).to_contain_text("echo: kb 2")
    assert serious_axe_violations(page, ".ckw-history") == []
    page.keyboard.press("ArrowDown")
    expect(focused).to_contain_text("echo: kb 1")
    page.keyboard.press("Enter")
    expect(panel).to_be_hidden()
    expect(page.locator("[data-item-type=assistant_message]")).to_have_text(["kb 1"])
    expect(page.locator(".ckw-root textarea[aria-label=Message]")).to_be_focused()
    kb1 = kernel(lab, page, "print(chat.thread_id)")

    # Back to the panel (focus() stands for tabbing to the button): rename the open thread.
    history.focus()
    page.keyboard.press("Enter")
    expect(focused).to_have_attribute("aria-current", "true")
    page.keyboard.press("Tab")
    expect(focused).to_have_attribute("aria-label", "Rename")
    page.keyboard.press("Enter")
    expect(focused).to_have_attribute("aria-label", "Conversation title")
    page.keyboard.press("Control+A")
    page.keyboard.type("Typed title")
    page.keyboard.press("Enter")
    expect(page.locator(".ckw-title")).to_have_text("Typed title")
    assert thread_titles(lab, page)[kb1] == "Typed title"
    # Escape in the box cancels a rename without closing the panel.
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.keyboard.type("never saved")
    page.keyboard.press("Escape")
    expect(panel).to_be_visible()
    expect(focused).to_have_attribute("aria-label", "Rename")

    # Delete: Tab to Delete, Enter asks, Cancel has focus, Tab to the confirm button.
    page.keyboard.press("Tab")
    expect(focused).to_have_attribute("aria-label", "Delete")
    page.keyboard.press("Enter")
    expect(focused).to_have_text("Cancel")
    assert serious_axe_violations(page, ".ckw-history") == []
    page.keyboard.press("Tab")
    expect(focused).to_have_text("Yes, delete")
    page.keyboard.press("Enter")
    expect(panel.locator(".ckw-history-title")).to_have_text(["echo: kb 2", "echo: kb 0"])
    assert kb1 not in thread_titles(lab, page)
    assert kernel(lab, page, "print(chat.thread_id)") == "None"

    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    expect(history).to_be_focused()


def test_a_long_thread_pages_older_items_in_when_scrolled_up(lab: Lab, page: Page) -> None:
    cells = f"{CHAT})\nfor i in range(32):\n    await chat.ask(f'echo: line {{i}}')\nchat"
    open_chat(lab, page, "long-thread.ipynb", cells)
    users = page.locator("[data-item-type=user_message]")
    expect(users.last).to_have_text("echo: line 31")
    assert kernel(lab, page, "print(len(chat.messages))") == "64"
    # The newest page only: 50 of the 64 items.
    expect(users).to_have_count(25)
    expect(users.first).to_have_text("echo: line 7")
    expect(
        page.locator(".ckw-root").get_by_role("button", name="Load earlier messages")
    ).to_be_attached()

    scroll = page.locator(".ckw-root .ckw-scroll")
    scroll.hover()
    page.mouse.wheel(0, -100_000)  # the user scrolls up to the top
    expect(users).to_have_count(32)
    expect(users.first).to_have_text("echo: line 0")
    expect(
        page.locator(".ckw-root").get_by_role("button", name="Load earlier messages")
    ).to_be_hidden()
    # The message that was at the top is still in view: prepending did not jump it away.
    shift = page.evaluate(
        """() => {
            const scroll = document.querySelector('.ckw-root .ckw-scroll');
            const row = [...scroll.querySelectorAll('[data-item-type=user_message]')]
                .find((el) => el.textContent === 'echo: line 7');
            return row.getBoundingClientRect().top - scroll.getBoundingClientRect().top;
        }"""
    )
    assert 0 <= shift < 60, f"the message read before moved to {shift}px from the top"


def test_start_screen_greeting_and_prompts(lab: Lab, page: Page) -> None:
    open_chat(lab, page, "start.ipynb", f"{CHAT}, greeting='Hello', prompts=['count to 3'])\nchat")
    start = page.locator(".ckw-root .ckw-start")
    expect(start.locator(".ckw-greeting")).to_have_text("Hello")
    prompts = page.locator(".ckw-root").get_by_role("group", name="Starter prompts")
    expect(prompts.get_by_role("button")).to_have_text(["count to 3"])
    expect(start.locator(".ckw-empty-hint")).to_have_count(0)
    page.locator(".ckw-root").screenshot(path="test-results/start-screen.png")

    # Live: the traits change, the start screen follows.
    kernel(
        lab,
        page,
        "chat.greeting = 'Hi again'\n"
        "chat.prompts = ['echo: one', {'label': 'Count', 'prompt': 'count to 3'}]",
    )
    expect(start.locator(".ckw-greeting")).to_have_text("Hi again")
    expect(prompts.get_by_role("button")).to_have_text(["echo: one", "Count"])

    prompts.get_by_role("button", name="Count", exact=True).click()
    expect(page.locator("[data-item-type=user_message]")).to_have_text(["count to 3"])
    expect(page.locator("[data-item-type=assistant_message]:not([data-streaming])")).to_have_text(
        ["1 2 3"], timeout=30_000
    )
    expect(start).to_be_hidden()
    assert kernel(lab, page, "print(chat.messages[0]['text'])") == "count to 3"


# Three conversations from earlier days, written into the store as if made then; the oldest
# is then continued today, and one is new today.
EARLIER_DAYS = (
    "from datetime import datetime, timedelta\n"
    "from chatkit.types import (InferenceOptions, ThreadMetadata, UserMessageItem,\n"
    "    UserMessageTextContent)\n"
    "from chatkit_widget import SQLiteStore\n"
    "store = SQLiteStore(':memory:')\n"
    "for tid, title, days in [('thr_c', 'Cafe menu ideas', 40), ('thr_b', 'Plot rainfall', 3),\n"
    "                         ('thr_a', 'Café budget', 1)]:\n"
    "    when = datetime.now() - timedelta(days=days)\n"
    "    store.save_thread_sync(ThreadMetadata(id=tid, title=title, created_at=when))\n"
    "    store.save_item_sync(tid, UserMessageItem(id=f'msg_{tid}', thread_id=tid,\n"
    "        created_at=when, content=[UserMessageTextContent(text=title)],\n"
    "        inference_options=InferenceOptions()))\n"
    "chat = ChatWidget(agent=Agent(name='a', model=OfflineDemoModel(delay=0)), store=store)\n"
    "await chat.ask('echo: budget for today')\n"
    "chat.thread_id = 'thr_c'\n"
    "await chat.ask('echo: more ideas')\n"
    "chat"
)


def test_history_groups_by_last_activity_and_searches_titles(lab: Lab, page: Page) -> None:
    open_chat(lab, page, "history-groups.ipynb", EARLIER_DAYS)
    history = page.locator(".ckw-root").get_by_role("button", name="History", exact=True)
    history.click()
    panel = history_panel(page)
    expect(panel.get_by_role("heading")).to_have_text(["Today", "Yesterday", "Previous 7 days"])
    titles = panel.locator(".ckw-history-title:visible")
    # Continued today, so on top of Today though it was started 40 days ago.
    expect(titles).to_have_text(
        ["Cafe menu ideas", "echo: budget for today", "Café budget", "Plot rainfall"]
    )
    expect(panel.locator("[aria-current=true] .ckw-history-time")).to_have_text("just now")
    page.locator(".ckw-root").screenshot(path="test-results/history-groups.png")
    focused = page.locator(":focus")
    expect(focused).to_contain_text("Cafe menu ideas")
    for title in ("echo: budget for today", "Café budget", "Plot rainfall"):
        page.keyboard.press("ArrowDown")  # across headings, which are no stops
        expect(focused).to_contain_text(title)

    search = panel.get_by_role("searchbox", name="Search conversations")
    search.click()
    page.keyboard.type("CAFE")
    expect(titles).to_have_text(["Cafe menu ideas", "Café budget"])
    page.locator(".ckw-root").screenshot(path="test-results/history-search.png")
    expect(panel.get_by_role("heading", include_hidden=False)).to_have_text(["Today", "Yesterday"])
    assert serious_axe_violations(page, ".ckw-history") == []
    page.keyboard.type("zzz")
    expect(panel.get_by_role("status")).to_have_text("No conversations match “CAFEzzz”.")
    expect(titles).to_have_count(0)

    # Escape empties the box first, then closes the panel.
    page.keyboard.press("Escape")
    expect(search).to_have_value("")
    expect(titles).to_have_count(4)
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    expect(history).to_be_focused()

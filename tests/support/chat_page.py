"""The chat in a JupyterLab page: open a notebook with a chat, type into it, watch replies grow."""

from __future__ import annotations

from playwright.sync_api import Page

from .lab import Lab

SETUP = (
    "from chatkit_widget import ChatWidget, OfflineDemoModel\n"
    "from chatkit_widget.demo import demo_agent\n"
    "from agents import Agent"
)
DONE_REPLIES = "[data-item-type=assistant_message]:not([data-streaming])"

# Records (time, length of the newest assistant message) on every DOM change in the log.
TRACE = """() => {
    window.__trace = [];
    const log = document.querySelector('.ckw-root [role=log]');
    new MutationObserver(() => {
        const rows = log.querySelectorAll('[data-item-type=assistant_message]');
        const last = rows[rows.length - 1];
        if (last) window.__trace.push([performance.now(), last.textContent.length]);
    }).observe(log, { subtree: true, childList: true, characterData: true });
}"""


def growth(page: Page) -> tuple[int, float]:
    """How many times the reply's text grew, and over how many seconds."""
    trace: list[list[float]] = page.evaluate("window.__trace")
    grew = [t for (t, n), (_, before) in zip(trace[1:], trace, strict=False) if n > before]
    return len(grew), (grew[-1] - grew[0]) / 1000 if len(grew) > 1 else 0.0


def open_chat(lab: Lab, page: Page, name: str, *cells: str) -> None:
    """Write a notebook of ``SETUP`` and ``cells``, open it, run it, wait for the composer."""
    lab.write_notebook(name, [SETUP, *cells])
    lab.open(page, name)
    lab.run_all(page)
    page.locator(".ckw-root textarea[aria-label=Message]").last.wait_for(timeout=60_000)


def type_message(page: Page, text: str) -> None:
    """Type ``text`` into the (only) chat's composer and press Enter."""
    box = page.locator(".ckw-root textarea[aria-label=Message]")
    box.fill(text)
    box.press("Enter")

"""Time to first token: the JupyterLab sidebar (HTTP + SSE) vs the cell widget (comm).

One JupyterLab, one page, the offline demo model on both sides (same word delay). Each run
types "count to 20" and measures, in the page, from the Enter key to the first reply text on
screen; runs alternate between the cell widget and the sidebar. Prints the medians.

    python benchmarks/sidebar_first_token.py [--runs 7]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.support.chat_page import SETUP
from tests.support.lab import CHROMIUM, CHROMIUM_ARGS, Lab

# Resolves with the milliseconds from Enter to the first reply text in `root`.
FIRST_TOKEN = """async (selector) => {
    const root = document.querySelector(selector);
    const log = root.querySelector('[role=log]');
    const box = root.querySelector('textarea[aria-label=Message]');
    const replies = () => log.querySelectorAll('[data-item-type=assistant_message]');
    const before = replies().length;
    return await new Promise((resolve) => {
        let start = 0;
        const observer = new MutationObserver(() => {
            const rows = replies();
            if (rows.length > before && rows[rows.length - 1].textContent.trim()) {
                observer.disconnect();
                resolve(performance.now() - start);
            }
        });
        observer.observe(log, { subtree: true, childList: true, characterData: true });
        box.value = 'count to 20';
        box.dispatchEvent(new Event('input', { bubbles: true }));
        start = performance.now();
        box.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    });
}"""
CELL = ".jp-OutputArea .ckw-root"
SIDEBAR = "#chatkit-widget-sidebar .ckw-root"


def settle(page: Page, selector: str) -> None:
    page.wait_for_function(
        "s => !document.querySelector(s).querySelector('[data-streaming]')"
        " && !document.querySelector(s).dataset.busy",
        arg=selector,
        timeout=60_000,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    lab = Lab(Path(tempfile.mkdtemp()))
    lab.start()
    times: dict[str, list[float]] = {CELL: [], SIDEBAR: []}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            lab.write_notebook("ttft.ipynb", [SETUP, "chat = ChatWidget()\nchat"])
            lab.open(page, "ttft.ipynb")
            lab.run_all(page)
            page.locator(f"{CELL} textarea").wait_for(timeout=60_000)
            page.evaluate("window.jupyterapp.commands.execute('chatkit-widget:open')")
            page.locator(f"{SIDEBAR} textarea").wait_for(timeout=60_000)
            for selector in (CELL, SIDEBAR):  # a first turn each: warm-up, not measured
                page.evaluate(FIRST_TOKEN, selector)
                settle(page, selector)
            for _ in range(runs):
                for selector in (CELL, SIDEBAR):
                    times[selector].append(page.evaluate(FIRST_TOKEN, selector))
                    settle(page, selector)
            browser.close()
    finally:
        lab.stop()
    cell, sidebar = statistics.median(times[CELL]), statistics.median(times[SIDEBAR])
    print(f"time to first token, median of {runs}: cell widget {cell:6.1f} ms")
    print(f"                                   sidebar     {sidebar:6.1f} ms")
    print(f"sidebar / cell widget: {sidebar / cell:.2f}")


if __name__ == "__main__":
    main()

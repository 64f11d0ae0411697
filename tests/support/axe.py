"""axe-core in the JupyterLab page, ready to scan the widget."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page

AXE = Path(__file__).parents[2] / "js" / "node_modules" / "axe-core" / "axe.min.js"


def load_axe(page: Page) -> None:
    """Inject axe once per page, and give the page a height axe can see into."""
    if page.evaluate("typeof window.axe === 'object'"):
        return
    page.add_script_tag(path=str(AXE))
    # JupyterLab's <body> is 0 px high with overflow: hidden (the shell is positioned over it).
    # axe takes that as clipping everything, and then judges no text at all.
    page.add_style_tag(content="html, body { height: 100%; }")

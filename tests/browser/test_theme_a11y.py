"""Theming and accessibility in real JupyterLab: theme dicts, live restyling, an axe scan.

Every wait is on observable state (a selector, a DOM condition, the kernel's answer);
none is a fixed sleep.
"""

from __future__ import annotations

import json

from playwright.sync_api import Page, expect

from ..support.axe import load_axe
from ..support.chat_page import DONE_REPLIES, open_chat, type_message
from ..support.lab import Lab

# The axe scan of the widget: every violation with the nodes that fail, and how many nodes the
# colour-contrast rule judged (so a scan that sees nothing cannot pass).
RUN_AXE = """async () => {
    const result = await window.axe.run(document.querySelector('.ckw-root'));
    const judged = [...result.passes, ...result.violations, ...result.incomplete]
        .filter((r) => r.id === 'color-contrast')
        .reduce((n, r) => n + r.nodes.length, 0);
    const violations = result.violations.map((v) => ({
        id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.map((n) => ({ target: n.target.join(' '), summary: n.failureSummary })),
    }));
    return { violations, judged };
}"""


def css(page: Page, selector: str, prop: str) -> str:
    return str(
        page.locator(selector).first.evaluate(
            "(el, prop) => getComputedStyle(el).getPropertyValue(prop).trim()", prop
        )
    )


def test_a_theme_dict_restyles_and_the_kernel_can_change_it_live(lab: Lab, page: Page) -> None:
    theme = {
        "accent": "#0b5cff",
        "background": "#fdf6e3",
        "radius": "sharp",
        "font_family": "Georgia, serif",
    }
    cell = f"chat = ChatWidget(store=':memory:', theme={theme!r})\nchat"
    open_chat(lab, page, "theme_dict.ipynb", cell)
    root = page.locator(".ckw-root")
    expect(root).to_have_css("background-color", "rgb(253, 246, 227)")
    expect(root).to_have_css("border-radius", "0px")
    expect(root).to_have_css("font-family", "Georgia, serif")
    expect(page.locator(".ckw-root .ckw-send")).to_have_css("background-color", "rgb(11, 92, 255)")
    # White reads better than black on that blue: the derived foreground says so.
    assert css(page, ".ckw-root", "--ckw-accent-fg") == "#ffffff"

    # From the kernel: dark restyles the live view, and the dict's keys stop applying.
    lab.execute(page, "chat.theme = 'dark'")
    expect(root).to_have_attribute("data-theme", "dark")
    expect(root).to_have_css("background-color", "rgb(33, 33, 33)")
    expect(root).not_to_have_css("border-radius", "0px")
    assert css(page, ".ckw-root", "--ckw-accent") == "#ececec"

    # A dict with a colour scheme and a yellow accent: dark text on the Send button.
    lab.execute(page, "chat.theme = {'color_scheme': 'light', 'accent': '#ffe066'}")
    expect(root).to_have_attribute("data-theme", "light")
    expect(root).to_have_css("background-color", "rgb(255, 255, 255)")
    expect(page.locator(".ckw-root .ckw-send")).to_have_css("color", "rgb(0, 0, 0)")

    # A user's own stylesheet overrides the defaults without !important.
    lab.execute(page, "chat.theme = 'auto'")
    page.add_style_tag(content=".ckw-root { --ckw-bg: rgb(1, 2, 3); }")
    expect(root).to_have_css("background-color", "rgb(1, 2, 3)")


def assert_no_serious_violations(page: Page, label: str) -> None:
    load_axe(page)
    result = page.evaluate(RUN_AXE)
    violations = result["violations"]
    serious = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert not serious, f"axe, {label}:\n" + json.dumps(violations, indent=2)
    assert result["judged"] >= 8, f"axe judged the contrast of {result['judged']} nodes only"


def test_axe_finds_nothing_serious_in_light_and_dark(lab: Lab, page: Page) -> None:
    # Transitions off: axe must see the colours as they settle, not mid-fade.
    page.emulate_media(reduced_motion="reduce")
    open_chat(lab, page, "axe.ipynb", "chat = ChatWidget(store=':memory:')\nchat")
    type_message(page, "add a task: buy milk")
    row = page.locator("[data-item-type=task][data-tool-name=add_task]")
    expect(row).to_have_attribute("data-status", "success", timeout=30_000)
    reply = page.locator(DONE_REPLIES).first
    expect(reply).to_contain_text("buy milk", timeout=30_000)
    for label in ("Copy", "Retry", "Good response", "Bad response"):
        expect(reply.locator(f"button[aria-label='{label}']")).to_be_visible()
    row.locator("summary").click()  # the tool's arguments and result are scanned too

    root = page.locator(".ckw-root")
    expect(root).to_have_attribute("data-theme", "light")
    assert_no_serious_violations(page, "light theme")

    lab.execute(page, "chat.theme = 'dark'")
    expect(root).to_have_attribute("data-theme", "dark")
    expect(root).to_have_css("background-color", "rgb(33, 33, 33)")
    assert_no_serious_violations(page, "dark theme")

    # As narrow as a sidebar: icon buttons, the same checks.
    root.evaluate("e => { e.style.width = '360px'; }")
    expect(root.locator(".ckw-button-label").first).to_be_hidden()
    assert_no_serious_violations(page, "dark theme, 360 px")
    lab.execute(page, "chat.theme = 'light'")
    expect(root).to_have_attribute("data-theme", "light")
    assert_no_serious_violations(page, "light theme, 360 px")
    root.evaluate("e => { e.style.width = ''; }")
    lab.execute(page, "chat.theme = 'dark'")
    expect(root).to_have_attribute("data-theme", "dark")

    # The edit bar and its alert, as a failed edit leaves them.
    page.locator("[data-item-type=user_message]").first.hover()
    page.locator("[data-item-type=user_message] button[aria-label=Edit]").first.click()
    expect(page.locator(".ckw-edit-bar")).to_be_visible()
    assert_no_serious_violations(page, "dark theme, editing")

"""Rich markdown in real JupyterLab: GFM, highlighted code with Copy, KaTeX math.

The offline model's answer to "show markdown" (``demo/showcase.py``) has one of each. Every
check is an element query or a wait on observable state; the screenshot is for humans.
"""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, WebSocket, expect

from ..support.chat_page import DONE_REPLIES, open_chat, type_message
from ..support.lab import Lab

KATEX_FONT_LOADED = """async () => {
    await document.fonts.ready;
    return [...document.fonts]
        .filter((f) => f.family.replace(/"/g, '') === 'KaTeX_Main' && f.status === 'loaded')
        .length;
}"""


def test_showcase_renders_tables_tasks_code_and_math(lab: Lab, page: Page) -> None:
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=lab.url)
    page.set_viewport_size({"width": 1280, "height": 1700})
    cell = 'chat = ChatWidget(store=":memory:", height="1500px", theme="light")\nchat'
    open_chat(lab, page, "rendering.ipynb", cell)
    type_message(page, "show markdown")
    reply = page.locator(DONE_REPLIES).first
    expect(reply).to_contain_text("Quotes, too.", timeout=60_000)

    # GFM: a table with header cells and alignment, strikethrough, task-list markers.
    headers = reply.locator("table thead th")
    expect(headers).to_have_text(["Feature", "Status", "Since"])
    expect(reply.locator("table tbody tr")).to_have_count(3)
    expect(reply.locator("table tbody td[align=center]").first).to_have_text("yes")
    expect(reply.locator("del")).to_have_text("strikethrough")
    expect(reply.locator("[role=img][aria-label='done']")).to_have_count(1)
    expect(reply.locator("[role=img][aria-label='not done']")).to_have_count(1)
    expect(reply.locator("input")).to_have_count(0)

    # Links leave in a new tab, without an opener.
    link = reply.locator("a[href='https://jupyter.org']")
    expect(link).to_have_attribute("target", "_blank")
    expect(link).to_have_attribute("rel", "noopener noreferrer")

    # Code: highlighted, with a Copy button that copies (by mouse and by keyboard).
    python = reply.locator("pre code.language-python.hljs")
    expect(python.locator(".hljs-keyword").first).to_have_text("def")
    expect(python.locator(".hljs-comment")).to_have_text("# Highlighted, with a Copy button.")
    buttons = reply.get_by_role("button", name="Copy code")
    expect(buttons).to_have_count(2)
    buttons.first.click()
    expect(buttons.first).to_have_text("Copied")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith("def fib(n: int) -> int:\n"), copied
    assert copied == python.text_content()
    buttons.nth(1).focus()
    page.keyboard.press("Enter")
    expect(buttons.nth(1)).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()").startswith('{"name": "chatkit-widget"')

    # Math: KaTeX for each delimiter, inline and display; prices stay text; fonts load.
    inline = reply.locator(".ckw-math:not(.ckw-math-display) .katex")
    expect(inline).to_have_count(2)
    display = reply.locator(".ckw-math-display .katex-display")
    expect(display).to_have_count(2)
    expect(display.first.locator(".katex-html")).to_be_visible()
    tex = reply.locator(".ckw-math annotation[encoding='application/x-tex']")
    expect(tex).to_have_text(
        [
            r"e^{i\pi} + 1 = 0",
            "a^2 + b^2 = c^2",
            r"\int_0^1 x^2\,dx = \frac{1}{3}",
            r"\sum_{k=1}^{n} k = \frac{n(n+1)}{2}",
        ]
    )
    expect(reply).to_contain_text("while prices like $5 and $10 stay text.")
    assert page.evaluate(KATEX_FONT_LOADED) >= 1, "KaTeX's inlined fonts did not load"

    Path("test-results").mkdir(exist_ok=True)
    page.locator(".ckw-root").screenshot(path="test-results/rendering.png")

    # Syntax colours come from the theme's custom properties.
    keyword = python.locator(".hljs-keyword").first
    light = keyword.evaluate("el => getComputedStyle(el).color")
    lab.execute(page, 'chat.theme = "dark"')
    expect(page.locator(".ckw-root")).to_have_attribute("data-theme", "dark")
    dark = keyword.evaluate("el => getComputedStyle(el).color")
    assert light != dark, f"the keyword colour stayed {light}"


def test_a_long_streamed_list_with_code_and_math(lab: Lab, page: Page) -> None:
    items = "\n".join(f"- item **{n}** with $x_{{{n}}}$" for n in range(1, 81))
    text = f"{items}\n\n```bash\necho done\n```"
    open_chat(lab, page, "long-list.ipynb", 'chat = ChatWidget(store=":memory:")\nchat')
    type_message(page, f"echo: {text}")
    reply = page.locator(DONE_REPLIES).first
    expect(reply.locator(".ckw-code-block")).to_have_count(1, timeout=60_000)
    expect(reply.locator("ul")).to_have_count(1)
    expect(reply.locator("ul > li")).to_have_count(80)
    expect(reply.locator("li .ckw-math .katex")).to_have_count(80)
    expect(reply.locator("ul > li").last).to_contain_text("item 80 with")
    expect(reply.locator("pre code.language-bash.hljs .hljs-built_in")).to_have_text("echo")


ASSET_REQUEST = re.compile(rb'"kind":"asset","id":"[^"]*","name":"(\w+)"')


def test_two_chats_share_katex_and_highlight_fetched_once_after_a_small_display(
    lab: Lab, page: Page
) -> None:
    """The display sends the UI core alone; the first formula and code block fetch their
    assets from the kernel, once for the page, and every chat on it renders with them."""
    sent: list[bytes] = []
    opened: list[int] = []  # the size of each widget model's comm_open frame

    def watch(ws: WebSocket) -> None:
        ws.on("framesent", lambda p: sent.append(_bytes(p)))
        ws.on("framereceived", lambda p: _record_display(_bytes(p), opened))

    page.on("websocket", watch)
    cell = 'ChatWidget(store=":memory:", height="380px")'
    open_chat(lab, page, "assets.ipynb", cell, cell)
    roots = page.locator(".ckw-root")
    expect(roots).to_have_count(2)
    assert opened and max(opened) <= 250_000, f"a chat's display sent {opened} bytes"

    for n in range(2):
        box = roots.nth(n).locator("textarea[aria-label=Message]")
        box.fill("echo: Then $x^2$, and\n\n```python\nx = 1\n```")
        box.press("Enter")
        reply = roots.nth(n).locator(DONE_REPLIES)
        expect(reply.locator(".ckw-math .katex")).to_have_count(1, timeout=60_000)
        expect(reply.locator("code.language-python.hljs .hljs-number")).to_have_text("1")
        expect(reply.locator(".ckw-math-pending")).to_have_count(0)
    asked = [name for frame in sent for name in ASSET_REQUEST.findall(frame)]
    assert sorted(asked) == [b"highlight", b"katex"], asked


def _record_display(frame: bytes, sizes: list[int]) -> None:
    if b'"comm_open"' in frame and b'"_esm"' in frame:
        sizes.append(len(frame))


def _bytes(payload: str | bytes) -> bytes:
    return payload if isinstance(payload, bytes) else payload.encode()

"""The JupyterLab sidebar: the chat panel, served by the Jupyter server extension.

Real JupyterLab (and Notebook 7) in headless Chromium, the real server extension and the
offline demo model. Every wait is on observable state.
"""

from __future__ import annotations

from playwright.sync_api import Page, expect

from ..support.chat_page import SETUP, TRACE, growth
from ..support.lab import Lab

SIDEBAR = "#chatkit-widget-sidebar"
DONE = f"{SIDEBAR} [data-item-type=assistant_message]:not([data-streaming])"
CELLS = "window.jupyterapp.shell.currentWidget.content.model.sharedModel.cells.map(c => c.source)"


def open_sidebar(lab: Lab, page: Page, name: str, cells: list[str]) -> None:
    """Open notebook ``name`` with ``cells``, then the chat with the "Open Chat" command."""
    lab.write_notebook(name, cells)
    lab.open(page, name)
    page.evaluate("window.jupyterapp.commands.execute('chatkit-widget:open')")
    composer = page.locator(f"{SIDEBAR} textarea[aria-label=Message]")
    expect(composer).to_be_focused(timeout=30_000)


def send(page: Page, text: str) -> None:
    box = page.locator(f"{SIDEBAR} textarea[aria-label=Message]")
    box.fill(text)
    box.press("Enter")


def cells(page: Page) -> list[str]:
    return list(page.evaluate(CELLS))


def test_open_chat_streams_a_reply_from_the_server_extension(lab: Lab, page: Page) -> None:
    open_sidebar(lab, page, "sidebar_stream.ipynb", ["a = 1"])
    panel = page.locator(SIDEBAR)
    expect(panel).to_contain_text("Offline demo model")  # the server's /info reached the header
    page.evaluate(TRACE.replace(".ckw-root [role=log]", f"{SIDEBAR} [role=log]"))
    send(page, "count to 40")
    # 1.2 s of tokens; in the full suite the Jupyter server also runs ~40 kernels on two cores,
    # and this first turn of its sidebar once needed more than expect's default 5 s (CI).
    expect(page.locator(DONE)).to_have_text(" ".join(str(i) for i in range(1, 41)), timeout=20_000)
    grew, seconds = growth(page)
    assert grew >= 5 and seconds > 0.3, f"the reply arrived in {grew} steps over {seconds:.2f} s"


def test_code_blocks_go_into_the_notebook(lab: Lab, page: Page) -> None:
    open_sidebar(lab, page, "sidebar_code.ipynb", ["a = 1", "b = 2"])
    page.evaluate("window.jupyterapp.shell.currentWidget.content.activeCellIndex = 0")
    send(page, "echo: With $x$:\n\n```python\nx = 41 + 1\n```")
    block = page.locator(f"{DONE} .ckw-code-block")
    # highlight.js and KaTeX come as the lab extension's own chunks.
    expect(block.locator("code.language-python.hljs .hljs-number").first).to_have_text("41")
    expect(page.locator(f"{DONE} .ckw-math .katex")).to_have_count(1)
    block.get_by_role("button", name="Insert below").click()
    expect(block.get_by_role("button", name="Insert below")).to_have_text("Inserted")
    assert cells(page) == ["a = 1", "x = 41 + 1", "b = 2"]
    page.evaluate("window.jupyterapp.shell.currentWidget.content.activeCellIndex = 2")
    block.get_by_role("button", name="Replace cell").click()
    expect(block.get_by_role("button", name="Replace cell")).to_have_text("Replaced")
    assert cells(page) == ["a = 1", "x = 41 + 1", "x = 41 + 1"]
    trusted = page.evaluate(
        "window.jupyterapp.shell.currentWidget.content.model.sharedModel.cells[1]"
        ".getMetadata('trusted')"
    )
    assert trusted is not True, "inserted cells are not marked trusted"


def test_the_agent_reads_edits_and_runs_the_notebook(lab: Lab, page: Page) -> None:
    open_sidebar(lab, page, "sidebar_tools.ipynb", ["total = 40 + 2\nprint(total)", "name = 'x'"])
    lab.run_all(page)
    page.wait_for_function(
        "window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.status === 'idle'"
        " && window.jupyterapp.shell.currentWidget.content.model.sharedModel.cells[1]"
        ".execution_count !== null"
    )
    page.evaluate("window.jupyterapp.shell.currentWidget.content.activeCellIndex = 0")

    # The start screen offers what the agent can do with the notebook.
    page.locator(SIDEBAR).get_by_role("button", name="Read the notebook").click()
    expect(page.locator(DONE).last).to_have_text(
        "sidebar_tools.ipynb has 2 cells; the active cell starts with: total = 40 + 2"
    )
    send(page, "what variables are defined")
    expect(page.locator(DONE).last).to_contain_text("total (int)")
    expect(page.locator(DONE).last).to_contain_text("name (str)")
    assert len(cells(page)) == 2, "listing variables left no trace in the notebook"

    send(page, "insert a cell: y = total * 2")
    expect(page.locator(DONE).last).to_have_text("Inserted a new cell below the active cell.")
    assert cells(page) == ["total = 40 + 2\nprint(total)", "y = total * 2", "name = 'x'"]

    # Running code waits for a person: nothing runs before Approve.
    page.evaluate("window.jupyterapp.shell.currentWidget.content.activeCellIndex = 0")
    count = (
        "window.jupyterapp.shell.currentWidget.content.model.sharedModel.cells[0].execution_count"
    )
    ran_before = page.evaluate(count)
    waiting = page.locator(f"{SIDEBAR} .ckw-tool[data-status=approval]")
    source = (
        "window.jupyterapp.shell.currentWidget.content.model.sharedModel.cells[0]"
        ".setSource('total = 1')"
    )
    # The person approves the code shown; a cell edited meanwhile is not run.
    send(page, "run the active cell")
    expect(waiting).to_have_count(1, timeout=30_000)
    expect(waiting).to_contain_text("run_cell")
    expect(waiting).to_contain_text("total = 40 + 2")
    # Each run of code is approved on its own: no "Always allow".
    expect(waiting.get_by_role("button")).to_have_text(["Approve", "Deny"])
    page.evaluate(source)
    waiting.get_by_role("button", name="Approve", exact=True).click()
    expect(page.locator(DONE).last).to_contain_text("not the code that was approved")
    assert page.evaluate(count) == ran_before, "an edited cell ran"
    page.evaluate(source.replace("total = 1", "total = 40 + 2\\nprint(total)"))
    send(page, "run the active cell")
    expect(waiting).to_have_count(1, timeout=30_000)
    assert page.evaluate(count) == ran_before, "the cell ran before anyone approved"
    waiting.get_by_role("button", name="Approve", exact=True).click()
    page.wait_for_function(f"{count} > {ran_before}")
    expect(page.locator(DONE).last).to_contain_text("Ran the cell. It printed:")
    expect(page.locator(DONE).last).to_contain_text("42")


def test_an_attached_cell_reaches_the_agent(lab: Lab, page: Page) -> None:
    open_sidebar(lab, page, "sidebar_context.ipynb", ["import math\nmath.pi", "b = 2"])
    page.evaluate("window.jupyterapp.shell.currentWidget.content.activeCellIndex = 0")
    page.evaluate("window.jupyterapp.commands.execute('chatkit-widget:add-active-cell')")
    chip = page.locator(f"{SIDEBAR} .ckw-composer [data-context-id]")
    expect(chip).to_have_count(1)
    expect(chip).to_contain_text("Cell 1 of sidebar_context.ipynb")
    send(page, "what does this do?")
    expect(page.locator(DONE).last).to_have_text(
        "You attached context that starts with: import math"
    )
    expect(chip).to_have_count(0)  # sent with the message; the next one starts clean
    sent = page.locator(f"{SIDEBAR} [data-item-type=user_message] [data-context-id]")
    expect(sent).to_contain_text("Cell 1 of sidebar_context.ipynb")  # the message shows it


def test_history_shows_each_conversations_notebook_and_lists_one_notebooks(
    lab: Lab, page: Page
) -> None:
    lab.write_notebook("history_b.ipynb", ["b = 2"])
    open_sidebar(lab, page, "history_a.ipynb", ["a = 1"])
    send(page, "hello from notebook a")
    expect(page.locator(DONE)).to_have_count(1, timeout=30_000)

    def switch_to(name: str) -> None:
        page.evaluate(f"window.jupyterapp.commands.execute('docmanager:open', {{path: '{name}'}})")
        page.wait_for_function(f"window.jupyterapp.shell.currentWidget?.context?.path === '{name}'")

    switch_to("history_b.ipynb")
    panel = page.locator(SIDEBAR)
    panel.get_by_role("button", name="New chat").click()
    send(page, "hello from notebook b")
    expect(page.locator(DONE)).to_have_count(1, timeout=30_000)

    panel.get_by_role("button", name="History").click()
    rows = panel.locator(".ckw-history-row")
    row_a = rows.filter(has_text="hello from notebook a")
    row_b = rows.filter(has_text="hello from notebook b")
    expect(row_a.locator(".ckw-history-notebook")).to_have_text("history_a.ipynb")
    expect(row_b.locator(".ckw-history-notebook")).to_have_text("history_b.ipynb")
    scope = panel.get_by_role("button", name="This notebook")
    scope.click()
    expect(scope).to_have_attribute("aria-pressed", "true")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("hello from notebook b")
    # Back in the first notebook, the list follows it.
    switch_to("history_a.ipynb")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("hello from notebook a")


def test_a_reload_mid_reply_shows_the_reply_continuing(lab: Lab, page: Page) -> None:
    open_sidebar(lab, page, "sidebar_reload.ipynb", ["a = 1"])
    send(page, "count to 400")  # 12 s: still streaming after the reload
    streaming = page.locator(f"{SIDEBAR} [data-item-type=assistant_message][data-streaming]")
    expect(streaming).to_contain_text("1 2 3 4 5", timeout=30_000)
    page.reload()
    lab.open(page, "sidebar_reload.ipynb")
    page.evaluate("window.jupyterapp.commands.execute('chatkit-widget:open')")
    # The reloaded page reopens the conversation and reattaches to the running turn.
    expect(streaming).to_contain_text("1 2 3 4 5", timeout=30_000)
    expect(page.locator(DONE).last).to_contain_text("398 399 400", timeout=30_000)


def test_a_cell_approved_after_a_reload_and_a_rename_runs_where_its_turn_started(
    lab: Lab, page: Page
) -> None:
    open_sidebar(lab, page, "sidebar_reload_tools.ipynb", ["print(6 * 7)"])
    lab.run_all(page)
    page.wait_for_function(
        "window.jupyterapp.shell.currentWidget.content.model.sharedModel.cells[0]"
        ".execution_count !== null"
    )
    page.evaluate("window.jupyterapp.shell.currentWidget.content.activeCellIndex = 0")
    send(page, "run the active cell")
    waiting = page.locator(f"{SIDEBAR} .ckw-tool[data-status=approval]")
    expect(waiting).to_have_count(1, timeout=30_000)
    ran = page.evaluate(
        "window.jupyterapp.shell.currentWidget.content.model.sharedModel.cells[0].execution_count"
    )

    page.reload()
    lab.open(page, "sidebar_reload_tools.ipynb")
    # The notebook is renamed, and the user is in another one when they approve: the cell
    # runs where the turn started.
    page.evaluate(
        "window.jupyterapp.serviceManager.contents"
        ".rename('sidebar_reload_tools.ipynb', 'sidebar_renamed.ipynb')"
    )
    page.wait_for_function(
        "window.jupyterapp.shell.currentWidget?.context?.path === 'sidebar_renamed.ipynb'"
    )
    lab.write_notebook("sidebar_elsewhere.ipynb", ["print('elsewhere')"])
    page.evaluate(
        "window.jupyterapp.commands.execute('docmanager:open', {path: 'sidebar_elsewhere.ipynb'})"
    )
    page.wait_for_function(
        "window.jupyterapp.shell.currentWidget?.context?.path === 'sidebar_elsewhere.ipynb'"
    )
    page.evaluate("window.jupyterapp.commands.execute('chatkit-widget:open')")
    expect(waiting).to_have_count(1, timeout=30_000)
    waiting.get_by_role("button", name="Approve", exact=True).click()
    expect(page.locator(DONE).last).to_contain_text("Ran the cell. It printed:", timeout=30_000)
    expect(page.locator(DONE).last).to_contain_text("42")
    # One row for one run: the approval row gives way to the call's row, with its outputs.
    expect(page.locator(f"{SIDEBAR} .ckw-tool", has_text="run_cell")).to_have_count(1)
    count = page.evaluate(
        "window.jupyterapp.shell.widgets('main').find(w => w.context?.path =="
        " 'sidebar_renamed.ipynb').content.model.sharedModel.cells[0].execution_count"
    )
    assert count > ran, "the approved cell ran in the notebook the turn started in"


def test_the_cell_widget_offers_insert_below_with_the_extension(lab: Lab, page: Page) -> None:
    lab.write_notebook("sidebar_cell_widget.ipynb", [SETUP, "chat = ChatWidget()\nchat", "c = 3"])
    lab.open(page, "sidebar_cell_widget.ipynb")
    lab.run_all(page)
    box = page.locator(".jp-OutputArea .ckw-root textarea[aria-label=Message]")
    box.wait_for(timeout=60_000)
    box.fill("echo: ```python\nz = 9\n```")
    box.press("Enter")
    # The finished reply's block (a streaming one is re-rendered when its fence closes).
    done = ".jp-OutputArea [data-item-type=assistant_message]:not([data-streaming])"
    block = page.locator(f"{done} .ckw-code-block").last
    expect(block.get_by_role("button", name="Copy code")).to_be_visible(timeout=30_000)
    # The user works in cell 3; clicking in the chat makes the chat's cell active, yet the
    # code goes below the cell the user was in, and the chat's own cell is left alone.
    page.evaluate("window.jupyterapp.shell.currentWidget.content.activeCellIndex = 2")
    block.get_by_role("button", name="Insert below").click()
    expect(block.get_by_role("button", name="Insert below")).to_have_text("Inserted")
    assert cells(page)[1:] == ["chat = ChatWidget()\nchat", "c = 3", "z = 9"]


def test_the_panel_in_notebook_7(lab: Lab, page: Page) -> None:
    lab.write_notebook("sidebar_nb7.ipynb", ["a = 1"])
    page.goto(f"{lab.url}/notebooks/sidebar_nb7.ipynb?token={lab.token}")
    page.locator(".jp-Notebook").wait_for(timeout=60_000)
    page.locator(".jp-Notebook").click()
    page.keyboard.press("Control+Shift+2")  # the rebindable shortcut of "Open Chat"
    composer = page.locator(f"{SIDEBAR} textarea[aria-label=Message]")
    expect(composer).to_be_focused(timeout=30_000)
    send(page, "count to 5")
    expect(page.locator(DONE)).to_have_text("1 2 3 4 5")


def test_a_cell_chat_widget_opens_in_the_sidebar_until_its_kernel_restarts(
    lab: Lab, page: Page
) -> None:
    lab.write_notebook("sidebar_mirror.ipynb", [SETUP, "chat = ChatWidget()\nchat"])
    lab.open(page, "sidebar_mirror.ipynb")
    lab.run_all(page)
    page.locator(".jp-OutputArea .ckw-root textarea").wait_for(timeout=60_000)
    page.evaluate("window.jupyterapp.shell.currentWidget.content.activeCellIndex = 1")
    page.evaluate("window.jupyterapp.commands.execute('chatkit-widget:open-widget-in-sidebar')")
    mirror = page.locator(".ckw-lab-mirror .ckw-root")
    box = mirror.locator("textarea[aria-label=Message]")
    expect(box).to_be_visible(timeout=30_000)
    # A live view of the kernel's widget: a turn sent here shows in the cell too.
    box.fill("count to 5")
    box.press("Enter")
    done = "[data-item-type=assistant_message]:not([data-streaming])"
    expect(mirror.locator(done)).to_have_text("1 2 3 4 5", timeout=30_000)
    expect(page.locator(f".jp-OutputArea {done}")).to_have_text("1 2 3 4 5")
    lab.restart_kernel(page)
    expect(page.locator(".ckw-lab-mirror")).to_have_count(0, timeout=30_000)

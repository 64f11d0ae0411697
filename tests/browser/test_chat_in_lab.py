"""The chat in real JupyterLab, in headless Chromium, as a user sees it.

Every wait is on observable state (a selector, a DOM condition, the kernel's answer);
none is a fixed sleep.
"""

from __future__ import annotations

from playwright.sync_api import Page, expect

from ..support.chat_page import DONE_REPLIES, SETUP, TRACE, growth, open_chat, type_message
from ..support.lab import Lab


def test_typed_turn_streams_progressively_with_live_tool_rows(lab: Lab, page: Page) -> None:
    open_chat(lab, page, "typed.ipynb", "chat = ChatWidget()\nchat")
    expect(page.locator(".ckw-root [data-role=offline-badge]")).to_have_text("Offline demo model")
    page.evaluate(TRACE)
    type_message(page, "count to 60")
    # the optimistic message shows before the kernel answers
    expect(page.locator("[data-item-type=user_message]").first).to_have_text("count to 60")
    expect(page.locator("[data-role=working]")).to_be_visible()
    expect(page.locator("button[aria-label=Stop]")).to_be_visible()
    reply = page.locator(DONE_REPLIES).first
    expect(reply).to_have_text(" ".join(str(i) for i in range(1, 61)), timeout=30_000)
    updates, seconds = growth(page)
    assert updates >= 10, f"the reply arrived in {updates} DOM updates"
    assert seconds >= 0.5, f"all updates within {seconds:.2f} s"
    expect(page.locator("button[aria-label=Send]")).to_be_visible()

    type_message(page, "add a task: buy milk")
    row = page.locator("[data-item-type=task][data-tool-name=add_task]")
    expect(row).to_have_attribute("data-status", "success", timeout=30_000)
    expect(page.locator(DONE_REPLIES).nth(1)).to_contain_text("buy milk", timeout=30_000)
    type_message(page, "list tasks")
    expect(page.locator(DONE_REPLIES).nth(2)).to_contain_text("buy milk", timeout=30_000)
    page.screenshot(path="test-results/typed-turns.png")


def test_tool_row_goes_pending_then_success(lab: Lab, page: Page) -> None:
    slow_tool = (
        "import asyncio\nfrom agents import function_tool\n"
        "@function_tool\nasync def add_task(title: str) -> str:\n"
        "    '''Add a task.'''\n    await asyncio.sleep(1.5)\n"
        "    return f'Added task #1: {title}'\n"
        "chat = ChatWidget(agent=Agent(name='slow tools', model=OfflineDemoModel(), "
        "tools=[add_task]), store=':memory:')\nchat"
    )
    open_chat(lab, page, "tool.ipynb", slow_tool)
    type_message(page, "add a task: call the bank")
    row = page.locator("[data-item-type=task][data-tool-name=add_task]")
    expect(row).to_have_attribute("data-status", "pending", timeout=30_000)
    expect(row).to_contain_text("Running")
    expect(row).to_have_attribute("data-status", "success", timeout=30_000)
    row.locator("summary").click()
    expect(row).to_contain_text('"title": "call the bank"')
    expect(row).to_contain_text("Added task #1: call the bank")
    expect(page.locator(DONE_REPLIES).first).to_contain_text("call the bank")


def test_send_from_the_last_cell_streams_while_the_kernel_is_idle(lab: Lab, page: Page) -> None:
    # A model that really waits 0.15 s between words; the turn starts from Python in the last
    # cell and nothing else runs afterwards: the reply must still arrive word by word.
    lab.write_notebook(
        "send.ipynb",
        [
            SETUP,
            "slow = OfflineDemoModel(delay=0.15)\n"
            "chat = ChatWidget(agent=demo_agent(model=slow), store=':memory:')\nchat",
            "task = chat.send('count to 25')",
        ],
    )
    lab.open(page, "send.ipynb")
    lab.run_all(page)
    page.locator(".ckw-root [role=log]").wait_for(timeout=60_000)
    page.evaluate(TRACE)
    reply = page.locator(DONE_REPLIES).first
    expect(reply).to_have_text(" ".join(str(i) for i in range(1, 26)), timeout=30_000)
    updates, seconds = growth(page)
    assert updates >= 8, f"the reply arrived in {updates} DOM updates"
    assert seconds >= 1.0, f"all updates within {seconds:.2f} s"
    assert lab.execute(page, "print(task.result())").strip().endswith("24 25")


def test_stop_cancels_a_long_reply_and_keeps_the_partial_text(lab: Lab, page: Page) -> None:
    open_chat(lab, page, "stop.ipynb", "chat = ChatWidget(store=':memory:')\nchat")
    type_message(page, "count to 400")
    streaming = page.locator("[data-item-type=assistant_message][data-streaming=true]")
    page.wait_for_function(
        "() => { const r = document.querySelector('[data-item-type=assistant_message]');"
        " return r && r.textContent.split(' ').length >= 10; }",
        timeout=30_000,
    )
    expect(streaming).to_have_count(1)
    page.locator("button[aria-label=Stop]").click()
    stopped = page.locator("[data-item-type=assistant_message][data-stopped=true]")
    expect(stopped).to_have_count(1, timeout=10_000)
    expect(stopped).to_contain_text("Stopped")
    expect(page.locator("button[aria-label=Send]")).to_be_visible()
    shown = stopped.locator(".ckw-markdown, .ckw-message-body").first.inner_text().strip()
    kept = lab.execute(page, "m = chat.messages[-1]; print(m['stopped'], '|', m['text'])")
    assert kept.startswith("True | 1 2 3")
    assert "400" not in kept
    assert kept.split("|", 1)[1].strip().startswith(shown.split("\n")[0][:20])


def test_a_reply_cut_by_a_kernel_restart_comes_back_interrupted_and_retry_completes_it(
    lab: Lab, page: Page
) -> None:
    open_chat(lab, page, "restart.ipynb", "chat = ChatWidget()\nchat")
    type_message(page, "add a task: renew passport")
    expect(page.locator(DONE_REPLIES).first).to_contain_text("renew passport", timeout=30_000)
    thread_id = lab.execute(page, "print(chat.thread_id)").strip()
    assert thread_id.startswith("thr_")

    type_message(page, "count to 300")
    streaming = page.locator("[data-item-type=assistant_message][data-streaming]")
    expect(streaming).to_contain_text(" 60 ", timeout=30_000)  # two seconds in: checkpointed
    box = page.locator(".ckw-root textarea[aria-label=Message]")
    box.fill("a draft typed before the restart")
    # Kernel > Restart Kernel…, confirmed, while the reply streams.
    # Not awaited: the command resolves only once its dialog is answered.
    page.evaluate("() => { window.jupyterapp.commands.execute('kernelmenu:restart'); }")
    page.get_by_role("button", name="Confirm Kernel Restart").click()
    # The old output says its kernel is gone: composer off with the draft kept, no History.
    root = page.locator(".ckw-root")
    expect(root).to_have_attribute("data-disconnected", "true", timeout=30_000)
    expect(root.locator(".ckw-composer-notice")).to_contain_text("run its cell again")
    expect(box).to_have_attribute("readonly", "")
    expect(box).to_have_attribute("aria-disabled", "true")
    expect(box).to_have_value("a draft typed before the restart")
    expect(root.get_by_role("button", name="History", exact=True)).to_be_disabled()
    expect(root.get_by_role("button", name="New chat", exact=True)).to_be_disabled()
    expect(root.locator(DONE_REPLIES).first).to_contain_text("renew passport")
    # The cut reply already says what a reload will: interrupted, with no Retry to nowhere.
    expect(root.locator(".ckw-incomplete-label")).to_have_text(
        "Interrupted: the kernel or server running it stopped"
    )
    expect(root.locator(".ckw-error")).to_have_count(0)
    page.wait_for_function(
        "() => window.jupyterapp.shell.currentWidget.sessionContext.session?.kernel?.status"
        " === 'idle'",
        timeout=60_000,
    )
    page.evaluate("window.jupyterapp.commands.execute('notebook:clear-all-cell-outputs')")
    lab.execute(page, SETUP)
    page.evaluate(
        "async (code) => { const nb = window.jupyterapp.shell.currentWidget;"
        " nb.content.activeCellIndex = 1; nb.content.activeCell.model.sharedModel.setSource(code);"
        " await window.jupyterapp.commands.execute('notebook:run-cell'); }",
        "chat = ChatWidget()\nchat",
    )
    # A new chat, with the conversation from before the restart one click away.
    resume = page.locator(".ckw-root .ckw-resume")
    expect(resume).to_have_accessible_name("Continue: add a task: renew passport", timeout=30_000)
    resume.click()
    # What streamed before the restart is there, said to be interrupted, with Retry.
    cut = page.locator("[data-item-type=assistant_message][data-incomplete]")
    expect(cut.locator(".ckw-incomplete-label")).to_have_text(
        "Interrupted: the kernel or server running it stopped", timeout=30_000
    )
    # The kernel switched threads before it sent the items the page now shows.
    assert lab.execute(page, "print(chat.thread_id)").strip() == thread_id
    expect(cut).to_contain_text("1 2 3 4 5 6 7 8 9 10")
    assert lab.execute(page, "print(chat.messages[-1]['incomplete'])").strip() == "True"
    cut.hover()
    page.screenshot(path="test-results/interrupted-reply.png")
    cut.get_by_role("button", name="Retry").click()
    full = " ".join(str(i) for i in range(1, 301))
    expect(page.locator(DONE_REPLIES).nth(1)).to_have_text(full, timeout=30_000)
    expect(page.locator("[data-item-type=assistant_message][data-incomplete]")).to_have_count(0)
    type_message(page, "list tasks")
    expect(page.locator(DONE_REPLIES).nth(2)).to_contain_text("renew passport", timeout=30_000)


def test_theme_follows_jupyterlab_light_and_dark(lab: Lab, page: Page) -> None:
    open_chat(lab, page, "theme.ipynb", "chat = ChatWidget(store=':memory:')\nchat")
    root = page.locator(".ckw-root")
    expect(root).to_have_attribute("data-theme", "light")
    light = root.evaluate("e => getComputedStyle(e).backgroundColor")
    page.evaluate(
        "window.jupyterapp.commands.execute('apputils:change-theme', {theme: 'JupyterLab Dark'})"
    )
    expect(root).to_have_attribute("data-theme", "dark", timeout=30_000)
    dark = root.evaluate("e => getComputedStyle(e).backgroundColor")
    assert light != dark
    page.evaluate(
        "window.jupyterapp.commands.execute('apputils:change-theme', {theme: 'JupyterLab Light'})"
    )
    expect(root).to_have_attribute("data-theme", "light", timeout=30_000)


def test_keyboard_stays_in_the_composer(lab: Lab, page: Page) -> None:
    open_chat(lab, page, "keys.ipynb", "chat = ChatWidget(store=':memory:')\nchat")
    cells = "window.jupyterapp.shell.currentWidget.content.widgets.length"
    before = page.evaluate(cells)
    box = page.locator(".ckw-root textarea[aria-label=Message]")
    box.click()
    # In JupyterLab's command mode "a", "b" and "d d" add and delete cells: not from here.
    page.keyboard.type("a b dd")
    box.press("Shift+Enter")
    page.keyboard.type("second line")
    expect(box).to_have_value("a b dd\nsecond line")
    assert page.evaluate(cells) == before
    box.press("Enter")
    expect(page.locator("[data-item-type=user_message]").first).to_have_text("a b dd\nsecond line")
    expect(box).to_have_value("")


def test_an_error_row_offers_retry(lab: Lab, page: Page) -> None:
    flaky = (
        "class Flaky(OfflineDemoModel):\n"
        "    calls = 0\n"
        "    async def stream_response(self, *args, **kwargs):\n"
        "        Flaky.calls += 1\n"
        "        if Flaky.calls == 1:\n"
        "            raise ConnectionError('model server unreachable')\n"
        "        async for event in super().stream_response(*args, **kwargs):\n"
        "            yield event\n"
        "chat = ChatWidget(agent=Agent(name='flaky', model=Flaky()), store=':memory:')\nchat"
    )
    open_chat(lab, page, "retry.ipynb", flaky)
    type_message(page, "count to 7")
    error = page.locator("[data-item-type=error][role=alert]")
    expect(error).to_contain_text("model server unreachable", timeout=30_000)
    error.locator("button[aria-label=Retry]").click()
    expect(page.locator(DONE_REPLIES).first).to_have_text("1 2 3 4 5 6 7", timeout=30_000)
    expect(error).to_have_count(0)
    assert lab.execute(page, "print([m['role'] for m in chat.messages])").strip() == (
        "['user', 'assistant']"
    )


def test_interrupting_a_cell_that_awaits_ask_stops_the_turn(lab: Lab, page: Page) -> None:
    open_chat(lab, page, "interrupt.ipynb", "chat = ChatWidget(store=':memory:')\nchat")
    lab.start_execute(page, "reply = await chat.ask('count to 400')")
    page.wait_for_function(
        "() => { const r = document.querySelector('[data-item-type=assistant_message]');"
        " return r && r.textContent.split(' ').length >= 10; }",
        timeout=30_000,
    )
    lab.interrupt_kernel(page)
    assert "ERROR CancelledError" in lab.executed_output(page)
    expect(page.locator("[data-item-type=assistant_message][data-stopped=true]")).to_have_count(1)
    expect(page.locator("button[aria-label=Send]")).to_be_visible()
    kept = lab.execute(page, "m = chat.messages[-1]; print(m['stopped'], m['text'][:6])")
    assert kept.strip() == "True 1 2 3"


def test_two_views_of_one_chat_show_the_same_turn(lab: Lab, page: Page) -> None:
    open_chat(lab, page, "views.ipynb", "chat = ChatWidget(store=':memory:')\nchat", "chat")
    views = page.locator(".ckw-root")
    expect(views).to_have_count(2)
    first, second = views.nth(0), views.nth(1)
    box = first.locator("textarea[aria-label=Message]")
    box.fill("add a task: feed the cat")
    box.press("Enter")
    for view in (first, second):
        expect(view.locator("[data-item-type=task]")).to_have_attribute(
            "data-status", "success", timeout=30_000
        )
        expect(view.locator(DONE_REPLIES)).to_contain_text("feed the cat", timeout=30_000)
    # the other view can go on with the same conversation
    other = second.locator("textarea[aria-label=Message]")
    other.fill("list tasks")
    other.press("Enter")
    for view in (first, second):
        expect(view.locator(DONE_REPLIES).nth(1)).to_contain_text("feed the cat", timeout=30_000)
    # a rating and a rename made in one view show in the other
    first.locator(DONE_REPLIES).nth(1).get_by_role("button", name="Good response").click()
    good = second.locator(DONE_REPLIES).nth(1).get_by_role("button", name="Good response")
    expect(good).to_have_attribute("aria-pressed", "true", timeout=10_000)
    first.get_by_role("button", name="History").click()
    panel = first.get_by_role("dialog", name="History")
    panel.get_by_role("button", name="Rename").first.click()
    title = panel.get_by_role("textbox", name="Conversation title")
    title.fill("Cat duties")
    title.press("Enter")
    expect(second.locator(".ckw-title")).to_have_text("Cat duties", timeout=10_000)


def test_stop_in_the_ui_while_a_cell_awaits_ask(lab: Lab, page: Page) -> None:
    open_chat(lab, page, "await.ipynb", "chat = ChatWidget(store=':memory:')\nchat")
    lab.start_execute(
        page,
        "try:\n    reply = await chat.ask('count to 400')\n"
        "except Exception as e:\n    print(type(e).__name__, e)",
    )
    page.wait_for_function(
        "() => { const r = document.querySelector('[data-item-type=assistant_message]');"
        " return r && r.textContent.split(' ').length >= 10; }",
        timeout=30_000,
    )
    page.locator("button[aria-label=Stop]").click()
    expect(page.locator("[data-item-type=assistant_message][data-stopped=true]")).to_have_count(1)
    assert lab.executed_output(page).strip() == (
        "ChatError The turn was stopped before it finished."
    )

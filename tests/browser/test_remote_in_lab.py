"""Remote backends in real JupyterLab: a ChatWidget talking HTTP to real servers, as a user sees it.

The servers (``tests.support.remote_servers``) run in the notebook's kernel, next to the
backend that talks to them; the test reads what they recorded through the kernel. Every wait is on
observable state (a selector, a DOM condition, the kernel's answer); none is a fixed sleep.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from playwright.sync_api import Page, expect

from ..support.chat_page import DONE_REPLIES, TRACE, growth, open_chat, type_message
from ..support.lab import Lab

REPO = Path(__file__).resolve().parents[2]

# The kernel runs in the lab's notebook folder: the test servers come from this checkout.
SERVERS = f"""
import json, sys
from contextlib import ExitStack
sys.path.insert(0, {str(REPO)!r})
from chatkit_widget import ChatKitBackend, RetryConfig, SSEBackend
from tests.support.http_servers import serve_app
from tests.support.remote_servers import (
    FaultServer, RecordingChatKitServer, SSEChatAPI, chatkit_app, cut_after, fault_app,
    sse_chat_app, unauthorized,
)
servers = ExitStack()  # kept open as long as the kernel lives
"""

# Records whether anything a 401-and-refresh must not show ever showed during the turn.
WATCH_FOR_TROUBLE = """() => {
    window.__trouble = [];
    const root = document.querySelector('.ckw-root');
    const look = () => {
        if (root.querySelector('[data-item-type=error]')) window.__trouble.push('error row');
        if (root.querySelector('.ckw-retry')) window.__trouble.push('Retry');
        const progress = root.querySelector('.ckw-progress');
        if (progress && progress.textContent.trim())
            window.__trouble.push(`progress: ${progress.textContent}`);
        if (/not authori[sz]ed/i.test(root.textContent))
            window.__trouble.push('not authorized text');
    };
    new MutationObserver(look).observe(root, {
        subtree: true, childList: true, characterData: true, attributes: true,
    });
}"""


def kernel_json(lab: Lab, page: Page, expression: str) -> object:
    """The value of ``expression`` in the kernel, through JSON."""
    out = lab.execute(page, f"print(json.dumps({expression}))").strip()
    assert not out.startswith("ERROR"), out
    return json.loads(out)


def test_a_chatkit_server_reply_streams_into_the_page(lab: Lab, page: Page) -> None:
    open_chat(
        lab,
        page,
        "remote-stream.ipynb",
        SERVERS,
        "server = RecordingChatKitServer(token='t0k', word_delay=0.25)\n"
        "base = servers.enter_context(serve_app(chatkit_app(server)))\n"
        "chat = ChatWidget(backend=ChatKitBackend(f'{base}/chatkit', token='t0k',"
        " retry=RetryConfig(retry_delay=0.05)))\nchat",
    )
    page.evaluate(TRACE)
    type_message(page, "hello from the lab")
    expect(page.locator("[data-item-type=user_message]")).to_have_text("hello from the lab")
    streaming = page.locator("[data-item-type=assistant_message][data-streaming=true]")
    expect(streaming).to_have_count(1, timeout=30_000)
    expect(streaming).to_contain_text("You said:")
    expect(page.locator("button[aria-label=Stop]")).to_be_visible()
    reply = page.locator(DONE_REPLIES)
    expect(reply).to_have_text("You said: hello from the lab", timeout=30_000)
    expect(streaming).to_have_count(0)
    expect(page.locator("button[aria-label=Stop]")).to_be_hidden()
    expect(page.locator("button[aria-label=Send]")).to_be_visible()
    updates, seconds = growth(page)
    assert updates >= 4, f"the reply arrived in {updates} DOM updates"
    assert seconds >= 0.5, f"all updates within {seconds:.2f} s"

    assert kernel_json(lab, page, "[(m['role'], m['text']) for m in chat.messages]") == [
        ["user", "hello from the lab"],
        ["assistant", "You said: hello from the lab"],
    ]
    assert kernel_json(lab, page, "server.responded") == ["hello from the lab"]
    auths = kernel_json(lab, page, "server.authorizations")
    assert isinstance(auths, list) and auths and set(auths) == {"Bearer t0k"}

    # the history panel lists the thread, under the title the server gave it
    page.locator(".ckw-root").get_by_role("button", name="History", exact=True).click()
    panel = page.locator(".ckw-root").get_by_role("dialog", name="History")
    expect(panel.locator(".ckw-history-title")).to_have_text(["hello from the lab"])
    assert "threads.list" in str(kernel_json(lab, page, "server.request_types()"))


def test_a_401_renewed_by_the_token_provider_is_invisible(lab: Lab, page: Page) -> None:
    open_chat(
        lab,
        page,
        "remote-401.ipynb",
        SERVERS,
        "faults = FaultServer().plan(unauthorized(unless_token='fresh'))\n"
        "base = servers.enter_context(serve_app(fault_app(faults)))\n"
        "provided = []\n"
        "def provide():\n"
        "    provided.append('fresh')\n"
        "    return 'fresh'\n"
        "chat = ChatWidget(backend=ChatKitBackend(f'{base}/chatkit', token='stale',"
        " token_provider=provide, retry=RetryConfig(retry_delay=0.05)))\nchat",
    )
    page.evaluate(WATCH_FOR_TROUBLE)
    type_message(page, "are you there")
    expect(page.locator(DONE_REPLIES)).to_have_text("You said: are you there", timeout=30_000)
    expect(page.locator("button[aria-label=Send]")).to_be_visible()
    root = page.locator(".ckw-root")
    expect(root.locator("[data-item-type=error]")).to_have_count(0)
    # (a reply's own toolbar has a Retry action: the error row's Retry is what must not show)
    expect(root.locator(".ckw-retry")).to_have_count(0)
    expect(root).not_to_contain_text("Not authorized")
    expect(root.locator(".ckw-progress")).to_have_text("")
    assert page.evaluate("window.__trouble") == []

    assert kernel_json(lab, page, "provided") == ["fresh"]
    turns = kernel_json(lab, page, "[(r.type, r.authorization) for r in faults.turns]")
    assert isinstance(turns, list)
    # the turn was sent twice: refused with the stale token, then served with the fresh one
    assert turns == [["threads.create", "Bearer stale"], ["threads.create", "Bearer fresh"]]
    requests = kernel_json(lab, page, "[(r.type, r.authorization) for r in faults.requests]")
    assert isinstance(requests, list)
    # (the new chat's "Continue" offer lists threads first, with the token of the time)
    renewed = requests.index(["threads.create", "Bearer fresh"])
    assert all(auth == "Bearer fresh" for _, auth in requests[renewed:]), requests
    # the fresh token stays: the next turn asks for no other
    type_message(page, "still there")
    expect(page.locator(DONE_REPLIES).nth(1)).to_have_text("You said: still there", timeout=30_000)
    assert kernel_json(lab, page, "faults.authorizations[-1]") == "Bearer fresh"
    assert kernel_json(lab, page, "provided") == ["fresh"]
    assert page.evaluate("window.__trouble") == []


def test_server_built_workflows_and_sources_render(lab: Lab, page: Page) -> None:
    open_chat(
        lab,
        page,
        "remote-items.ipynb",
        SERVERS,
        "server = RecordingChatKitServer(token='t0k')\n"
        "base = servers.enter_context(serve_app(chatkit_app(server)))\n"
        "chat = ChatWidget(backend=ChatKitBackend(f'{base}/chatkit', token='t0k'))\nchat",
    )
    type_message(page, "show me a workflow")
    expect(page.locator(DONE_REPLIES)).to_have_text("Workflow done.", timeout=30_000)
    workflow = page.locator("[data-item-type=workflow]")
    expect(workflow).to_have_attribute("data-status", "success")
    expect(workflow).to_have_attribute("data-workflow-type", "custom")
    toggle = workflow.get_by_role("button").first
    expect(toggle).to_have_text("Did some work")
    expect(toggle).to_have_attribute("aria-expanded", "true")  # the server said expanded
    tasks = workflow.locator("li.ckw-workflow-task")
    expect(tasks).to_have_count(2)
    custom = tasks.nth(0)
    expect(custom).to_have_attribute("data-task-type", "custom")
    expect(custom).to_have_attribute("data-status", "success")
    expect(custom.locator(".ckw-workflow-task-title")).to_have_text("Looked things up")
    expect(custom).to_contain_text("Found 3 results")
    expect(custom.locator("strong")).to_have_text("3")  # its content is markdown
    image = tasks.nth(1)
    expect(image).to_have_attribute("data-task-type", "image")
    expect(image).to_have_attribute("data-status", "success")
    expect(image.locator(".ckw-workflow-task-title")).to_have_text("Drew a picture")
    expect(tasks.locator(".ckw-workflow-task-icon svg")).to_have_count(2)
    toggle.click()  # the user can fold it
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(workflow.locator("ol.ckw-workflow-tasks")).to_be_hidden()

    type_message(page, "cite your sources")
    reply = page.locator(DONE_REPLIES).nth(1)
    expect(reply).to_contain_text("See Task 42 and the doc.", timeout=30_000)
    sources = reply.get_by_role("list", name="Sources")
    expect(sources.get_by_role("listitem")).to_have_count(2)
    entity = sources.get_by_role("listitem").nth(0)
    expect(entity).to_have_text("Task 42")
    expect(entity.get_by_role("link")).to_have_count(0)  # an entity is not a web page
    link = sources.get_by_role("link", name="Example doc")
    expect(link).to_have_attribute("href", "https://example.com/doc")
    expect(link).to_have_attribute("target", "_blank")
    expect(link).to_have_attribute("rel", "noopener noreferrer")
    expect(sources.get_by_role("listitem").nth(1)).to_have_text("Example doc · example.com")
    page.screenshot(path="test-results/remote-items.png")


def test_an_sse_chat_api_streams_text_and_tool_rows(lab: Lab, page: Page) -> None:
    open_chat(
        lab,
        page,
        "remote-sse.ipynb",
        SERVERS,
        "api = SSEChatAPI(token='s33d', delay=0.2)\n"
        "base = servers.enter_context(serve_app(sse_chat_app(api)))\n"
        "chat = ChatWidget(backend=SSEBackend(f'{base}/api/chat', token='s33d'))\nchat",
    )
    page.evaluate(TRACE)
    type_message(page, "look it up with the tool")
    row = page.locator("[data-item-type=task][data-tool-name=lookup]")
    expect(row).to_have_attribute("data-status", "success", timeout=30_000)
    expect(page.locator(DONE_REPLIES)).to_have_text("Found 3 cats.", timeout=30_000)
    row.locator("summary").click()
    expect(row).to_contain_text('"q": "cats"')
    expect(row).to_contain_text("3 cats found")
    # the tool row comes before the reply, as the server said them
    types = page.locator("[role=log] [data-item-type]").evaluate_all(
        "rows => rows.map((r) => r.dataset.itemType)"
    )
    assert types == ["user_message", "task", "assistant_message"]
    updates, _ = growth(page)
    assert updates >= 2, f"the reply arrived in {updates} DOM updates"

    type_message(page, "and once more")
    expect(page.locator(DONE_REPLIES).nth(1)).to_have_text(
        "You said: and once more", timeout=30_000
    )
    # both turns went to one conversation on the server
    conversations = kernel_json(lab, page, "api.conversation_ids")
    assert isinstance(conversations, list) and len(conversations) == 2
    assert conversations[0] == conversations[1]
    assert kernel_json(lab, page, "list(api.conversations)") == [conversations[0]]
    assert kernel_json(lab, page, "[(m['role'], m['text']) for m in chat.messages][-2:]") == [
        ["user", "and once more"],
        ["assistant", "You said: and once more"],
    ]


def test_a_reply_cut_by_the_network_is_kept_marked_and_retried(lab: Lab, page: Page) -> None:
    open_chat(
        lab,
        page,
        "remote-cut.ipynb",
        SERVERS,
        "faults = FaultServer().plan(cut_after(8))\n"
        "base = servers.enter_context(serve_app(fault_app(faults)))\n"
        "chat = ChatWidget(backend=ChatKitBackend(f'{base}/chatkit',"
        " retry=RetryConfig(retry_delay=0.05)))\nchat",
    )
    type_message(page, "tell me about seven brave cats")
    cut = page.locator("[data-item-type=assistant_message][data-incomplete=true]")
    expect(cut).to_have_count(1, timeout=30_000)
    expect(cut).to_contain_text("Incomplete: the connection dropped")
    expect(cut).to_contain_text("You said:")
    expect(cut).not_to_contain_text("cats")
    expect(cut).not_to_have_attribute("data-streaming", re.compile(".*"))
    error = page.locator("[data-item-type=error][role=alert]")
    expect(error).to_contain_text("dropped before the reply finished")
    expect(page.locator("button[aria-label=Send]")).to_be_visible()

    error.locator("button[aria-label=Retry]").click()
    expect(page.locator(DONE_REPLIES)).to_have_text(
        "You said: tell me about seven brave cats", timeout=30_000
    )
    expect(cut).to_have_count(0)
    expect(error).to_have_count(0)
    assert kernel_json(lab, page, "[(m['role'], m['text']) for m in chat.messages]") == [
        ["user", "tell me about seven brave cats"],
        ["assistant", "You said: tell me about seven brave cats"],
    ]
    assert kernel_json(lab, page, "faults.disconnects") == []  # the server cut, not the client
    applied = kernel_json(lab, page, "[a and a.kind for a in faults.applied]")
    assert applied == ["cut", None], applied


# Records every progress text shown during the turn (a retry notice may show only briefly).
WATCH_PROGRESS = """() => {
    window.__progress = [];
    const root = document.querySelector('.ckw-root');
    new MutationObserver(() => {
        const progress = root.querySelector('.ckw-progress');
        const text = progress ? progress.textContent.trim() : '';
        if (text && window.__progress.at(-1) !== text) window.__progress.push(text);
    }).observe(root, { subtree: true, childList: true, characterData: true, attributes: true });
}"""


def test_a_message_the_server_never_got_is_sent_again_by_retry(lab: Lab, page: Page) -> None:
    open_chat(
        lab,
        page,
        "remote-retry.ipynb",
        SERVERS.replace("unauthorized,", "unauthorized, status,"),
        "faults = FaultServer()\n"
        "base = servers.enter_context(serve_app(fault_app(faults)))\n"
        "chat = ChatWidget(backend=ChatKitBackend(f'{base}/chatkit',"
        " retry=RetryConfig(max_retries=1, retry_delay=0.5)))\nchat",
    )
    type_message(page, "first question")
    expect(page.locator(DONE_REPLIES)).to_have_text("You said: first question", timeout=30_000)

    lab.execute(page, "faults.plan(status(503), status(503))")
    page.evaluate(WATCH_PROGRESS)
    type_message(page, "second question")
    error = page.locator("[data-item-type=error][role=alert]")
    expect(error).to_contain_text("503", timeout=30_000)
    progress = page.evaluate("window.__progress")
    assert any("retrying in 0.5 s (retry 1 of 1)" in text for text in progress), progress
    # Nothing typed is lost: the text is back in the composer, and the first turn is intact.
    composer = page.locator("textarea[aria-label=Message]")
    expect(composer).to_have_value("second question")
    expect(page.locator(DONE_REPLIES)).to_have_text("You said: first question")

    error.locator("button[aria-label=Retry]").click()
    expect(page.locator(DONE_REPLIES).nth(1)).to_have_text(
        "You said: second question", timeout=30_000
    )
    expect(page.locator(DONE_REPLIES).first).to_have_text("You said: first question")
    expect(error).to_have_count(0)
    expect(composer).to_have_value("")
    assert kernel_json(lab, page, "[m['text'] for m in chat.messages]") == [
        "first question",
        "You said: first question",
        "second question",
        "You said: second question",
    ]


def test_a_servers_widget_question_and_image_work_and_stay_answered(lab: Lab, page: Page) -> None:
    """A ChatKit server's card (button and form actions), question and generated image."""
    open_chat(
        lab,
        page,
        "remote-widgets.ipynb",
        SERVERS,
        "from chatkit_widget.store import SQLiteStore\n"
        "store = SQLiteStore('remote-widgets.sqlite')  # kept across the reload below\n"
        "server = RecordingChatKitServer(token='t0k', store=store)\n"
        "base = servers.enter_context(serve_app(chatkit_app(server)))\n"
        "chat = ChatWidget(backend=ChatKitBackend(f'{base}/chatkit', token='t0k'))\nchat",
    )
    type_message(page, "show a widget")
    card = page.locator("[data-item-type=widget]")
    expect(card.get_by_text("Test card")).to_be_visible(timeout=30_000)
    card.get_by_role("button", name="Press me").click()
    expect(card.get_by_text("Got card.ok")).to_be_visible(timeout=30_000)  # replaced in place
    expect(page.locator(DONE_REPLIES).last).to_have_text('Action card.ok: {"n": 1}')
    widget_id = card.get_attribute("data-item-id")
    assert kernel_json(lab, page, "server.actions") == [["card.ok", {"n": 1}, widget_id]]

    type_message(page, "show a widget again")
    form = page.locator("[data-item-type=widget]").last
    form.get_by_label("City").fill("Lisbon")
    form.get_by_label("Return trip").check()
    form.get_by_role("button", name="Send form").click()
    expect(form.get_by_text("Got form.send")).to_be_visible(timeout=30_000)
    payload = {"city": "Lisbon", "form": "trip", "return": True}
    assert kernel_json(lab, page, "server.actions[-1][:2]") == ["form.send", payload]

    type_message(page, "ask a question")
    question = page.locator("[data-item-type=structured_input]")
    question.get_by_label("Large").check()
    question.get_by_label("Anything else?").fill("No rush")
    question.get_by_role("button", name="Submit").click()
    reply = page.locator(DONE_REPLIES).last
    expect(reply).to_have_text('Answers: {"note": ["No rush"], "size": ["Large"]}', timeout=30_000)
    answered = question.get_by_role("group", name="Your answers")
    expect(answered).to_contain_text("Large")
    expect(question.get_by_role("button", name="Submit")).to_have_count(0)

    type_message(page, "draw an image")
    image = page.locator("[data-item-type=generated_image]")
    expect(image.locator("img")).to_have_attribute("src", re.compile(r"^data:image/png"))
    expect(image.get_by_role("link", name="Download image")).to_be_visible()

    # A reload shows the conversation from the server: the question is still answered.
    page.reload()
    lab.open(page, "remote-widgets.ipynb")
    lab.run_all(page)
    page.locator(".ckw-root").get_by_role("button", name="History", exact=True).click()
    panel = page.locator(".ckw-root").get_by_role("dialog", name="History")
    panel.locator(".ckw-history-title", has_text="show a widget").click()
    question = page.locator("[data-item-type=structured_input]")
    expect(question.get_by_role("group", name="Your answers")).to_contain_text("No rush")
    expect(question.get_by_role("button", name="Submit")).to_have_count(0)

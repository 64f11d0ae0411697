"""The Jupyter server extension, through a real ``jupyter server`` process on 127.0.0.1.

The sidebar's endpoints under ``chatkit-widget/``: ChatKit turns streamed as SSE, JSON reads,
cancel, a client that goes away, reattaching after a reload, malformed requests, and auth.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from chatkit_widget.store import SQLiteStore
from tests.support.lab import Lab

EXTENSION = "--ServerApp.jpserver_extensions=chatkit_widget.jupyter=True"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    lab = Lab(
        tmp_path_factory.mktemp("jupyter"),
        app="server",
        args=[
            EXTENSION,
            "--ChatKitWidget.keepalive=0.5",
            "--ChatKitWidget.reattach_grace=0.5",
        ],
    )
    lab.start()
    yield lab
    lab.stop()


@pytest.fixture
def client(server: Lab) -> Iterator[httpx.Client]:
    with httpx.Client(
        base_url=f"{server.url}/chatkit-widget/",
        headers={"Authorization": f"token {server.token}"},
        timeout=30,
    ) as c:
        yield c


def create(text: str) -> dict[str, Any]:
    return {
        "type": "threads.create",
        "params": {
            "input": {
                "content": [{"type": "input_text", "text": text}],
                "attachments": [],
                "inference_options": {},
            }
        },
    }


def add_message(thread_id: str, text: str) -> dict[str, Any]:
    request = create(text)
    return {
        "type": "threads.add_user_message",
        "params": {"thread_id": thread_id, **request["params"]},
    }


def created_thread(sse: SSE) -> str:
    return next(e["thread"]["id"] for e in sse.events if e["type"] == "thread.created")


class SSE:
    """A streamed answer read frame by frame: ChatKit events, comments, and the end frame."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self.events: list[dict[str, Any]] = []
        self.comments = 0
        self.end: str | None = None
        self._lines = response.iter_lines()

    def read(self) -> dict[str, Any] | None:
        """The next ChatKit event; ``None`` once the end frame (or the body's end) came."""
        name: str | None = None
        for line in self._lines:
            if line.startswith(":"):
                self.comments += 1
            elif line.startswith("event: "):
                name = line.removeprefix("event: ")
            elif line.startswith("data: "):
                data = json.loads(line.removeprefix("data: "))
                if name == "end":
                    self.end = data["reason"]
                    return None
                self.events.append(data)
                return data  # type: ignore[no-any-return]
        return None

    def read_until(self, predicate: Any) -> dict[str, Any]:
        while (event := self.read()) is not None:
            if predicate(event):
                return event
        raise AssertionError(f"the stream ended ({self.end}) before the event came")

    def rest(self) -> None:
        while self.read() is not None:
            pass


def is_delta(event: dict[str, Any]) -> bool:
    return event["type"] == "thread.item.updated" and event["update"]["type"].endswith("text_delta")


def text_of(item: dict[str, Any]) -> str:
    return "".join(part.get("text", "") for part in item.get("content", []))


def items(client: httpx.Client, thread_id: str) -> list[dict[str, Any]]:
    page = client.post(
        "chatkit",
        json={
            "type": "items.list",
            "params": {"thread_id": thread_id, "limit": 50, "order": "asc"},
        },
    )
    page.raise_for_status()
    return page.json()["data"]  # type: ignore[no-any-return]


def wait_until_idle(client: httpx.Client) -> None:
    deadline = time.monotonic() + 15
    while client.get("streams").json()["streams"]:
        assert time.monotonic() < deadline, "a stream kept running"
        time.sleep(0.05)


def test_a_turn_streams_as_server_sent_events(client: httpx.Client) -> None:
    with client.stream("POST", "chatkit", json=create("count to 12"), params={"stream": "s1"}) as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        assert r.headers["x-accel-buffering"] == "no"
        assert r.headers["cache-control"] == "no-cache"
        assert r.headers["x-chatkit-stream-id"] == "s1"
        sse = SSE(r)
        thread = sse.read_until(lambda e: e["type"] == "thread.created")["thread"]
        arrivals = []
        while (event := sse.read()) is not None:
            if is_delta(event):
                arrivals.append(time.monotonic())
    assert sse.end == "done"
    # Progressive: the words came over time (0.03 s apart), not in one burst at the end.
    assert len(arrivals) >= 5 and arrivals[-1] - arrivals[0] > 0.1
    reply = [e["item"] for e in sse.events if e["type"] == "thread.item.done"][-1]
    assert text_of(reply) == " ".join(str(i) for i in range(1, 13))
    # JSON reads see the stored turn.
    stored = items(client, thread["id"])
    assert [i["type"] for i in stored] == ["user_message", "assistant_message"]
    listed = client.post("chatkit", json={"type": "threads.list", "params": {"limit": 10}})
    assert thread["id"] in [t["id"] for t in listed.json()["data"]]
    assert client.get("info").json() == {
        "model_label": "Offline demo model",
        "offline": True,
        "features": ["edit", "feedback", "notebooks"],
    }


def test_cancel_stops_the_turn_and_keeps_the_partial_reply(client: httpx.Client) -> None:
    with client.stream(
        "POST", "chatkit", json=create("count to 300"), params={"stream": "c1"}
    ) as r:
        sse = SSE(r)
        thread = sse.read_until(lambda e: e["type"] == "thread.created")["thread"]
        sse.read_until(is_delta)
        assert client.get("streams").json()["streams"][0]["id"] == "c1"
        assert client.post("streams/c1/cancel").status_code == 204
        sse.rest()
    assert sse.end == "cancelled"
    reply = [i for i in items(client, thread["id"]) if i["type"] == "assistant_message"]
    assert len(reply) == 1 and reply[0]["stopped"] is True
    assert text_of(reply[0]).startswith("1") and "300" not in text_of(reply[0])
    assert client.post("streams/c1/cancel").status_code == 404  # it is over


def test_a_client_that_goes_away_stops_the_turn_after_the_grace(client: httpx.Client) -> None:
    with client.stream("POST", "chatkit", json=create("count to 300")) as r:
        sse = SSE(r)
        thread = sse.read_until(lambda e: e["type"] == "thread.created")["thread"]
        sse.read_until(is_delta)
    # The connection closed mid-reply: nobody reattaches within 0.5 s, so the run stops.
    wait_until_idle(client)
    reply = [i for i in items(client, thread["id"]) if i["type"] == "assistant_message"]
    assert len(reply) == 1, "the partial reply was kept"
    assert text_of(reply[0]).startswith("1") and "300" not in text_of(reply[0])


def test_a_reloaded_page_reattaches_to_the_running_turn(client: httpx.Client, server: Lab) -> None:
    with client.stream("POST", "chatkit", json=create("count to 60"), params={"stream": "r1"}) as r:
        sse = SSE(r)
        sse.read_until(is_delta)
        sse.read_until(lambda e: is_delta(e) and "5" in e["update"]["delta"])
    # The first page is gone; a new one lists the running streams and follows r1.
    running = client.get("streams").json()["streams"]
    assert [(s["id"], s["request"]["type"]) for s in running] == [("r1", "threads.create")]
    with client.stream("GET", "streams/r1") as again:
        assert again.headers["content-type"].startswith("text/event-stream")
        resumed = SSE(again)
        first = resumed.read()
        assert first is not None and first["type"] == "thread.item.added"
        assert text_of(first["item"]).startswith("1 2 3 4 5")  # the text streamed so far
        resumed.rest()
    assert resumed.end == "done"
    done = [e["item"] for e in resumed.events if e["type"] == "thread.item.done"][-1]
    assert text_of(done).endswith("59 60")
    assert client.get("streams/r1").status_code == 404


def test_a_waiting_stream_carries_keepalive_comments(client: httpx.Client) -> None:
    # One turn at a time per conversation: a second turn waits for the first, its stream open
    # and silent but for keepalives (every 0.5 s here), so no proxy closes it meanwhile.
    with client.stream("POST", "chatkit", json=create("count to 120")) as first:
        running = SSE(first)  # kept: a dropped reader closes its connection
        running.read_until(is_delta)
        thread_id = created_thread(running)
        with client.stream("POST", "chatkit", json=add_message(thread_id, "count to 3")) as second:
            waiting = SSE(second)
            waiting.rest()
    assert waiting.end == "done"
    assert waiting.comments >= 2
    wait_until_idle(client)


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        (b"{not json", 400, "not valid JSON"),
        (b"[1, 2]", 400, 'JSON object with a "type"'),
        (b'{"type": "threads.create", "params": {}}', 400, "params.input"),
        (b'{"type": "no.such.request", "params": {}}', 400, "Invalid ChatKit request"),
        (b'{"type": "attachments.create", "params": {}}', 400, "not supported"),
        (
            b'{"type": "items.list", "params": {"thread_id": "thr_nope", "limit": 5}}',
            404,
            "Thread not found",
        ),
    ],
)
def test_malformed_requests_get_a_clear_4xx(
    client: httpx.Client, body: bytes, status: int, message: str
) -> None:
    answer = client.post("chatkit", content=body)
    assert answer.status_code == status
    assert message in answer.json()["message"]


ENDPOINTS = [
    ("POST", "chatkit"),
    ("GET", "info"),
    ("GET", "streams"),
    ("GET", "streams/x1"),
    ("POST", "streams/x1/cancel"),
]


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_every_endpoint_refuses_anonymous_requests(server: Lab, method: str, path: str) -> None:
    answer = httpx.request(
        method, f"{server.url}/chatkit-widget/{path}", json={"type": "threads.list", "params": {}}
    )
    assert answer.status_code == 403


@pytest.mark.parametrize(("method", "path"), [e for e in ENDPOINTS if e[0] == "POST"])
def test_posts_from_a_browser_session_need_the_xsrf_token(
    server: Lab, method: str, path: str
) -> None:
    with httpx.Client(base_url=server.url) as browser:
        browser.get(f"/lab?token={server.token}")  # logs in: session and _xsrf cookies
        xsrf = browser.cookies["_xsrf"]
        body = {"type": "threads.list", "params": {"limit": 1}}
        refused = browser.post(f"/chatkit-widget/{path}", json=body)
        assert refused.status_code == 403
        assert "_xsrf" in refused.json()["message"]
        if path == "chatkit":
            allowed = browser.post(
                f"/chatkit-widget/{path}", json=body, headers={"X-XSRFToken": xsrf}
            )
            assert allowed.status_code == 200


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_cross_site_requests_are_refused(server: Lab, method: str, path: str) -> None:
    # A foreign page riding on the user's session cookie, even knowing the XSRF token:
    # Jupyter refuses a foreign Origin (404 for API handlers, 403 when XSRF fails first).
    with httpx.Client(base_url=server.url) as browser:
        browser.get(f"/lab?token={server.token}")
        xsrf = browser.cookies["_xsrf"]
        answer = browser.request(
            method,
            f"/chatkit-widget/{path}",
            headers={"Origin": "https://evil.example", "X-XSRFToken": xsrf},
            json={"type": "threads.list", "params": {"limit": 1}},
        )
    assert answer.status_code in (403, 404)


def test_the_extension_raises_no_auth_warning(tmp_path: Path) -> None:
    # The extension template's check: every handler declares its auth, so a server that
    # refuses unauthenticated access loads it without a JupyterServerAuthWarning.
    # (Other installed extensions, such as jupyter_lsp, may warn: only ours is checked.)
    script = """
import warnings
from jupyter_server.serverapp import ServerApp, JupyterServerAuthWarning
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always", JupyterServerAuthWarning)
    app = ServerApp(
        allow_unauthenticated_access=False,
        jpserver_extensions={"chatkit_widget.jupyter": True},
        reraise_server_extension_failures=True,
    )
    app.initialize(argv=["--ServerApp.root_dir=" + ROOT])
for w in caught:
    if issubclass(w.category, JupyterServerAuthWarning) and "chatkit" in str(w.message):
        raise SystemExit(str(w.message))
print("loaded", sorted(app.extension_manager.extensions))
"""
    done = subprocess.run(
        [sys.executable, "-c", script.replace("ROOT", repr(str(tmp_path)))],
        capture_output=True,
        text=True,
        timeout=60,
        env={"JUPYTER_CONFIG_DIR": str(tmp_path / "config"), "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr
    assert "chatkit_widget.jupyter" in done.stdout


def pending_call(sse: SSE) -> dict[str, Any]:
    """The client tool call a finished stream left for the browser to answer."""
    [call] = [
        e["item"]
        for e in sse.events
        if e["type"] == "thread.item.done" and e["item"]["type"] == "client_tool_call"
    ]
    assert call["status"] == "pending"
    return call  # type: ignore[no-any-return]


def answer(client: httpx.Client, thread_id: str, result: Any) -> SSE:
    body = {
        "type": "threads.add_client_tool_output",
        "params": {"thread_id": thread_id, "result": result},
    }
    with client.stream("POST", "chatkit", json=body) as r:
        assert r.status_code == 200
        sse = SSE(r)
        sse.rest()
    return sse


def final_reply(sse: SSE) -> str:
    return text_of(
        [
            e["item"]
            for e in sse.events
            if e["type"] == "thread.item.done" and e["item"]["type"] == "assistant_message"
        ][-1]
    )


def test_notebook_tools_are_client_tools_the_browser_answers(client: httpx.Client) -> None:
    with client.stream("POST", "chatkit", json=create("read the notebook")) as r:
        sse = SSE(r)
        thread = sse.read_until(lambda e: e["type"] == "thread.created")["thread"]
        sse.rest()
    assert sse.end == "done"  # the turn waits for the browser, which answers in a new request
    call = pending_call(sse)
    assert (call["name"], call["arguments"]) == ("read_notebook", {})
    notebook = {
        "path": "analysis.ipynb",
        "kernel": "python3",
        "active_cell_index": 1,
        "cells": [
            {"index": 0, "cell_type": "markdown", "source": "# Title"},
            {"index": 1, "cell_type": "code", "source": "import pandas as pd\ndf = pd.read_csv(p)"},
            {"index": 2, "cell_type": "code", "source": ""},
        ],
    }
    reply = answer(client, thread["id"], notebook)
    assert reply.end == "done"
    assert final_reply(reply) == (
        "`analysis.ipynb` has 3 cells; the active cell starts with: `import pandas as pd`"
    )


def test_running_a_cell_needs_approval_of_its_code_before_the_browser_is_asked(
    client: httpx.Client,
) -> None:
    # "run the active cell": the agent reads the notebook, then asks to run that cell's code.
    with client.stream("POST", "chatkit", json=create("run the active cell")) as r:
        sse = SSE(r)
        thread = sse.read_until(lambda e: e["type"] == "thread.created")["thread"]
        sse.rest()
    assert pending_call(sse)["name"] == "read_notebook"
    notebook = {
        "path": "a.ipynb",
        "active_cell_index": 0,
        "cells": [{"index": 0, "cell_type": "code", "source": "print(6 * 7)"}],
    }
    read = answer(client, thread["id"], notebook)
    assert (
        not [  # no client call yet: the run waits for a person
            e
            for e in read.events
            if e["type"] == "thread.item.done" and e["item"]["type"] == "client_tool_call"
        ]
    )
    rows = [row_of(i) for i in items(client, thread["id"]) if i["type"] == "task"]
    [waiting] = [row for row in rows if row["status"] == "approval"]
    [waiting_id] = [
        i["id"]
        for i in items(client, thread["id"])
        if i["type"] == "task" and row_of(i)["status"] == "approval"
    ]
    # The person approves the code itself, not an index.
    assert (waiting["name"], waiting["arguments"]) == (
        "run_cell",
        {"code": "print(6 * 7)", "index": 0},
    )
    # Running code asks every time: "Always allow" is neither offered nor taken.
    assert waiting["ask_every_time"] is True

    def approve(**options: Any) -> dict[str, Any]:
        payload = {"call_id": waiting["call_id"], "decision": "approve", **options}
        action = {"type": "chatkit_widget.approval", "payload": payload}
        params = {"thread_id": thread["id"], "item_id": None, "action": action}
        return {"type": "threads.custom_action", "params": params}

    with client.stream("POST", "chatkit", json=approve(always=True)) as r:
        refused = SSE(r)
        refused.rest()
    [error] = [e for e in refused.events if e["type"] == "error"]
    assert "run_cell asks every time" in error["message"]
    rows = [row_of(i) for i in items(client, thread["id"]) if i["type"] == "task"]
    assert [row["status"] for row in rows if row["name"] == "run_cell"] == ["approval"]
    with client.stream("POST", "chatkit", json=approve()) as r:
        approved = SSE(r)
        approved.rest()
    call = pending_call(approved)  # approved: now the browser runs it
    # Its row replaces the approval row: one row for one run.
    assert [i for i in items(client, thread["id"]) if i["type"] == "task"] == []
    assert {"type": "thread.item.removed", "item_id": waiting_id} in approved.events
    assert (call["name"], call["arguments"]["code"]) == ("run_cell", "print(6 * 7)")
    reply = answer(client, thread["id"], {"outputs": "42"})
    assert "Ran the cell. It printed:" in final_reply(reply) and "42" in final_reply(reply)


def row_of(item: dict[str, Any]) -> dict[str, Any]:
    """A tool row's state, from the marker comment its task item carries."""
    content = item["task"]["content"]
    start = content.index("{")
    return json.loads(content[start : content.index(" -->")])  # type: ignore[no-any-return]


def test_a_remote_chatkit_server_behind_the_sidebar_keeps_its_token(tmp_path: Path) -> None:
    from tests.support.http_servers import serve_app
    from tests.support.remote_servers import RecordingChatKitServer, chatkit_app

    remote = RecordingChatKitServer(token="remote-secret-7f3a")
    with serve_app(chatkit_app(remote)) as base:
        lab = Lab(
            tmp_path,
            app="server",
            args=[
                EXTENSION,
                f"--ChatKitWidget.remote_url={base}/chatkit",
                "--ChatKitWidget.remote_token_env=REMOTE_CHAT_TOKEN",
            ],
        )
        lab.env["REMOTE_CHAT_TOKEN"] = "remote-secret-7f3a"
        lab.start()
        try:
            with httpx.Client(
                base_url=f"{lab.url}/chatkit-widget/",
                headers={"Authorization": f"token {lab.token}"},
                timeout=30,
            ) as client:
                with client.stream("POST", "chatkit", json=create("hello there")) as r:
                    raw = r.read().decode()
                info = client.get("info").text
                threads = client.post(
                    "chatkit", json={"type": "threads.list", "params": {"limit": 5}}
                ).text
        finally:
            lab.stop()
    events = [json.loads(line[6:]) for line in raw.splitlines() if line.startswith("data: ")]
    replies = [
        e["item"]
        for e in events
        if e.get("type") == "thread.item.done" and e["item"]["type"] == "assistant_message"
    ]
    assert [text_of(r) for r in replies] == ["You said: hello there"]
    assert raw.endswith('event: end\ndata: {"reason": "done"}\n\n')
    # The remote saw the server's token; nothing the browser receives carries it.
    assert remote.requests and all(
        r.authorization == "Bearer remote-secret-7f3a" for r in remote.requests
    )
    for answer in (raw, info, threads):
        assert "remote-secret-7f3a" not in answer


def test_contradicting_settings_are_a_clear_error(tmp_path: Path) -> None:
    lab = Lab(
        tmp_path,
        app="server",
        args=[
            EXTENSION,
            "--ChatKitWidget.agent=my_agents:agent",
            "--ChatKitWidget.remote_url=http://127.0.0.1:9/chatkit",
        ],
    )
    lab.start()
    try:
        answer = httpx.get(
            f"{lab.url}/chatkit-widget/info",
            headers={"Authorization": f"token {lab.token}"},
            timeout=30,
        )
    finally:
        lab.stop()
    assert answer.status_code == 500
    assert "agent and ChatKitWidget.remote_url are both set" in answer.json()["message"]


def test_stop_right_after_send_stops_a_turn_not_started_yet(client: httpx.Client) -> None:
    # The cancel arrives first (Stop pressed before the request got through): the turn never runs.
    assert client.post("streams/early1/cancel").status_code == 404
    with client.stream(
        "POST", "chatkit", json=create("count to 50"), params={"stream": "early1"}
    ) as r:
        sse = SSE(r)
        sse.rest()
    assert (sse.end, sse.events) == ("cancelled", [])


def test_a_turn_waiting_for_its_turn_can_be_stopped_and_reattached(client: httpx.Client) -> None:
    with client.stream("POST", "chatkit", json=create("count to 120")) as first:
        running = SSE(first)
        running.read_until(is_delta)
        request = add_message(created_thread(running), "count to 3")
        with client.stream("POST", "chatkit", json=request, params={"stream": "queued1"}) as second:
            assert "queued1" in [s["id"] for s in client.get("streams").json()["streams"]]
            assert client.post("streams/queued1/cancel").status_code == 204
            waiting = SSE(second)
            waiting.rest()
        assert waiting.end == "cancelled" and not waiting.events
        assert (
            client.post(f"streams/{first.headers['x-chatkit-stream-id']}/cancel").status_code == 204
        )
        running.rest()
    assert running.end == "cancelled"


def test_two_conversations_answer_at_once(client: httpx.Client) -> None:
    # Turns of different conversations do not queue behind each other.
    with client.stream("POST", "chatkit", json=create("count to 200")) as first:
        running = SSE(first)
        running.read_until(is_delta)
        with client.stream("POST", "chatkit", json=create("count to 3")) as second:
            quick = SSE(second)
            quick.rest()
        assert quick.end == "done"
        assert final_reply(quick) == "1 2 3"
        assert running.end is None, "the first is still answering"
        cancel = client.post(f"streams/{first.headers['x-chatkit-stream-id']}/cancel")
        assert cancel.status_code == 204
        running.rest()
    assert running.end == "cancelled"


def test_a_conversation_records_the_notebook_it_started_from(client: httpx.Client) -> None:
    def turn(text: str, notebook: str, thread_id: str | None = None) -> str:
        body = create(text)
        if thread_id is not None:
            body = {
                "type": "threads.add_user_message",
                "params": {**body["params"], "thread_id": thread_id},
            }
        body["metadata"] = {"notebook": notebook}
        with client.stream("POST", "chatkit", json=body) as r:
            sse = SSE(r)
            sse.rest()
        assert sse.end == "done"
        return thread_id or next(
            e["thread"]["id"] for e in sse.events if e["type"] == "thread.created"
        )

    def listed(limit: int, after: str | None = None, **metadata: str) -> dict[str, Any]:
        params: dict[str, Any] = {"limit": limit, **({"after": after} if after else {})}
        body = {"type": "threads.list", "params": params, "metadata": metadata}
        page = client.post("chatkit", json=body)
        page.raise_for_status()
        return page.json()  # type: ignore[no-any-return]

    a1 = turn("hello from a", "work/a.ipynb")
    b1 = turn("hello from b", "b.ipynb")
    a2 = turn("again from a", "work/a.ipynb")
    # A later turn from another notebook does not move the conversation.
    assert turn("now from b", "b.ipynb", thread_id=a1) == a1

    everything = listed(10)["data"]
    by_id = {t["id"]: t.get("metadata") for t in everything}
    assert by_id[a1] == by_id[a2] == {"notebook": "work/a.ipynb"}
    assert by_id[b1] == {"notebook": "b.ipynb"}
    # Only the thread's own notebook: ChatKit's other metadata (paused runs) stays server-side.
    assert all(set(t.get("metadata", {})) <= {"notebook"} for t in everything)
    # Filtered to a notebook, newest first, paged.
    first = listed(1, notebook="work/a.ipynb")
    assert [t["id"] for t in first["data"]] == [a2] and first["has_more"] is True
    second = listed(1, first["after"], notebook="work/a.ipynb")
    assert [t["id"] for t in second["data"]] == [a1]
    assert listed(1, second["after"], notebook="work/a.ipynb")["data"] == []
    assert [t["id"] for t in listed(10, notebook="b.ipynb")["data"]] == [b1]
    got = client.post("chatkit", json={"type": "threads.get_by_id", "params": {"thread_id": b1}})
    assert got.json()["metadata"] == {"notebook": "b.ipynb"}
    # Something that is not a notebook path is refused, not guessed at.
    for bad in (5, "", "x" * 2000):
        refused = client.post(
            "chatkit",
            json={"type": "threads.list", "params": {"limit": 5}, "metadata": {"notebook": bad}},
        )
        assert refused.status_code == 400
        assert "metadata.notebook" in refused.json()["message"]


def test_a_stream_id_must_be_plain(client: httpx.Client) -> None:
    answer = client.post("chatkit", json=create("hi"), params={"stream": "a b/c"})
    assert answer.status_code == 400
    assert "stream id" in answer.json()["message"]


def test_building_the_service_warms_up_what_a_first_turn_would_build_on_the_loop(
    tmp_path: Path,
) -> None:
    # Pydantic builds a model's validator on its first use; the build thread's offline turn
    # must have done it for the models a turn streams, so the server's loop does not.
    script = """
import asyncio
from pydantic._internal._mock_val_ser import MockValSer
from chatkit_widget.jupyter._config import ChatKitWidget
from chatkit_widget.jupyter._service import LazyService

config = ChatKitWidget()
config.store = STORE
service = asyncio.run(LazyService(config).get())
threads = asyncio.run(service.backend.call({"type": "threads.list", "params": {}}))
print("threads", len(threads["data"]))
from chatkit.types import ThreadItemAddedEvent, ThreadItemUpdatedEvent, ClientToolCallItem
from openai.types.responses import ResponseTextDeltaEvent, ResponseFunctionToolCall
models = [ThreadItemAddedEvent, ThreadItemUpdatedEvent, ClientToolCallItem,
          ResponseTextDeltaEvent, ResponseFunctionToolCall]
print([m.__name__ for m in models if isinstance(m.__pydantic_validator__, MockValSer)])
"""
    store = tmp_path / "sidebar.sqlite"
    done = subprocess.run(
        [sys.executable, "-c", script.replace("STORE", repr(str(store)))],
        capture_output=True,
        text=True,
        timeout=120,
        env={"OPENAI_AGENTS_DISABLE_TRACING": "1", "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]", done.stdout
    assert "warm-up turn failed" not in done.stderr, done.stderr
    # The warm-up turn ran on its own in-memory store: nothing in the user's conversations.
    assert "threads 0" in done.stdout, done.stdout


def test_a_reply_cut_by_a_killed_jupyter_server_comes_back_interrupted(tmp_path: Path) -> None:
    lab = Lab(tmp_path, app="server", args=[EXTENSION])
    lab.start()
    try:
        store = SQLiteStore(lab.data_dir / "chatkit_widget" / "sidebar.sqlite")
        turn = create("count to 600")
        with _client(lab) as client, client.stream("POST", "chatkit", json=turn) as r:
            thread_id = SSE(r).read_until(lambda e: e["type"] == "thread.created")["thread"]["id"]
            deadline = time.monotonic() + 30
            while not any(i.type == "assistant_message" for i in store.all_items_sync(thread_id)):
                assert time.monotonic() < deadline, "no checkpoint of the streaming reply"
                time.sleep(0.05)
            assert lab.process is not None
            lab.process.send_signal(signal.SIGKILL)
            lab.process.wait(10)
        lab.start()  # the same data dir: a restarted Jupyter server
        with _client(lab) as client:
            user, reply = items(client, thread_id)
        assert user["type"] == "user_message"
        assert reply["incomplete"] is True and reply["interrupted"] is True
        full = " ".join(str(i) for i in range(1, 601))
        assert text_of(reply) and full.startswith(text_of(reply)) and text_of(reply) != full
    finally:
        lab.stop()


def _client(lab: Lab) -> httpx.Client:
    return httpx.Client(
        base_url=f"{lab.url}/chatkit-widget/",
        headers={"Authorization": f"token {lab.token}"},
        timeout=30,
    )

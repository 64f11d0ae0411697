"""A token given to a remote backend never reaches a saved notebook, even with widget state saved.

The notebook runs in a real kernel (nbconvert), talks to a real ChatKit server on 127.0.0.1 with
one token, has it renewed by a ``token_provider`` returning another, and is saved with its widget
state, as "Save Notebook Widget State" would. Neither token may appear anywhere in the file.
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from nbconvert.preprocessors import ExecutePreprocessor

from .support.http_servers import serve_app
from .support.remote_servers import RecordingChatKitServer, chatkit_app

STALE = "stale-SECRET-token-4f1c"
FRESH = "fresh-SECRET-token-9d2e"
REPO = Path(__file__).resolve().parent.parent

CELLS = [
    "import sys\nsys.path.insert(0, {repo!r})",
    """import os
from chatkit_widget import ChatKitBackend, ChatWidget

def renew():
    return os.environ["FRESH_CHAT_TOKEN"]

backend = ChatKitBackend({url!r}, token=os.environ["CHAT_TOKEN"], token_provider=renew)
chat = ChatWidget(backend=backend)
chat""",
    'reply = await chat.ask("hello there")\nprint(reply)\nprint(repr(chat), repr(backend))',
    "print(chat.messages[-1]['text'])",
]


def test_a_saved_notebook_with_widget_state_holds_no_token(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As a user would: the tokens come from the environment, not from the notebook's code.
    monkeypatch.setenv("CHAT_TOKEN", STALE)
    monkeypatch.setenv("FRESH_CHAT_TOKEN", FRESH)
    server = RecordingChatKitServer(token=FRESH)
    with serve_app(chatkit_app(server)) as base:
        values = {"repo": str(REPO), "url": f"{base}/chatkit"}
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_code_cell(cell.format(**values)) for cell in CELLS]
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
        executor = ExecutePreprocessor(timeout=120, store_widget_state=True)
        executor.preprocess(nb, {"metadata": {"path": str(tmp_path)}})
        saved = tmp_path / "saved.ipynb"
        nbformat.write(nb, saved)

    # The run really used both tokens: the stale one was refused, the fresh one answered.
    used = [r.authorization for r in server.requests]
    assert used[:2] == [f"Bearer {STALE}", f"Bearer {FRESH}"]
    assert "You said: hello there" in nb.cells[2].outputs[0]["text"]

    # The widget's state really was saved (so the check below looks at something).
    states = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    chat_states = [s["state"] for s in states.values() if "thread_id" in s["state"]]
    assert len(chat_states) == 1 and chat_states[0]["thread_id"].startswith("thr_")

    text = saved.read_text()
    for token in (STALE, FRESH, "SECRET"):
        assert token not in text, f"{token!r} leaked into the saved notebook"
    # Nor anywhere in the outputs or the synced state as JSON (escaped forms included).
    assert "SECRET" not in json.dumps(nb, default=str)

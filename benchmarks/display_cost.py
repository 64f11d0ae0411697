"""What displaying a chat sends through a real kernel's IOPub, and what its assets add later.

Starts a kernel (jupyter_client) and displays, each in a cell of its own: a bare anywidget (the
floor of any anywidget), an ipywidgets ``HTML`` (the classic peer) and ``ChatWidget``, twice (the
second display of a class is what every further chat costs). For each it counts the IOPub
messages the cell published (comm_open with the widget's state, display_data, comm_msg) and
their bytes as they cross the socket (header, parent header, metadata and content as JSON, plus
binary buffers). The widget state alone is what a notebook saved with widget state grows by.

Then it asks the ChatWidget's comm for each asset, as the front end does the first time a
reply needs one (once per page), and prints the size of each answer.

    python benchmarks/display_cost.py
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jupyter_client.blocking.client import BlockingKernelClient

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the tests' kernel driver
from tests.support.kernel import execute, running_kernel

SETUP = """
import anywidget, ipywidgets
from chatkit_widget import ChatWidget

class Bare(anywidget.AnyWidget):
    _esm = "export default { render({ el }) { el.textContent = 'hi'; } }"
"""
DISPLAYS = {
    "bare anywidget": "Bare()",
    "ipywidgets HTML": 'ipywidgets.HTML("<b>hi</b>")',
    "ChatWidget (first)": 'ChatWidget(store=":memory:")',
    "ChatWidget (another)": 'ChatWidget(store=":memory:")',
}
ASSETS = ["highlight", "katex", "widgets", "history"]
PARTS = ("header", "parent_header", "metadata", "content")


@dataclass
class Display:
    messages: int
    bytes: int
    state_bytes: int
    comm_id: str


def wire_size(msg: dict[str, Any]) -> int:
    parts = sum(len(json.dumps(msg[p], default=str)) for p in PARTS)
    return parts + sum(len(b) for b in msg.get("buffers", []))


def display(client: BlockingKernelClient, expression: str) -> Display:
    published = execute(client, expression).published
    sent = [m for m in published if m["msg_type"] in {"comm_open", "comm_msg", "display_data"}]
    sent += [m for m in published if m["msg_type"] == "execute_result"]
    opens = [m for m in published if m["msg_type"] == "comm_open"]
    # The displayed widget's model is the last one opened (ipywidgets opens its layout first).
    state = opens[-1]["content"]["data"]["state"]
    return Display(
        messages=len(sent),
        bytes=sum(wire_size(m) for m in sent),
        state_bytes=len(json.dumps(state)),
        comm_id=opens[-1]["content"]["comm_id"],
    )


def ask_asset(client: BlockingKernelClient, comm_id: str, name: str) -> int:
    """Bytes of the kernel's answer to the front end's request for asset ``name``."""
    content = {"kind": "asset", "id": f"bench-{name}", "name": name}
    data = {"method": "custom", "content": content}
    msg = client.session.msg("comm_msg", {"comm_id": comm_id, "data": data})
    client.shell_channel.send(msg)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        msg = client.get_iopub_msg(timeout=30)
        if msg["msg_type"] != "comm_msg":
            continue
        reply = msg["content"]["data"].get("content", {})
        if reply.get("id") == f"bench-{name}":
            if "error" in reply:
                raise RuntimeError(reply["error"])
            return wire_size(msg)
    raise TimeoutError(f"no answer for the {name} asset")


def main() -> None:
    with running_kernel() as client:
        execute(client, SETUP)
        results = {label: display(client, code) for label, code in DISPLAYS.items()}
        chat = results["ChatWidget (another)"].comm_id
        assets = {name: ask_asset(client, chat, name) for name in ASSETS}

    print("Displaying one widget: IOPub messages and bytes (all of them, as JSON plus buffers)\n")
    print(f"| {'widget':<22} | {'messages':>8} | {'KB sent':>8} | {'KB state':>8} |")
    print(f"|{'-' * 24}|{'-' * 9}:|{'-' * 9}:|{'-' * 9}:|")
    for label, r in results.items():
        kb, state = r.bytes / 1000, r.state_bytes / 1000
        print(f"| {label:<22} | {r.messages:>8} | {kb:>8.1f} | {state:>8.1f} |")
    print("\nAssets, each sent once per page, the first time a reply needs it\n")
    print(f"| {'asset':<10} | {'KB':>6} | {'needed by':<30} |")
    print(f"|{'-' * 12}|{'-' * 8}:|{'-' * 32}|")
    needs = {
        "highlight": "a code block in a known language",
        "katex": "a formula ($..$, \\(..\\), $$..$$)",
        "widgets": "a widget item",
        "history": "the History panel, opened",
    }
    for name, size in assets.items():
        print(f"| {name:<10} | {size / 1000:>6.1f} | {needs[name]:<30} |")
    total = results["ChatWidget (first)"].bytes + sum(assets.values())
    print(f"\nA chat that ends up needing every asset: {total / 1000:.1f} KB in all.")


if __name__ == "__main__":
    main()

"""What one streamed token costs a real ipykernel: CPU, IOPub messages and bytes, against a floor.

Starts a kernel (jupyter_client), and in it streams the same tokens at the same rate through
several approaches, alternating them and repeating. Every approach's tokens come from one
asyncio driver, so each is measured net of it: a *null* run (the driver alone, nothing sent)
is subtracted. The kernel's CPU (all its threads, IOPub's included) is read with getrusage
around each run; IOPub messages and their bytes (header, parent header, metadata and content
as JSON: about what crosses the socket) are counted by this client for the run's cell.

- ``floor``: a bare anywidget sending the text that arrived, at most once per 16 ms (what any
  streaming widget has to pay).
- ``html +=``: ipywidgets ``HTML.value += token`` (the common naive peer).
- ``agent floor``: openai-agents' Runner streaming the same offline model, its text deltas sent
  as the floor sends them: what any chat on an agent pays before ChatKit, a store or a UI.
- ``ChatWidget``: the whole pipeline (openai-agents Runner on the offline model, the ChatKit
  server, the bridge, the comm), on a SQLite file as by default, with a fresh thread and after
  ``--history`` items; and once with crash safety off (no running-turn record, no checkpoint
  of streamed text every second: ``backends/_turns.py``), which shows what that costs.

Printed: µs of kernel CPU per token (minimum over repeats, net of null; and the mean, which
keeps any full garbage collection that landed in a run), the ratio to the floor measured in the
same run, IOPub messages and bytes per token, and the full collections counted in all runs.
Then, for ChatWidget, the µs per token in the 2nd and the last tenth of a reply (whether a
token costs more as the reply grows), and the IOPub messages of the busiest second of a reply
streamed as fast as the pipeline goes (Jupyter Server drops what is over its rate limit).
Nothing leaves the machine.

    python benchmarks/kernel_token_cost.py [--tokens 2000] [--rate 200] [--repeats 3]
        [--history 1000]
"""

from __future__ import annotations

import argparse
import bisect
import json
import sys
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise
from pathlib import Path

from jupyter_client.blocking.client import BlockingKernelClient

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the tests' kernel driver
from tests.support.kernel import execute, running_kernel

SETUP = r"""
import asyncio, gc, json, resource, tempfile, time
import anywidget, ipywidgets, traitlets
from agents import Runner, set_tracing_disabled
from chatkit.server import ChatKitServer
from chatkit_widget import ChatWidget, OfflineDemoModel
from chatkit_widget.backends._in_process import LocalChatKitServer
from chatkit_widget.demo import demo_agent
set_tracing_disabled(True)
_STORE = tempfile.mkdtemp() + "/bench.sqlite"
_TRACKED = LocalChatKitServer._process_events

def _cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime

#: Full collections (over every object in the kernel) during the run: count, CPU seconds.
_full = [0, 0.0]

def _watch_full(phase, info):
    if info["generation"] == 2:
        if phase == "start":
            _full.append(_cpu())
        else:
            _full[0] += 1
            _full[1] += _cpu() - _full.pop()

gc.callbacks.append(_watch_full)

async def _tokens(n, rate):
    # The driver every approach shares: n tokens, 1/rate s apart.
    start = time.monotonic()
    for i in range(n):
        await asyncio.sleep(max(0.0, start + (i + 1) / rate - time.monotonic()))
        yield f"{i + 1} "

class _Bare(anywidget.AnyWidget):
    _esm = "export default { render() {} }"

async def _null(n, rate):
    async for _ in _tokens(n, rate):
        pass

async def _send_coalesced(texts):
    # What any streaming widget has to send: a bare anywidget sending the text that arrived,
    # at most once per 16 ms, and what is left at the end.
    w, buf, last = _Bare(), [], time.monotonic()
    async for text in texts:
        buf.append(text)
        if time.monotonic() - last >= 0.016:
            w.send({"delta": "".join(buf)})
            buf.clear()
            last = time.monotonic()
    if buf:
        w.send({"delta": "".join(buf)})
    w.close()

async def _floor(n, rate):
    await _send_coalesced(_tokens(n, rate))

async def _text_deltas(result):
    async for event in result.stream_events():
        data = getattr(event, "data", None)
        if getattr(data, "type", "") == "response.output_text.delta":
            yield data.delta

async def _runner(n, rate):
    # What any chat on an openai-agents agent pays at least: the Runner streaming the same
    # offline model, each text delta sent as the floor sends it (no ChatKit, no store).
    model = OfflineDemoModel(delay=1 / rate)
    result = Runner.run_streamed(demo_agent(model=model), f"count to {n}")
    await _send_coalesced(_text_deltas(result))

async def _html(n, rate):
    w = ipywidgets.HTML()
    async for token in _tokens(n, rate):
        w.value += token
    w.close()

_chats = {}

async def _chat_with(history):
    if history not in _chats:
        model = OfflineDemoModel(delay=0)
        chat = ChatWidget(agent=demo_agent(model=model), store=_STORE)
        chat.new_thread()
        while len(chat._backend.items_sync(chat.thread_id) if chat.thread_id else []) < history:
            await chat.ask("count to 3")
        _chats[history] = (chat, model)
    return _chats[history]

#: CPU at each tenth of the last ChatWidget reply's text deltas (gross: the driver included).
_along = []

async def _chatkit(n, rate, history, safe=True):
    chat, model = await _chat_with(history)
    # The offline model streams at `rate` through the same Runner path a real model takes.
    model.delay = 1 / rate
    if not safe:  # ChatKit's own event loop, without the crash-safety wrapper
        LocalChatKitServer._process_events = ChatKitServer._process_events
    deltas, _along[:] = 0, [_cpu()]

    def along(event):  # does the cost of a token grow as the reply does?
        nonlocal deltas
        if event["type"] == "thread.item.updated" and event["update"]["type"].endswith("delta"):
            deltas += 1
            if deltas % max(1, n // 10) == 0:
                _along.append(_cpu())

    chat._bridge.observers.append(along)
    try:
        await chat.ask(f"count to {n}")
    finally:
        chat._bridge.observers.remove(along)
        model.delay = 0
        LocalChatKitServer._process_events = _TRACKED

async def _measure(run):
    _full[:], _along[:] = [0, 0.0], []
    t0 = _cpu()
    await run
    return _cpu() - t0
"""


@dataclass
class Run:
    cpu_s: float
    messages: int
    bytes: int
    #: CPU s per tenth of a ChatWidget reply (empty for the other approaches).
    tenths: list[float]
    full_gcs: int
    full_gc_s: float


def measure(client: BlockingKernelClient, call: str) -> Run:
    """One awaited run: its kernel CPU and the comm messages it sent (their size as JSON).

    Also the full collections during it, and for a ChatWidget run the CPU per tenth of the reply.
    """
    cell = execute(client, f"print(await _measure({call}))", timeout=600)
    parts = ("header", "parent_header", "metadata", "content")
    comms = cell.comm_msgs
    size = sum(len(json.dumps([m[p] for p in parts], default=str)) for m in comms)
    marks, full = json.loads(execute(client, "print(json.dumps([_along, _full]))").stdout)
    tenths = [b - a for a, b in pairwise(marks)]
    return Run(float(cell.stdout.strip()), len(comms), size, tenths, full[0], full[1])


def burst(client: BlockingKernelClient, tokens: int) -> tuple[float, int]:
    """A reply as fast as the pipeline streams it (the model never waits).

    Returns its tokens per second and the most IOPub messages in any one second of it.
    """
    cell = execute(client, f"await _chatkit({tokens}, float('inf'), 0)", timeout=600)
    shown = execute(client, "print(len(_chats[0][0].messages[-1]['text'].split()))").stdout
    assert int(shown) == tokens, f"the reply was not the {tokens} tokens asked for"
    stamps = sorted(_seconds(m["header"]["date"]) for m in cell.published)
    peak = max(bisect.bisect(stamps, at + 1.0) - i for i, at in enumerate(stamps))
    return tokens / (stamps[-1] - stamps[0]), peak


def _seconds(date: datetime | str) -> float:
    return (date if isinstance(date, datetime) else datetime.fromisoformat(date)).timestamp()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, default=2000)
    parser.add_argument("--rate", type=float, default=200.0, help="tokens per second")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--history", type=int, default=1000, help="items before the turn")
    args = parser.parse_args()
    n, rate = args.tokens, args.rate
    approaches = {
        "null (driver alone)": f"_null({n}, {rate})",
        "floor: bare anywidget, 16 ms": f"_floor({n}, {rate})",
        "ipywidgets HTML.value +=": f"_html({n}, {rate})",
        "agent floor: Runner -> bare widget": f"_runner({n}, {rate})",
        "ChatWidget, history 0": f"_chatkit({n}, {rate}, 0)",
        "ChatWidget, h 0, no crash safety": f"_chatkit({n}, {rate}, 0, safe=False)",
        f"ChatWidget, history {args.history}": f"_chatkit({n}, {rate}, {args.history})",
    }
    with running_kernel() as client:
        execute(client, SETUP)
        # Build the histories, then warm up: imports, validators, first-run caches.
        execute(client, f"await _chat_with(0); await _chat_with({args.history})", timeout=600)
        for call in approaches.values():
            measure(client, call.replace(f"({n},", "(100,"))
        runs: dict[str, list[Run]] = {label: [] for label in approaches}
        for _ in range(args.repeats):
            for label, call in approaches.items():
                runs[label].append(measure(client, call))
        burst_tokens = min(9_999, 10 * n)  # the offline model counts to 9,999 at most
        burst_rate, burst_peak = burst(client, burst_tokens)
    null_runs = [r.cpu_s for r in runs["null (driver alone)"]]
    null, null_mean = min(null_runs), sum(null_runs) / len(null_runs)
    net = {label: (min(r.cpu_s for r in rs) - null) / n * 1e6 for label, rs in runs.items()}
    mean = {
        label: (sum(r.cpu_s for r in rs) / len(rs) - null_mean) / n * 1e6
        for label, rs in runs.items()
    }
    floor = net["floor: bare anywidget, 16 ms"]
    print(f"{n} tokens at {rate:g} tokens/s, {args.repeats} runs each, net of the driver")
    print(
        f"{'approach':34} {'µs/token':>9} {'x floor':>8} {'mean':>7} {'msgs/token':>11} "
        f"{'B/token':>8} {'full GCs':>14}"
    )
    for label, rs in runs.items():
        last = rs[-1]
        ratio = "" if label.startswith("null") else f"{net[label] / floor:8.2f}"
        gcs = f"{sum(r.full_gcs for r in rs)} ({sum(r.full_gc_s for r in rs) * 1e3:.0f} ms)"
        print(
            f"{label:34} {net[label]:9.1f} {ratio:>8} {mean[label]:7.1f} "
            f"{last.messages / n:11.3f} {last.bytes / n:8.1f} {gcs:>14}"
        )
    print(
        "µs/token: the minimum over runs; mean: the average, with any full collection (over "
        "every object in the kernel) that landed in a run"
    )
    # The first tenth also pays for starting the turn; from the second on a token's cost
    # should not grow with the reply (no per-token work over the text so far).
    print(f"\nalong a reply: µs/token in its 2nd and last tenth (gross, min of {args.repeats})")
    for label, rs in runs.items():
        if all(len(r.tenths) == 10 for r in rs):
            second, tenth = (min(r.tenths[i] for r in rs) / (n / 10) * 1e6 for i in (1, 9))
            print(f"{label:34} {second:9.1f} {tenth:9.1f} {tenth / second:8.2f}")
    print(
        f"\nas fast as it goes: ChatWidget streamed {burst_tokens} tokens at {burst_rate:,.0f} "
        "tokens/s "
        f"with at most {burst_peak} IOPub messages in any second (Jupyter Server's default "
        "limit: 1,000 a second)"
    )


if __name__ == "__main__":
    main()

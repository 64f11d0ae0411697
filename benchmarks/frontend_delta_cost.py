"""What one streamed text delta costs the front end's main thread, early and late in a reply.

Loads the built bundle (``src/chatkit_widget/static/index.js``; ``cd js && npm run build``) into
headless Chromium with a fake anywidget model, and plays the kernel's side of the comm
envelope (``_protocol.py``): a ``start``, then ``event`` messages carrying ``thread.created``,
the user message, the assistant message, one ``text_delta`` per message (prose with inline
markdown, a list and a 30-line code fence every 200 deltas), and ``thread.item.done``.

A delta's cost is its message handling (state update) plus the whole rendering frame that
follows it: the transcript's rAF-batched patch, then the browser's style, layout and paint, up
to the first task after the frame (a callback registered ahead of the transcript's opens the
frame, a message posted from it closes it). In the sampled windows each delta gets a frame of
its own; the middle of a long reply is fed 25 deltas per frame (the "by tenth" line averages
those batches). Figures are milliseconds per delta, median and p95, for the first and last 200
deltas of a long reply and for the first 200 deltas of a reply after a long loaded history.
Nothing leaves the machine: every request the page makes is answered by a Playwright route.

    /work/venv/bin/python benchmarks/frontend_delta_cost.py [--deltas 10000] [--history 200]
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
from pathlib import Path
from typing import Any, TypedDict

from playwright.sync_api import Page, Route, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
BUNDLE = ROOT / "src" / "chatkit_widget" / "static" / "index.js"
ORIGIN = "http://127.0.0.1:8899"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
WINDOW = 200  # deltas per sampled window; also the length of one cycle of the reply's markdown
BATCH = 25  # deltas per frame between the sampled windows
WARMUP_DELTAS = 2 * WINDOW
WORDS = (
    "the quick brown fox jumps over a lazy dog while streaming tokens arrive one by one "
    "and every block of markdown settles once its blank line has come"
).split()

HARNESS = r"""<!doctype html>
<html><head><meta charset="utf-8"><title>frontend delta cost</title></head>
<body>
<script type="module">
const realRaf = window.requestAnimationFrame.bind(window);
const now = () => performance.now();
/** Time spent in the page's own rAF callbacks (the transcript's patch, its forced layout). */
let rafMs = 0;
window.requestAnimationFrame = (cb) =>
  realRaf((t) => {
    const start = now();
    try {
      cb(t);
    } finally {
      rafMs += now() - start;
    }
  });

/** Resolves with the time of the first task that runs after the current rendering update. */
function afterFrame(resolve) {
  const channel = new MessageChannel();
  channel.port1.onmessage = () => resolve(now());
  channel.port2.postMessage(0);
}

/** A frame: its start (the first rAF callback) and end (the first task after it). */
function openFrame() {
  let start = 0;
  const end = new Promise((resolve) => {
    realRaf(() => {
      start = now();
      afterFrame(resolve);
    });
  });
  return { end, startedAt: () => start };
}

/** The anywidget model, as much of it as the widget uses. */
class FakeModel {
  constructor(traits) {
    this.traits = { ...traits };
    this.handlers = new Map();
    this.sent = [];
  }
  get(name) { return this.traits[name]; }
  set(name, value) {
    if (this.traits[name] === value) return;
    this.traits[name] = value;
    this.emit(`change:${name}`, this, value);
  }
  save_changes() {}
  on(name, cb) {
    if (!this.handlers.has(name)) this.handlers.set(name, new Set());
    this.handlers.get(name).add(cb);
  }
  off(name, cb) { this.handlers.get(name)?.delete(cb); }
  emit(name, ...args) { for (const cb of [...(this.handlers.get(name) ?? [])]) cb(...args); }
  /** Front end -> kernel. */
  send(msg) {
    this.sent.push(msg);
    kernel(this, msg);
  }
  /** Kernel -> front end: a custom comm message. */
  deliver(msg) { this.emit("msg:custom", msg, []); }
}

const histories = new Map();

/** The kernel: answers thread loads; the streams are played by the benchmark itself. */
function kernel(model, msg) {
  if (msg.kind !== "request" || msg.request.type !== "threads.get_by_id") return;
  const thread = histories.get(msg.request.params.thread_id);
  const reply = thread
    ? { kind: "response", id: msg.id, result: thread }
    : { kind: "error", id: msg.id, message: "unknown thread" };
  setTimeout(() => model.deliver(reply), 0);
}

const widgets = [];
let render = null;
let replyDeltas = [];

function logOf(i) { return widgets[i].el.querySelector('[role="log"]'); }

function deltaEvent(itemId, delta) {
  return {
    type: "thread.item.updated",
    item_id: itemId,
    update: { type: "assistant_message.content_part.text_delta", content_index: 0, delta },
  };
}

window.bench = {
  async load(bundleUrl) {
    render = (await import(bundleUrl)).default.render;
    return { isolated: window.crossOriginIsolated, agent: navigator.userAgent };
  },
  setHistory(thread) { histories.set(thread.id, thread); },
  setReply(deltas) { replyDeltas = deltas; },
  mount(traits) {
    const model = new FakeModel(traits);
    const el = document.createElement("div");
    document.body.append(el);
    const cleanup = render({ model, el });
    widgets.push({ model, el, cleanup });
    return widgets.length - 1;
  },
  unmount(i) {
    widgets[i].cleanup();
    widgets[i].el.remove();
  },
  /** Deliver messages unmeasured, then let a frame render them. */
  async deliver(i, msgs) {
    const frame = openFrame();
    for (const msg of msgs) widgets[i].model.deliver(msg);
    await frame.end;
  },
  async waitRows(i, rows) {
    const deadline = now() + 20000;
    while (logOf(i).children.length < rows) {
      if (now() > deadline) throw new Error(`only ${logOf(i).children.length} rows`);
      await openFrame().end;
    }
  },
  /**
   * Deliver replyDeltas[from, to) for item `itemId`, `perFrame` messages per frame. Returns one
   * [deltas, handling ms, frame ms] record per frame.
   */
  async feed(i, streamId, itemId, from, to, perFrame) {
    const model = widgets[i].model;
    const records = [];
    for (let at = from; at < to; at += perFrame) {
      const end = Math.min(to, at + perFrame);
      const frame = openFrame(); // registered before the transcript's: it opens the frame
      rafMs = 0;
      const t0 = now();
      for (let k = at; k < end; k++) {
        model.deliver({ kind: "event", id: streamId, events: [deltaEvent(itemId, replyDeltas[k])] });
      }
      const handled = now() - t0;
      const frameEnd = await frame.end;
      records.push([end - at, handled, frameEnd - frame.startedAt(), rafMs]);
    }
    return records;
  },
  /** Frames with nothing delivered: what a frame costs anyway. */
  async idle(frames) {
    const records = [];
    for (let n = 0; n < frames; n++) {
      const frame = openFrame();
      rafMs = 0;
      const frameEnd = await frame.end;
      records.push([1, 0, frameEnd - frame.startedAt(), rafMs]);
    }
    return records;
  },
  /** One message, measured like a delta (e.g. the final thread.item.done). */
  async measure(i, msg) {
    const frame = openFrame();
    rafMs = 0;
    const t0 = now();
    widgets[i].model.deliver(msg);
    const handled = now() - t0;
    const frameEnd = await frame.end;
    return [1, handled, frameEnd - frame.startedAt(), rafMs];
  },
  logSize(i) {
    const log = logOf(i);
    const walker = document.createTreeWalker(log, NodeFilter.SHOW_ALL);
    let nodes = 0;
    while (walker.nextNode()) nodes++;
    return {
      rows: log.children.length,
      elements: log.getElementsByTagName("*").length,
      nodes,
      chars: log.textContent.length,
    };
  },
};
window.benchReady = true;
</script>
</body></html>
"""


class Stats(TypedDict):
    median: float
    p95: float
    handle: float
    patch: float
    browser: float


Record = tuple[int, float, float, float]  # deltas, handling ms, frame ms, page's rAF ms


def word(i: int) -> str:
    return WORDS[i % len(WORDS)]


def cycle(seed: int) -> list[str]:
    """One WINDOW-long run of deltas: two paragraphs, a list, a 30-line code fence."""
    out: list[str] = []
    for paragraph in range(2):  # 2 x 40 deltas
        for k in range(40):
            w = word(seed + paragraph * 40 + k)
            if k % 13 == 5:
                w = f"**{w}**"
            elif k % 17 == 8:
                w = f"`{w}()`"
            elif k == 20:
                w = f"[{w}](https://example.com/{k})"
            out.append(f"{w}.\n\n" if k == 39 else f"{w} ")
    out.append("A list:\n\n")  # 1
    for item in range(5):  # 5 x 6 deltas
        words = [word(seed + item * 6 + k) for k in range(6)]
        out += [f"- {words[0]} ", *(f"{w} " for w in words[1:5])]
        out.append(f"{words[5]}\n\n" if item == 4 else f"{words[5]}\n")
    out.append("```python\n")  # 1
    for line in range(29):  # 29 x 3 deltas
        out += [f"value_{line} = ", f"compute({seed + line}, {word(line)!r}) ", "+ 1\n"]
    out.append("```\n\n")  # 1
    assert len(out) == WINDOW, len(out)
    return out


def reply(deltas: int, seed: int = 0) -> list[str]:
    out: list[str] = []
    while len(out) < deltas:
        out += cycle(seed + len(out))
    return out[:deltas]


def user_item(item_id: str, thread_id: str, text: str) -> dict[str, Any]:
    return {
        "id": item_id,
        "type": "user_message",
        "thread_id": thread_id,
        "created_at": "2025-01-01T00:00:00Z",
        "content": [{"type": "input_text", "text": text}],
        "attachments": [],
        "inference_options": {},
    }


def assistant_item(item_id: str, thread_id: str, text: str) -> dict[str, Any]:
    return {
        "id": item_id,
        "type": "assistant_message",
        "thread_id": thread_id,
        "created_at": "2025-01-01T00:00:00Z",
        "content": [{"type": "output_text", "text": text, "annotations": []}],
    }


def thread(thread_id: str, items: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": thread_id,
        "title": "Benchmark",
        "created_at": "2025-01-01T00:00:00Z",
        "status": {"type": "active"},
        "metadata": {},
        "items": {"data": items, "has_more": False},
    }


def history(thread_id: str, messages: int) -> dict[str, Any]:
    """A finished conversation: user and assistant messages alternating, replies in markdown."""
    items: list[dict[str, Any]] = []
    for n in range(messages):
        if n % 2 == 0:
            items.append(user_item(f"hist_{n}", thread_id, f"Question {n}: {word(n)} {word(n + 1)}?"))
        else:
            text = "".join(cycle(n)).rstrip()
            items.append(assistant_item(f"hist_{n}", thread_id, text))
    return thread(thread_id, items)


def traits(thread_id: str | None) -> dict[str, Any]:
    return {
        "thread_id": thread_id,
        "placeholder": "Message",
        "height": "600px",
        "theme": "light",
        "model_label": "bench",
        "offline": False,
    }


def stats(records: list[Record]) -> Stats:
    """Per-delta cost of each frame (handling + frame, divided by its deltas)."""
    per_delta = sorted((handled + frame) / n for n, handled, frame, _ in records)
    p95 = per_delta[max(0, math.ceil(0.95 * len(per_delta)) - 1)]
    return {
        "median": statistics.median(per_delta),
        "p95": p95,
        "handle": statistics.median(handled / n for n, handled, _, _ in records),
        "patch": statistics.median(raf / n for n, _, _, raf in records),
        "browser": statistics.median((frame - raf) / n for n, _, frame, raf in records),
    }


def play_reply(
    page: Page,
    widget: int,
    stream: str,
    thread_id: str,
    create: bool,
    total: int,
    windows: bool,
) -> tuple[list[Record], list[Record], list[Record], Record]:
    """Stream one reply of `total` deltas; return (first window, middle, last window, done)."""
    user_text = "Write a long answer."
    params: dict[str, Any] = {"input": {"content": [{"type": "input_text", "text": user_text}]}}
    if create:
        request = {"type": "threads.create", "params": params}
    else:
        request = {"type": "threads.add_user_message", "params": {**params, "thread_id": thread_id}}
    item_id = f"{stream}_assistant"
    opening: list[dict[str, Any]] = []
    if create:
        opening.append({"type": "thread.created", "thread": thread(thread_id, [])})
    opening += [
        {"type": "thread.item.done", "item": user_item(f"{stream}_user", thread_id, user_text)},
        {"type": "thread.item.added", "item": assistant_item(item_id, thread_id, "")},
        {
            "type": "thread.item.updated",
            "item_id": item_id,
            "update": {
                "type": "assistant_message.content_part.added",
                "content_index": 0,
                "content": {"type": "output_text", "text": "", "annotations": []},
            },
        },
    ]
    page.evaluate(
        "([i, msgs]) => bench.deliver(i, msgs)",
        [
            widget,
            [
                {"kind": "start", "id": stream, "request": request},
                *({"kind": "event", "id": stream, "events": [event]} for event in opening),
            ],
        ],
    )
    feed = "([i, s, item, a, b, k]) => bench.feed(i, s, item, a, b, k)"
    first_end = min(WINDOW, total) if windows else 0
    last_start = max(first_end, (total // WINDOW - 1) * WINDOW) if windows else total
    last_end = max(last_start, (total // WINDOW) * WINDOW) if windows else total
    first = page.evaluate(feed, [widget, stream, item_id, 0, first_end, 1])
    middle = page.evaluate(feed, [widget, stream, item_id, first_end, last_start, BATCH])
    last = page.evaluate(feed, [widget, stream, item_id, last_start, last_end, 1])
    middle += page.evaluate(feed, [widget, stream, item_id, last_end, total, BATCH])
    text = "".join(reply(total))
    done = page.evaluate(
        "([i, msg]) => bench.measure(i, msg)",
        [
            widget,
            {
                "kind": "event",
                "id": stream,
                "events": [{"type": "thread.item.done", "item": assistant_item(item_id, thread_id, text)}],
            },
        ],
    )
    page.evaluate(
        "([i, msgs]) => bench.deliver(i, msgs)",
        [widget, [{"kind": "end", "id": stream, "reason": "done"}]],
    )
    return first, middle, last, (done[0], done[1], done[2], done[3])


def serve(route: Route) -> None:
    """Answer every request the page makes; nothing goes over the network."""
    url = route.request.url
    isolation = {
        "Cross-Origin-Opener-Policy": "same-origin",
        "Cross-Origin-Embedder-Policy": "require-corp",
        "Cross-Origin-Resource-Policy": "same-origin",
    }
    if url in (f"{ORIGIN}/", f"{ORIGIN}/index.html"):
        route.fulfill(status=200, content_type="text/html", body=HARNESS, headers=isolation)
    elif url == f"{ORIGIN}/index.js":
        route.fulfill(
            status=200, content_type="text/javascript", body=BUNDLE.read_text(), headers=isolation
        )
    else:
        route.abort()


def row(label: str, s: Stats) -> str:
    return (
        f"  {label:44} {s['median']:7.3f} {s['p95']:7.3f}   "
        f"{s['handle']:7.3f} {s['patch']:7.3f} {s['browser']:7.3f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--deltas", type=int, default=10_000, help="deltas in the long reply")
    parser.add_argument("--history", type=int, default=200, help="messages already in the thread")
    args = parser.parse_args()
    if args.deltas < 2 * WINDOW:
        parser.error(f"--deltas must be at least {2 * WINDOW}")
    if not BUNDLE.exists():
        sys.exit(f"{BUNDLE} is missing: run `cd js && npm run build` first")
    wall = time.perf_counter()

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS
        )
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.route("**/*", serve)
        page = context.new_page()
        page.goto(f"{ORIGIN}/")
        page.wait_for_function("window.benchReady === true")
        info = page.evaluate("(url) => bench.load(url)", f"{ORIGIN}/index.js")
        page.evaluate("(deltas) => bench.setReply(deltas)", reply(args.deltas))
        page.evaluate("(t) => bench.setHistory(t)", history("thread_history", args.history))

        idle = page.evaluate("(n) => bench.idle(n)", 120)

        # Warm the JIT on a throwaway widget, so the first window is not the cold one.
        warm = page.evaluate("(t) => bench.mount(t)", traits(None))
        play_reply(page, warm, "warmup", "thread_warmup", True, WARMUP_DELTAS, windows=False)
        page.evaluate("(i) => bench.unmount(i)", warm)

        # A long reply in a new thread.
        chat = page.evaluate("(t) => bench.mount(t)", traits(None))
        first, middle, last, done = play_reply(
            page, chat, "long", "thread_long", True, args.deltas, windows=True
        )
        long_log = page.evaluate("(i) => bench.logSize(i)", chat)
        page.evaluate("(i) => bench.unmount(i)", chat)

        # A reply in a thread that already holds a long history (loaded by threads.get_by_id).
        hist = page.evaluate("(t) => bench.mount(t)", traits("thread_history"))
        page.evaluate("([i, n]) => bench.waitRows(i, n)", [hist, args.history])
        h_first, h_middle, h_last, h_done = play_reply(
            page, hist, "after_history", "thread_history", False, args.deltas, windows=True
        )
        hist_log = page.evaluate("(i) => bench.logSize(i)", hist)
        browser.close()

    n = args.deltas
    print(f"Front end cost per text delta, {n} one-word deltas per reply ({info['agent']})")
    print(
        f"  timer: {'5 us (cross-origin isolated)' if info['isolated'] else '100 us (coarse)'}; "
        f"windows: 1 delta per frame; between them {BATCH} deltas per frame"
    )
    print()
    print(
        f"  {'ms per delta':44} {'median':>7} {'p95':>7}   "
        f"{'handle':>7} {'patch':>7} {'browser':>7}"
    )
    print(row("idle frame, nothing delivered", stats(idle)))
    print(row(f"start of reply (deltas 1-{WINDOW})", stats(first)))
    print(row(f"end of {n}-token reply (last {WINDOW})", stats(last)))
    print(row(f"start of reply after {args.history}-message history", stats(h_first)))
    print(row(f"end of {n}-token reply after the history", stats(h_last)))
    print(
        "  (median, p95: message handling + the frame after it; then medians of its parts:\n"
        "   handle = the msg:custom handler, patch = the transcript's rAF callback, forced\n"
        "   layout included, browser = the rest of the frame: style, layout, paint)"
    )
    print()
    for label, records in (("new thread", middle), ("after history", h_middle)):
        tenths = [records[k * len(records) // 10 : (k + 1) * len(records) // 10] for k in range(10)]
        cells = " ".join(f"{stats(t)['median']:.3f}" for t in tenths if t)
        print(f"  by tenth of the reply, {BATCH}/frame, {label:13} {cells}")
    print()
    for label, rec in (("new thread", done), ("after history", h_done)):
        print(
            f"  final thread.item.done ({label}, whole text re-rendered): "
            f"handle {rec[1]:.1f} ms + frame {rec[2]:.1f} ms (patch {rec[3]:.1f} ms)"
        )
    for label, size in ((f"after the {n}-token reply", long_log), ("with history", hist_log)):
        print(
            f"  log {label}: {size['rows']} rows, {size['elements']} elements, "
            f"{size['nodes']} DOM nodes, {size['chars']} characters"
        )
    print(f"  wall time {time.perf_counter() - wall:.1f} s")


if __name__ == "__main__":
    main()

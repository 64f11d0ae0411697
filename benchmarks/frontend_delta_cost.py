"""What one streamed text delta costs the front end's main thread, early and late in a reply.

Loads the built bundle (``src/chatkit_widget/static/index.js``; ``cd js && npm run build``) into
headless Chromium with a fake anywidget model, and plays the kernel's side of the comm
envelope (``_protocol.py``): a ``start``, then ``event`` messages carrying ``thread.created``,
the user message, the assistant message, one ``text_delta`` per message (prose with inline
markdown, a list and a 30-line code fence in every 200 deltas), and ``thread.item.done``.

A delta's cost is its message handling plus the whole rendering frame after it: the
transcript's rAF-batched patch (markdown, DOM, and the layout it forces by reading
``scrollHeight``), then the rest of the browser's frame (style, layout, paint), up to the first
task after the frame. A rAF callback registered before the transcript's opens the frame; a
message posted from it closes it. The timer is 5 us (the page is cross-origin isolated).

In the sampled windows each delta gets a frame of its own (the worst case: the kernel coalesces
deltas 16 ms apart); between them 25 deltas share a frame, and "by tenth" averages those
batches. Printed, in ms per delta (median, p95, and the medians of its parts): the first 200
deltas of a long reply in a new thread, 200 once the reply fills the view and the browser's
paint area (deltas 801-1000), and the last 200; the same after a loaded history of finished
messages; and frames with nothing delivered while a reply streams, and once it has paused over a
second (the cursor pulses, markdown/render.ts STALL_MS). Nothing leaves the machine:
a Playwright route answers every request the page makes.

    python benchmarks/frontend_delta_cost.py [--deltas 10000] [--history 200] [--shape list]

``--shape`` streams one kind of block throughout instead of the mix: ``paragraphs``, ``list``
(one list that never ends), ``code`` (one code fence that never closes) or ``table``.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, Route, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # one definition of how Chromium runs here: the browser tests'
from tests.support.lab import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

BUNDLE = ROOT / "src" / "chatkit_widget" / "static" / "index.js"
ORIGIN = "http://127.0.0.1:8899"  # never contacted: the route below answers for it
OPEN_PAGE = 50  # the items a thread opens with (PAGE_SIZE in js/src/session.ts)
WINDOW = 200  # deltas per sampled window, and the length of one cycle of the reply's markdown
BATCH = 25  # deltas per frame between the sampled windows
IDLE_FRAMES = 60
WARMUP_DELTAS = 2 * WINDOW
# Where the reply has filled the view and the area around it the browser paints: from here a
# frame paints about as much as at the end, so this window against the last is what length costs.
FILLED = 800
WORDS = (
    "the quick brown fox jumps over a lazy dog while streaming tokens arrive one by one "
    "and every block of markdown settles once its blank line has come"
).split()

HARNESS = r"""<!doctype html>
<html><head><meta charset="utf-8"><title>frontend delta cost</title></head>
<body>
<script type="module">
const now = () => performance.now();
const realRaf = window.requestAnimationFrame.bind(window);

// Time the page's own rAF callbacks (the transcript's patch) and, inside them, the style and
// layout that reading scrollHeight forces.
let rafMs = 0;
let layoutMs = 0;
let inRaf = false;
window.requestAnimationFrame = (cb) =>
  realRaf((t) => {
    const start = now();
    inRaf = true;
    try {
      cb(t);
    } finally {
      inRaf = false;
      rafMs += now() - start;
    }
  });
const scrollHeight = Object.getOwnPropertyDescriptor(Element.prototype, "scrollHeight");
Object.defineProperty(Element.prototype, "scrollHeight", {
  configurable: true,
  get() {
    if (!inRaf) return scrollHeight.get.call(this);
    const start = now();
    try {
      return scrollHeight.get.call(this);
    } finally {
      layoutMs += now() - start;
    }
  },
});

/** A frame: opened by the first rAF callback, closed by the first task after rendering. */
function openFrame() {
  let start = 0;
  const end = new Promise((resolve) => {
    realRaf(() => {
      start = now();
      const channel = new MessageChannel();
      channel.port1.onmessage = () => resolve(now());
      channel.port2.postMessage(0);
    });
  });
  rafMs = 0;
  layoutMs = 0;
  return { end, startedAt: () => start };
}

/** [deltas, handling ms, frame ms, rAF ms, forced layout ms] once the frame has ended. */
async function record(frame, deltas, handled) {
  const end = await frame.end;
  return [deltas, handled, end - frame.startedAt(), rafMs, layoutMs];
}

/** The anywidget model, as much of it as the widget uses. */
class FakeModel {
  constructor(traits) {
    this.traits = { ...traits };
    this.handlers = new Map();
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
  send(msg) { kernel(this, msg); }
  /** Kernel -> front end: a custom comm message. */
  deliver(msg, buffers = []) { this.emit("msg:custom", msg, buffers); }
}

const histories = new Map();

/** The kernel answers thread loads (the thread, and its newest page of items, as a store
 * would); the benchmark plays the streams itself. */
function kernel(model, msg) {
  if (msg.kind === "asset") {
    // KaTeX, highlight.js, the widget renderer: the code, as the kernel sends it (_assets.py).
    fetch(`/assets/${msg.name}.js`)
      .then((r) => r.arrayBuffer())
      .then((code) => {
        model.deliver({ kind: "asset", id: msg.id, name: msg.name }, [new DataView(code)]);
      });
    return;
  }
  if (msg.kind !== "request") return;
  const { type, params } = msg.request;
  if (type !== "threads.get_by_id" && type !== "items.list") return;
  const thread = histories.get(params.thread_id);
  let result = thread;
  if (thread && type === "items.list") {
    const newest = [...thread.items.data].reverse();
    const data = newest.slice(0, params.limit ?? 20);
    const more = newest.length > data.length;
    result = { data, has_more: more, after: more ? data[data.length - 1].id : null };
  }
  const reply = result
    ? { kind: "response", id: msg.id, result }
    : { kind: "error", id: msg.id, message: "unknown thread" };
  setTimeout(() => model.deliver(reply), 0);
}

const widgets = [];
let render = null;
let replyDeltas = [];

function logOf(i) { return widgets[i].el.querySelector('[role="log"]'); }

window.bench = {
  async load(url) {
    render = (await import(url)).default.render;
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
    const deadline = now() + 30000;
    while (logOf(i).children.length < rows) {
      if (now() > deadline) throw new Error(`only ${logOf(i).children.length} rows`);
      await openFrame().end;
    }
  },
  /** Deliver replyDeltas[from, to) to `itemId`, `perFrame` messages a frame: a record a frame. */
  async feed(i, streamId, itemId, from, to, perFrame) {
    const model = widgets[i].model;
    const records = [];
    for (let at = from; at < to; at += perFrame) {
      const end = Math.min(to, at + perFrame);
      const frame = openFrame(); // before the transcript's callback: it opens the frame
      const t0 = now();
      for (let k = at; k < end; k++) {
        // A text delta as the comm carries it (`_protocol.to_comm`).
        model.deliver({
          kind: "text", id: streamId, item_id: itemId, content_index: 0, delta: replyDeltas[k],
        });
      }
      records.push(await record(frame, end - at, now() - t0));
    }
    return records;
  },
  /** Frames with nothing delivered. */
  async idle(frames) {
    const records = [];
    for (let n = 0; n < frames; n++) records.push(await record(openFrame(), 1, 0));
    return records;
  },
  /** One message, measured like a delta. */
  async measure(i, msg) {
    const frame = openFrame();
    const t0 = now();
    widgets[i].model.deliver(msg);
    return record(frame, 1, now() - t0);
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

# deltas, handling ms, frame ms, transcript rAF ms, forced style + layout ms (within the rAF)
Record = tuple[int, float, float, float, float]


@dataclass
class Reply:
    """What streaming one reply cost, frame by frame."""

    first: list[Record]
    filled: list[Record]  # empty when the reply is too short to sample it apart from the last
    middle: list[Record]
    last: list[Record]
    idle_start: list[Record]
    idle_end: list[Record]
    paused: list[Record]  # frames with no delta once the text has paused (the cursor pulses)
    done: Record


def word(i: int) -> str:
    return WORDS[i % len(WORDS)]


def cycle(seed: int) -> list[str]:
    """WINDOW deltas: two 40-word paragraphs, a five-item list, a 30-line code fence."""
    out: list[str] = []
    for paragraph in range(2):
        for k in range(40):
            w = word(seed + paragraph * 40 + k)
            if k % 13 == 5:
                w = f"**{w}**"
            elif k % 17 == 8:
                w = f"`{w}()`"
            elif k == 20:
                w = f"[{w}](https://example.com/{seed})"
            out.append(f"{w}.\n\n" if k == 39 else f"{w} ")
    out.append("A list:\n\n")
    for item in range(5):
        words = [word(seed + item * 6 + k) for k in range(6)]
        out += [f"- {words[0]} ", *(f"{w} " for w in words[1:5])]
        out.append(f"{words[5]}\n\n" if item == 4 else f"{words[5]}\n")
    out.append("```python\n")
    for line in range(29):
        out += [f"value_{line} = ", f"compute({seed + line}, {word(line)!r}) ", "+ 1\n"]
    out.append("```\n\n")
    assert len(out) == WINDOW
    return out


def paragraphs(seed: int) -> list[str]:
    """WINDOW deltas of prose: five 40-word paragraphs with inline markdown."""
    out: list[str] = []
    for paragraph in range(WINDOW // 40):
        for k in range(40):
            w = word(seed + paragraph * 40 + k)
            if k % 13 == 5:
                w = f"**{w}**"
            elif k % 17 == 8:
                w = f"`{w}()`"
            out.append(f"{w}.\n\n" if k == 39 else f"{w} ")
    return out


def list_items(seed: int) -> list[str]:
    """WINDOW deltas of one long list that never ends: 25 items of eight words."""
    out: list[str] = []
    for item in range(WINDOW // 8):
        words = [word(seed + item * 8 + k) for k in range(8)]
        out += [f"- **{words[0]}** ", *(f"{w} " for w in words[1:7]), f"{words[7]}\n"]
    return out


def code_lines(seed: int) -> list[str]:
    """WINDOW deltas of one code fence that stays open: 50 lines of four deltas."""
    out: list[str] = []
    for line in range(seed, seed + WINDOW // 4):
        out += [f"value_{line} = ", f"compute({line}, ", f"{word(line)!r}) ", "+ 1\n"]
    if seed == 0:
        out[0] = f"```python\n{out[0]}"
    return out


def table_rows(seed: int) -> list[str]:
    """WINDOW deltas of one table that never ends: 50 rows of four deltas."""
    out: list[str] = []
    for row in range(seed, seed + WINDOW // 4):
        out += [f"| {row} ", f"| **{word(row)}** ", f"| `{word(row + 1)}()` ", f"| {row * 7} |\n"]
    if seed == 0:
        out[0] = f"| n | word | call | n x 7 |\n|---:|---|---|---:|\n{out[0]}"
    return out


# What a reply is made of: the mixed cycle, or one kind of block all the way.
SHAPES = {
    "mixed": cycle,
    "paragraphs": paragraphs,
    "list": list_items,
    "code": code_lines,
    "table": table_rows,
}


def reply_deltas(count: int, shape: str = "mixed") -> list[str]:
    out: list[str] = []
    while len(out) < count:
        out += SHAPES[shape](len(out))
    return out[:count]


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
    content = [{"type": "output_text", "text": text, "annotations": []}] if text else []
    return {
        "id": item_id,
        "type": "assistant_message",
        "thread_id": thread_id,
        "created_at": "2025-01-01T00:00:00Z",
        "content": content,
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
    """A finished conversation: user questions and markdown answers, alternating."""
    items = [
        assistant_item(f"hist_{n}", thread_id, "".join(cycle(n)).rstrip())
        if n % 2
        else user_item(f"hist_{n}", thread_id, f"Question {n}: {word(n)} {word(n + 1)}?")
        for n in range(messages)
    ]
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


def opening_messages(
    stream: str, thread_id: str, *, create: bool
) -> tuple[str, list[dict[str, Any]]]:
    """The envelopes that open a reply, and the id of the assistant message they add.

    A ``start`` with the user's request, then ``event`` messages: ``thread.created`` (when
    `create`), the user message, and the empty assistant message its text deltas go to.
    """
    text = "Write a long answer."
    params: dict[str, Any] = {"input": {"content": [{"type": "input_text", "text": text}]}}
    if create:
        request = {"type": "threads.create", "params": params}
    else:
        request = {"type": "threads.add_user_message", "params": {**params, "thread_id": thread_id}}
    item_id = f"{stream}_reply"
    opening: list[dict[str, Any]] = []
    if create:
        opening.append({"type": "thread.created", "thread": thread(thread_id, [])})
    opening += [
        {"type": "thread.item.done", "item": user_item(f"{stream}_user", thread_id, text)},
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
    messages: list[dict[str, Any]] = [{"kind": "start", "id": stream, "request": request}]
    messages += [{"kind": "event", "id": stream, "events": [event]} for event in opening]
    return item_id, messages


def play_reply(
    page: Page,
    widget: int,
    stream: str,
    thread_id: str,
    *,
    create: bool,
    deltas: int,
    shape: str = "mixed",
) -> Reply:
    """Stream one reply of `deltas` deltas, sampling WINDOW deltas at its start, at FILLED and
    at its end."""
    item_id, messages = opening_messages(stream, thread_id, create=create)
    page.evaluate("([i, msgs]) => bench.deliver(i, msgs)", [widget, messages])

    def feed(start: int, end: int, per_frame: int) -> list[Record]:
        js = "([i, s, item, a, b, k]) => bench.feed(i, s, item, a, b, k)"
        return records(page.evaluate(js, [widget, stream, item_id, start, end, per_frame]))

    last_start = max(WINDOW, (deltas // WINDOW - 1) * WINDOW)
    last_end = last_start + WINDOW
    idle_start = records(page.evaluate("(n) => bench.idle(n)", IDLE_FRAMES))
    first = feed(0, WINDOW, 1)
    filled: list[Record] = []
    if last_start >= FILLED + WINDOW:
        middle = feed(WINDOW, FILLED, BATCH)
        filled = feed(FILLED, FILLED + WINDOW, 1)
        middle += feed(FILLED + WINDOW, last_start, BATCH)
    else:
        middle = feed(WINDOW, last_start, BATCH)
    last = feed(last_start, last_end, 1)
    middle += feed(last_end, deltas, BATCH)
    idle_end = records(page.evaluate("(n) => bench.idle(n)", IDLE_FRAMES))
    page.wait_for_selector(".ckw-md-stalled", state="attached")
    paused = records(page.evaluate("(n) => bench.idle(n)", IDLE_FRAMES))
    final = assistant_item(item_id, thread_id, "".join(reply_deltas(deltas, shape)))
    finished = {"type": "thread.item.done", "item": final}
    message = {"kind": "event", "id": stream, "events": [finished]}
    done = records([page.evaluate("([i, msg]) => bench.measure(i, msg)", [widget, message])])
    page.evaluate(
        "([i, msgs]) => bench.deliver(i, msgs)",
        [widget, [{"kind": "end", "id": stream, "reason": "done"}]],
    )
    return Reply(first, filled, middle, last, idle_start, idle_end, paused, done[0])


def records(raw: list[list[float]]) -> list[Record]:
    return [(int(n), handled, frame, raf, layout) for n, handled, frame, raf, layout in raw]


bundle = BUNDLE  # --bundle: another build to measure, e.g. a copy of the one before a change


def serve(route: Route) -> None:
    """Answer every request the page makes: the harness, the bundle and its assets, nothing else."""
    url = route.request.url
    isolated = {  # cross-origin isolation: performance.now() at 5 us rather than 100 us
        "Cross-Origin-Opener-Policy": "same-origin",
        "Cross-Origin-Embedder-Policy": "require-corp",
        "Cross-Origin-Resource-Policy": "same-origin",
    }
    if url == f"{ORIGIN}/":
        route.fulfill(status=200, content_type="text/html", body=HARNESS, headers=isolated)
    elif url == f"{ORIGIN}/index.js":
        body = bundle.read_text(encoding="utf-8")
        route.fulfill(status=200, content_type="text/javascript", body=body, headers=isolated)
    elif url.startswith(f"{ORIGIN}/assets/") and url.endswith(".js"):
        asset = bundle.parent / "assets" / url.rsplit("/", 1)[1]
        route.fulfill(status=200, body=asset.read_bytes(), headers=isolated)
    else:
        route.abort()


def per_delta(records: list[Record], part: int | None = None) -> list[float]:
    """Ms per delta of each frame: all of it (handling + frame), or one column of the record."""
    if part is None:
        return [(r[1] + r[2]) / r[0] for r in records]
    return [r[part] / r[0] for r in records]


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def row(label: str, records: list[Record]) -> str:
    total = per_delta(records)
    handle = statistics.median(per_delta(records, 1))
    layout = statistics.median(per_delta(records, 4))
    script = statistics.median(r[3] / r[0] - r[4] / r[0] for r in records)
    rest = statistics.median((r[2] - r[3]) / r[0] for r in records)
    return (
        f"  {label:46} {statistics.median(total):7.2f} {p95(total):7.2f}   "
        f"{handle:6.2f} {script:6.2f} {layout:6.2f} {rest:6.2f}"
    )


def ratio(late: list[Record], early: list[Record]) -> float:
    """How much more a delta costs in `late` than in `early` (medians)."""
    return statistics.median(per_delta(late)) / statistics.median(per_delta(early))


def tenths(records: list[Record]) -> str:
    parts = [records[k * len(records) // 10 : (k + 1) * len(records) // 10] for k in range(10)]
    return " ".join(f"{statistics.median(per_delta(p)):.2f}" for p in parts if p)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--deltas", type=int, default=10_000, help="text deltas in each reply")
    parser.add_argument("--history", type=int, default=200, help="messages already in the thread")
    parser.add_argument(
        "--shape",
        choices=sorted(SHAPES),
        default="mixed",
        help="the reply: a mix of blocks, or one kind throughout (prose, list, code, table)",
    )
    parser.add_argument("--bundle", type=Path, default=BUNDLE, help="the built bundle to load")
    args = parser.parse_args()
    if args.deltas < 2 * WINDOW:
        parser.error(f"--deltas must be at least {2 * WINDOW}")
    global bundle
    bundle = args.bundle
    if not bundle.exists():
        sys.exit(f"{bundle} is missing: run `cd js && npm run build` first")
    started = time.perf_counter()

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.route("**/*", serve)
        page = context.new_page()
        page.goto(f"{ORIGIN}/")
        page.wait_for_function("window.benchReady === true")
        info = page.evaluate("(url) => bench.load(url)", f"{ORIGIN}/index.js")
        page.evaluate("(deltas) => bench.setReply(deltas)", reply_deltas(args.deltas, args.shape))
        page.evaluate("(t) => bench.setHistory(t)", history("thread_history", args.history))

        # Warm the JIT on a throwaway widget, so the first window measured is not the cold one.
        warm = page.evaluate("(t) => bench.mount(t)", traits(None))
        shape, warmup = args.shape, WARMUP_DELTAS
        play_reply(page, warm, "warmup", "thread_warmup", create=True, deltas=warmup, shape=shape)
        page.evaluate("(i) => bench.unmount(i)", warm)

        # A long reply in a new thread.
        chat = page.evaluate("(t) => bench.mount(t)", traits(None))
        fresh = play_reply(
            page, chat, "fresh", "thread_new", create=True, deltas=args.deltas, shape=args.shape
        )
        fresh_log = page.evaluate("(i) => bench.logSize(i)", chat)
        page.evaluate("(i) => bench.unmount(i)", chat)

        # The same reply in a thread with a history (it opens at its newest page).
        chat = page.evaluate("(t) => bench.mount(t)", traits("thread_history"))
        page.evaluate("([i, n]) => bench.waitRows(i, n)", [chat, min(args.history, OPEN_PAGE)])
        history_log = page.evaluate("(i) => bench.logSize(i)", chat)
        late = play_reply(
            page, chat, "late", "thread_history", create=False, deltas=args.deltas, shape=args.shape
        )
        late_log = page.evaluate("(i) => bench.logSize(i)", chat)
        browser.close()

    n, h, w = args.deltas, args.history, WINDOW
    print(f"Front-end cost of a streamed text delta: {n}-delta {args.shape} replies")
    print(f"  {info['agent']}")
    timer = "5 us (cross-origin isolated)" if info["isolated"] else "100 us (not isolated)"
    print(f"  timer {timer}; sampled windows: 1 delta per frame\n")
    print(
        f"  {'ms per delta':46} {'median':>7} {'p95':>7}   "
        f"{'handle':>6} {'script':>6} {'layout':>6} {'rest':>6}"
    )
    filled = f"deltas {FILLED + 1}-{FILLED + w} (view filled)"
    print(row(f"start of reply, new thread (deltas 1-{w})", fresh.first))
    if fresh.filled:
        print(row(f"{filled}, new thread", fresh.filled))
    print(row(f"end of {n}-token reply (last {w})", fresh.last))
    print(row(f"start of reply after {h}-message history", late.first))
    if late.filled:
        print(row(f"{filled}, after history", late.filled))
    print(row(f"end of {n}-token reply after the history", late.last))
    print(row("frame with no delta: start of reply, new thread", fresh.idle_start))
    print(row(f"frame with no delta: end of {n}-token reply", fresh.idle_end))
    print(row(f"frame with no delta: after {h}-message history", late.idle_start))
    print(row(f"frame with no delta: {n}-token reply paused", fresh.paused))
    print(
        "  median, p95: handling the message + the frame that renders it. Medians of its parts:\n"
        "  handle = the msg:custom handler (state update); script = the transcript's rAF patch\n"
        "  (markdown, DOM) less `layout`, the style + layout it forces by reading scrollHeight;\n"
        "  rest = the rest of the frame (style, layout, paint, commit)\n"
    )
    for label, reply in (("new thread", fresh), ("after history", late)):
        if reply.filled:
            print(
                f"  end / view filled, {label}: {ratio(reply.last, reply.filled):.2f}x;"
                f" end / start: {ratio(reply.last, reply.first):.2f}x"
            )
    print(f"  by tenth of the reply, {BATCH} deltas a frame, new thread:    {tenths(fresh.middle)}")
    print(f"  by tenth of the reply, {BATCH} deltas a frame, after history: {tenths(late.middle)}")
    for label, done in (("new thread", fresh.done), ("after history", late.done)):
        print(
            f"  final thread.item.done, {label}: "
            f"{done[1] + done[2]:.1f} ms (patch {done[3]:.1f} ms, of it layout {done[4]:.1f} ms)"
        )
    for label, size in (
        (f"after the {n}-token reply, new thread", fresh_log),
        (f"with the {h}-message history loaded", history_log),
        (f"with the history and the {n}-token reply", late_log),
    ):
        print(
            f"  log {label}: {size['rows']} rows, {size['elements']} elements, "
            f"{size['nodes']} DOM nodes, {size['chars']} characters"
        )
    print(f"  wall time {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()

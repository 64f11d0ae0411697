"""A very fast reply in the browser: the longest main-thread task, and when the last token shows.

Streams a reply of ``--tokens`` tokens (prose, lists and code fences: the mix of
``frontend_delta_cost.py``) at ``--rate`` tokens/s into the built bundle in headless Chromium,
as the kernel's bridge sends it: one coalesced envelope every 16 ms, then ``thread.item.done``.
Chromium's own trace (the ``RunTask`` events of the page's main thread) gives every task's
length from the first envelope until the last token is on screen; the page notes when the last
envelope arrived and when the first frame showing the whole reply, settled, ended.

Two pages: a *warm* one that has already shown a reply (the JIT has compiled the markdown
path), and a *cold* one whose first reply this is; each idles once before the reply starts, as
a page does while its user types. A reply of math or code fetches its assets
(KaTeX, highlight.js) as a kernel would send them. Nothing leaves the machine: a Playwright
route answers every request the page makes.

    python benchmarks/browser_stream.py [--tokens 40000] [--rate 20000]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Route, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmarks.frontend_delta_cost import (  # noqa: E402  (one harness for both benchmarks)
    BUNDLE,
    HARNESS,
    ORIGIN,
    assistant_item,
    opening_messages,
    reply_deltas,
    serve,
    traits,
)
from tests.support.lab import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

FRAME_MS = 16  # the bridge's coalescing interval (_bridge.py)

STREAM_JS = r"""
let streamTexts = [];
let streamDone = null;
window.bench.setTexts = ([texts, done]) => { streamTexts = texts; streamDone = done; };
window.bench.stream = async (i, streamId, itemId, frameMs) => {
  const model = widgets[i].model;
  const texts = streamTexts;
  const done = streamDone;
  const row = () => logOf(i).querySelector(`[data-item-id="${itemId}"]`);
  performance.mark("ckw-stream-start");
  const start = now();
  let lastEnvelope = 0;
  for (let k = 0; k < texts.length; k++) {
    const due = start + k * frameMs;
    if (now() < due) await new Promise((r) => setTimeout(r, due - now()));
    // A text delta as the comm carries it (`_protocol.to_comm`).
    model.deliver({
      kind: "text", id: streamId, item_id: itemId, content_index: 0, delta: texts[k],
    });
    lastEnvelope = now();
  }
  model.deliver({ kind: "event", id: streamId, events: [done] });
  model.deliver({ kind: "end", id: streamId, reason: "done" });
  // The first frame after which the reply shows as settled (thread.item.done, all its text).
  let painted = 0;
  for (let n = 0; n < 600 && !painted; n++) {
    const end = await openFrame().end;
    const el = row();
    if (el && !el.hasAttribute("data-streaming")) painted = end;
  }
  performance.mark("ckw-stream-end");
  return { lastEnvelope, painted, envelopes: texts.length, streamMs: lastEnvelope - start };
};
"""


PAGE = HARNESS.replace("window.benchReady = true;", STREAM_JS + "window.benchReady = true;")


def serve_page(route: Route) -> None:
    """The harness with `bench.stream` added; the bundle and its assets as the other benchmark."""
    if route.request.url == f"{ORIGIN}/":
        headers = {
            "Cross-Origin-Opener-Policy": "same-origin",
            "Cross-Origin-Embedder-Policy": "require-corp",
        }
        route.fulfill(status=200, content_type="text/html", body=PAGE, headers=headers)
    else:
        serve(route)


@dataclass
class Result:
    longest_ms: float
    over_50: int
    p99_ms: float
    tasks: int
    painted_after_ms: float
    stream_ms: float


def envelopes(tokens: int, rate: float) -> list[str]:
    """The reply's deltas, grouped as the bridge coalesces them: one text per 16 ms."""
    deltas = reply_deltas(tokens)
    per = max(1, round(rate * FRAME_MS / 1000))
    return ["".join(deltas[k : k + per]) for k in range(0, len(deltas), per)]


def main_thread_tasks(trace: dict[str, Any]) -> list[dict[str, Any]]:
    """The page's main-thread tasks (``ThreadControllerImpl::RunTask``) between the marks."""
    events = trace["traceEvents"]
    marks = {e["name"]: e for e in events if e.get("name", "").startswith("ckw-stream-")}
    start, end = marks["ckw-stream-start"], marks["ckw-stream-end"]
    main = (start["pid"], start["tid"])  # the marks are made on the page's main thread
    return [
        e
        for e in events
        if e.get("ph") == "X"
        and e.get("name", "").endswith("RunTask")
        and (e["pid"], e["tid"]) == main
        and start["ts"] <= e["ts"] + e.get("dur", 0)
        and e["ts"] <= end["ts"]
    ]


def run(browser: Browser, tokens: int, rate: float, warm: bool) -> Result:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.route("**/*", serve_page)
    page = context.new_page()
    page.goto(f"{ORIGIN}/")
    page.wait_for_function("window.benchReady === true")
    page.evaluate("(url) => bench.load(url)", f"{ORIGIN}/index.js")
    texts = envelopes(tokens, rate)
    if warm:  # a reply first, on a throwaway chat: the JIT warms and the assets arrive
        stream(page, "warmup", envelopes(min(tokens, 4000), rate))
    return stream(page, "measured", texts, trace=browser)


def stream(page: Any, name: str, texts: list[str], trace: Browser | None = None) -> Result:
    thread_id = f"thread_{name}"
    chat = page.evaluate("(t) => bench.mount(t)", traits(None))
    item_id, messages = opening_messages(name, thread_id, create=True)
    page.evaluate("([i, msgs]) => bench.deliver(i, msgs)", [chat, messages])
    # The page idles a moment, as it does while a person types and the model starts answering.
    page.evaluate("() => new Promise((r) => requestIdleCallback(() => r(), { timeout: 1000 }))")
    done = {"type": "thread.item.done", "item": assistant_item(item_id, thread_id, "".join(texts))}
    if trace is not None:
        categories = ["devtools.timeline", "blink.user_timing", "toplevel"]
        trace.start_tracing(page=page, categories=categories)
    # Handed over first: deserializing them is the harness's work, not the page's.
    page.evaluate("(reply) => bench.setTexts(reply)", [texts, done])
    js = "([i, s, item, ms]) => bench.stream(i, s, item, ms)"
    timing = page.evaluate(js, [chat, name, item_id, FRAME_MS])
    if trace is None:
        return Result(0, 0, 0, 0, 0, 0)
    tasks = main_thread_tasks(json.loads(trace.stop_tracing()))
    durations = sorted(e["dur"] / 1000 for e in tasks)
    return Result(
        longest_ms=durations[-1],
        over_50=sum(d > 50 for d in durations),
        p99_ms=statistics.quantiles(durations, n=100)[98] if len(durations) > 1 else durations[0],
        tasks=len(durations),
        painted_after_ms=timing["painted"] - timing["lastEnvelope"],
        stream_ms=timing["streamMs"],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--tokens", type=int, default=40_000)
    parser.add_argument("--rate", type=float, default=20_000, help="tokens per second")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    if not BUNDLE.exists():
        sys.exit(f"{BUNDLE} is missing: run `cd js && npm run build` first")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        results = {
            label: [run(browser, args.tokens, args.rate, warm) for _ in range(args.repeats)]
            for label, warm in (("warm page", True), ("cold page (first reply)", False))
        }
        browser.close()
    reply = f"A {args.tokens:,}-token reply at {args.rate:,.0f} tokens/s"
    print(f"{reply}, one envelope per {FRAME_MS} ms")
    print("(each figure: worst of the repeats; goals: no task over 50 ms, painted within 100 ms)\n")
    print(
        f"| {'page':<24} | {'longest task ms':>15} | {'tasks > 50 ms':>13} | "
        f"{'p99 task ms':>11} | {'last token painted ms':>21} |"
    )
    print(f"|{'-' * 26}|{'-' * 16}:|{'-' * 14}:|{'-' * 12}:|{'-' * 22}:|")
    for label, runs in results.items():
        longest = max(r.longest_ms for r in runs)
        over = max(r.over_50 for r in runs)
        p99 = max(r.p99_ms for r in runs)
        painted = max(r.painted_after_ms for r in runs)
        print(f"| {label:<24} | {longest:>15.1f} | {over:>13} | {p99:>11.1f} | {painted:>21.1f} |")
    streamed = statistics.median(r.stream_ms for runs in results.values() for r in runs)
    print(f"\nstreaming took {streamed:.0f} ms (median); tasks counted from the first envelope.")


if __name__ == "__main__":
    main()

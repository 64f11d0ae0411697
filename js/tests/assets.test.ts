// KaTeX, highlight.js and the widget renderer arrive when a reply first needs them (see
// src/assets/registry.ts): until then math shows its source, code is plain and a widget's row
// waits; what waited renders from the task the asset arrives in on, in tasks of at most 8 ms.
// This file's page starts with no asset loaded, and the test plays the host's source.
import "./dom-bare";
import assert from "node:assert/strict";
import { test } from "node:test";
import type { HighlightAsset } from "../src/assets/highlight";
import { nativeAssetSource } from "../src/assets/native";
import { type AssetName, useAssetSource } from "../src/assets/registry";
import type { ThreadItem } from "../src/chatkit/types";
import { knownLanguages } from "../src/markdown/highlight";
import { MarkdownView } from "../src/markdown/render";
import { warmUpMarkdownWhenIdle } from "../src/markdown/warm-up";
import { newMeta } from "../src/state/types";
import { HistorySlot } from "../src/ui/history-slot";
import { WidgetView } from "../src/ui/items/widget/view";
import { until } from "./until";

/** A source the test answers by hand: each request waits until `deliver` or `fail`. */
class ManualSource {
  readonly asked: AssetName[] = [];
  private readonly waiting = new Map<
    AssetName,
    { resolve(m: unknown): void; reject(e: Error): void }
  >();

  readonly source = (name: AssetName): Promise<unknown> => {
    this.asked.push(name);
    return new Promise((resolve, reject) => this.waiting.set(name, { resolve, reject }));
  };

  /**
   * Answers the request for `name` with the real module (or what `wrap` makes of it); resolves
   * once it was handed over.
   */
  async deliver(name: AssetName, wrap = (module: unknown) => module): Promise<void> {
    const request = this.waiting.get(name);
    assert.ok(request, `${name} was requested`);
    this.waiting.delete(name);
    request.resolve(wrap(await nativeAssetSource(name)));
    await Promise.resolve(); // the registry's own handler runs in the next microtask
    await Promise.resolve();
  }

  async fail(name: AssetName): Promise<void> {
    this.waiting.get(name)?.reject(new Error("no kernel"));
    this.waiting.delete(name);
    await Promise.resolve();
    await Promise.resolve();
  }
}

const manual = new ManualSource();
useAssetSource(manual.source);

function attached(view: MarkdownView): HTMLElement {
  document.body.append(view.el);
  return view.el;
}

test("a reply without math, code or widgets asks for nothing", () => {
  const view = new MarkdownView();
  view.update("Plain **prose**, a [link](https://example.com) and a list:\n\n- one\n- two");
  view.finish("Plain **prose**, a [link](https://example.com) and a list:\n\n- one\n- two\n");
  assert.deepEqual(manual.asked, []);
});

test("warming the markdown path up while idle asks for no asset and leaves the page alone", async () => {
  const host = document.createElement("div");
  document.body.append(host);
  const before = document.body.innerHTML;
  // The sample is laid out in the chat's root (its fonts matched), then taken away.
  const added: Node[] = [];
  const removed: Node[] = [];
  const watch = new window.MutationObserver((records) => {
    for (const record of records) {
      added.push(...record.addedNodes);
      removed.push(...record.removedNodes);
    }
  });
  watch.observe(host, { childList: true });
  warmUpMarkdownWhenIdle(host);
  // jsdom has no requestIdleCallback: two idle periods of 200 ms (the path, then the layout).
  await until(() => removed.length > 0, "the sample laid out and taken away", 10_000);
  watch.disconnect();
  assert.deepEqual(manual.asked, []);
  assert.equal(document.body.innerHTML, before);
  assert.equal(added.length, 1, "laid out once, in the host");
  assert.deepEqual(removed, added);
  assert.ok((added[0] as HTMLElement).querySelector(".ckw-markdown h2"), "the sample");
  host.remove();
});

test("highlight.js is asked for when a fence opens, and the closed block is highlighted when it arrives", async () => {
  const view = new MarkdownView();
  const el = attached(view);
  view.update("Here:\n\n```python\ndef f(x):\n");
  assert.deepEqual(manual.asked, ["highlight"], "asked while the fence streams");
  view.update("Here:\n\n```python\ndef f(x):\n    return x\n```\n\nDone.");
  const code = el.querySelector("pre > code.language-python");
  assert.ok(code, el.innerHTML);
  assert.equal(code.classList.contains("hljs"), false, "plain until highlight.js arrives");
  assert.equal(code.textContent, "def f(x):\n    return x\n");
  // Every highlight.js call, by language, as the asset is asked for it.
  const calls: string[] = [];
  await manual.deliver("highlight", (module) => {
    const asset = module as HighlightAsset;
    return {
      ...asset,
      highlight(source: string, language: string) {
        calls.push(language);
        return asset.highlight(source, language);
      },
    };
  });
  assert.ok(code.classList.contains("hljs"), "highlighted in place, in the task it arrived in");
  // The grammar of the fence that opened before the asset came was compiled first (a line of
  // its own), so the frame that settles the next python block does not compile it.
  assert.deepEqual(calls, ["python", "python"]);

  // A fence in a language not used yet, the asset here: its grammar compiles in a task of its
  // own, not in the frame the fence opened in, and before the fence closes.
  calls.length = 0;
  const later = new MarkdownView();
  attached(later);
  later.update("Then:\n\n```js\nlet a = 1;\n");
  assert.deepEqual(calls, []);
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.deepEqual(calls, ["js"]);
  // (one block fits a slice: many would continue in the next tasks, see util/slices.ts)
  assert.equal(code.querySelector(".hljs-keyword")?.textContent, "def");
  assert.equal(code.textContent, "def f(x):\n    return x\n");
  assert.equal(manual.asked.filter((n) => n === "highlight").length, 1, "asked once");
});

test("math shows its source until KaTeX arrives, then renders in place; a failed load is asked again", async () => {
  const view = new MarkdownView();
  const el = attached(view);
  view.update("Euler: $e^{i\\pi} + 1 = 0$ and\n\n$$\\int_0^1 x\\,dx$$\n");
  view.finish("Euler: $e^{i\\pi} + 1 = 0$ and\n\n$$\\int_0^1 x\\,dx$$\n");
  const pending = [...el.querySelectorAll<HTMLElement>(".ckw-math-pending")];
  assert.deepEqual(
    pending.map((slot) => slot.textContent),
    ["e^{i\\pi} + 1 = 0", "\\int_0^1 x\\,dx"],
  );
  assert.ok(pending[1]?.classList.contains("ckw-math-display"));
  assert.equal(el.querySelector(".katex"), null);
  await manual.fail("katex");
  assert.equal(el.querySelectorAll(".ckw-math-pending").length, 2, "still the source");

  const more = new MarkdownView();
  attached(more).id = "second";
  more.finish("And $x^2$.");
  assert.equal(manual.asked.filter((n) => n === "katex").length, 2, "the next formula asks again");
  await manual.deliver("katex");
  // In tasks of at most 8 ms each (util/slices.ts): a cold KaTeX may need a few.
  for (let n = 0; n < 20 && document.querySelector(".ckw-math-pending"); n++) {
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  assert.equal(document.querySelectorAll(".ckw-math-pending").length, 0);
  assert.equal(el.querySelectorAll(".ckw-math .katex").length, 2, "both formulas rendered");
  assert.ok(el.querySelector(".ckw-math-display .katex-display"));
  assert.ok(document.querySelector("#second .ckw-math .katex"));
  assert.ok(document.getElementById("ckw-katex-styles"), "KaTeX's stylesheet came with it");
});

test("a widget's row waits for the renderer, then shows the newest tree", async () => {
  const item = {
    id: "w1",
    type: "widget",
    thread_id: "t",
    created_at: "2026-01-01T00:00:00Z",
    widget: { type: "Card", children: [{ type: "Text", value: "first" }] },
  } as unknown as ThreadItem;
  const view = new WidgetView(item);
  document.body.append(view.el);
  view.update(item, newMeta());
  const body = view.el.querySelector(".ckw-widget-body");
  assert.equal(body?.getAttribute("aria-busy"), "true");
  assert.ok(body?.classList.contains("ckw-widget-loading"));
  assert.deepEqual(manual.asked.at(-1), "widgets");
  const newer = {
    ...item,
    widget: { type: "Card", children: [{ type: "Text", value: "second" }] },
  };
  view.update(newer as unknown as ThreadItem, newMeta());
  await manual.deliver("widgets");
  assert.equal(body?.hasAttribute("aria-busy"), false);
  assert.equal(body?.classList.contains("ckw-widget-loading"), false);
  assert.equal(body?.textContent, "second");
  assert.ok(document.getElementById("ckw-widget-styles"), "the renderer's stylesheet came with it");
  // Once here, the next widget renders at once.
  const next = new WidgetView({ ...item, id: "w2" } as ThreadItem);
  next.update(item, newMeta());
  assert.equal(next.el.querySelector(".ckw-widget-body")?.textContent, "first");
});

test("History pressed before its panel's code arrives opens it when it does, knowing the open thread", async () => {
  const listed: Array<string | null> = [];
  const shown: boolean[] = [];
  const slot = new HistorySlot({
    list: async (_after, _limit, notebook) => {
      listed.push(notebook);
      return {
        data: [{ id: "t1", title: "First", created_at: "2026-01-01T00:00:00Z" }],
        has_more: false,
      } as never;
    },
    rename: async () => undefined,
    remove: async () => undefined,
    open: () => undefined,
    deleted: () => undefined,
    shown: (open) => shown.push(open),
  });
  const below = document.createElement("header");
  document.body.append(below, slot.el);
  slot.setCurrent("t1", "First");
  slot.setNotebook("work.ipynb");
  assert.equal(slot.isOpen, false);
  slot.open({ below, covered: [], returnFocus: null });
  assert.equal(slot.isOpen, true, "open as far as the History button is concerned");
  assert.equal(manual.asked.at(-1), "history");
  assert.equal(slot.el.querySelector(".ckw-history"), null, "no panel before its code");
  await manual.deliver("history");
  const panel = slot.el.querySelector<HTMLElement>(".ckw-history");
  assert.ok(panel && !panel.hidden, "the panel opened once here");
  assert.equal(panel.id, slot.id, "under the id the History button already named");
  assert.deepEqual(shown, [true]);
  await new Promise((resolve) => setTimeout(resolve, 0));
  const current = panel.querySelector(".ckw-history-open[aria-current=true]");
  assert.ok(current?.textContent?.includes("First"), panel.innerHTML);
  assert.equal(
    panel.querySelector<HTMLElement>(".ckw-history-scope")?.hidden,
    false,
    "notebook known",
  );
  assert.ok(document.getElementById("ckw-history-styles"), "its stylesheet came with it");
  slot.close(false);
  assert.equal(slot.isOpen, false);
  assert.deepEqual(shown, [true, false]);
});

test("the languages the core knows without highlight.js are exactly the asset's", async () => {
  const asset = (await nativeAssetSource("highlight")) as { languages(): string[] };
  assert.deepEqual([...knownLanguages()].sort(), [...new Set(asset.languages())].sort());
});

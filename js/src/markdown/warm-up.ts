// A fresh page's first reply used to pay for compiling the markdown path: its first frames took
// 40-50 ms where later ones take 15. Once per page, while it is idle, a short sample goes
// through the same path (streamed, then finished) in a detached element. No math and no fenced
// language, so it asks for no asset.
//
// Its first layout paid too: matching the fonts of prose, bold, italic, code and headings
// (Blink's FontCache) and shaping their first words made the first streaming frame's layout
// 10-35 ms (that frame: 40-65 ms). Given the chat's root, a later idle period lays the sample
// out there once, out of sight, so the fonts are matched before a reply needs them.
import { MarkdownView } from "./render";

const SAMPLE = [
  "A **short** reply with `code`, a [link](https://example.com) and _emphasis_.\n\n",
  "- a list item\n- [x] a task\n  1. nested\n\n",
  "| a | b |\n|---|--:|\n| 1 | 2 |\n\n",
  "> a quote\n\n```\nplain code\n```\n\n## A heading\n\n### A smaller one\n\nThe end.",
].join("");

let warmed = false;

/** Warms the markdown path once per page; `host` (the chat's root): its layout too. */
export function warmUpMarkdownWhenIdle(host?: HTMLElement): void {
  if (warmed || typeof window === "undefined") return;
  warmed = true;
  whenIdle(() => {
    const view = new MarkdownView();
    for (let end = 16; end < SAMPLE.length; end += 16) view.update(SAMPLE.slice(0, end));
    view.finish(SAMPLE);
    // In an idle period of its own: together they made one long task.
    if (host) whenIdle(() => layOut(view.el, host));
  });
}

/** Lays `el` out inside `host` (whose styles apply) without showing it, then takes it away. */
function layOut(el: HTMLElement, host: HTMLElement): void {
  if (!host.isConnected) return;
  const box = document.createElement("div");
  box.setAttribute("aria-hidden", "true");
  // Fixed and zero-high: nothing moves and nothing scrolls; hidden text is still shaped.
  box.style.cssText =
    "position:fixed;top:0;left:0;width:480px;height:0;overflow:hidden;visibility:hidden;pointer-events:none";
  box.append(el);
  host.append(box);
  void el.offsetHeight; // the layout
  box.remove();
}

function whenIdle(run: () => void): void {
  if (typeof window.requestIdleCallback === "function") {
    window.requestIdleCallback(run, { timeout: 2000 });
  } else {
    setTimeout(run, 200);
  }
}

// A fresh page's first reply used to pay for compiling the markdown path: its first frames took
// 40-50 ms where later ones take 15. Once per page, while it is idle, a short sample goes
// through the same path (streamed, then finished) in a detached element. No math and no fenced
// language, so it asks for no asset.
import { MarkdownView } from "./render";

const SAMPLE = [
  "A **short** reply with `code`, a [link](https://example.com) and _emphasis_.\n\n",
  "- a list item\n- [x] a task\n  1. nested\n\n",
  "| a | b |\n|---|--:|\n| 1 | 2 |\n\n",
  "> a quote\n\n```\nplain code\n```\n\n## A heading\n\nThe end.",
].join("");

let warmed = false;

export function warmUpMarkdownWhenIdle(): void {
  if (warmed || typeof window === "undefined") return;
  warmed = true;
  const run = () => {
    const view = new MarkdownView();
    for (let end = 16; end < SAMPLE.length; end += 16) view.update(SAMPLE.slice(0, end));
    view.finish(SAMPLE);
  };
  if (typeof window.requestIdleCallback === "function") {
    window.requestIdleCallback(run, { timeout: 2000 });
  } else {
    setTimeout(run, 200);
  }
}

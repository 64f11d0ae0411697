import "./dom";
import assert from "node:assert/strict";
import { test } from "node:test";
import { splitBlocks } from "../src/markdown/blocks";
import { markdownToFragment } from "../src/markdown/fragment";
import { MarkdownView } from "../src/markdown/render";

/** HTML with the whitespace between tags dropped (marked puts newlines between list items). */
function normal(html: string): string {
  return html.replace(/>\s+</g, "><").trim();
}

/** What each block of `text` renders to when rendered whole: the reference for streaming. */
function whole(text: string): string {
  const { settled, open } = splitBlocks(text);
  return [...settled, open]
    .filter((block) => block !== "")
    .map((block) => {
      const div = document.createElement("div");
      div.append(markdownToFragment(block));
      return normal(div.innerHTML);
    })
    .join("|");
}

function shown(view: MarkdownView): string {
  return blocksOf(view)
    .map((block) => normal(block.innerHTML))
    .join("|");
}

/** The view's blocks in order, in or out of the chunks a long text groups its older ones in. */
function blocksOf(view: MarkdownView): Element[] {
  return [...view.el.querySelectorAll(".ckw-md-block")];
}

/** Streams `text` a character at a time; at every line end the view must match a whole render. */
function streamAndCompare(text: string): MarkdownView {
  const view = new MarkdownView();
  for (let end = 1; end <= text.length; end++) {
    const now = text.slice(0, end);
    view.update(now);
    if (now.endsWith("\n")) assert.equal(shown(view), whole(now), `after ${JSON.stringify(now)}`);
  }
  view.finish(text);
  assert.equal(shown(view), whole(text), `finished ${JSON.stringify(text)}`);
  return view;
}

const LISTS: Record<string, string> = {
  tight: "- one **bold**\n- two `code`\n- three [link](https://x.example)\n",
  ordered: "3. three\n4. four\n5. five\n",
  "ordered with )": "1) a\n2) b\n",
  nested: "- a\n  - a.1\n  - a.2\n- b\n    1. b.1\n",
  tasks: "- [x] done\n- [ ] open\n- plain\n",
  "turns loose": "- a\n- b\n\n- c\n- d\n",
  "loose from an item's own paragraphs": "- a\n- b\n\n  b again\n- c\n",
  "item with a fence": "- a\n\n  ```python\n  x = 1\n\n  y = 2\n  ```\n- b\n",
  "item with math": "- $x^2$ and \\(y\\)\n- $$z$$\n",
  "lazy continuation": "- a\nstill a\n- b\n",
  "wide ordered markers": "9. nine\n10. ten\n11. eleven\n",
  "then a paragraph": "- a\n- b\n\nAfter the list.\n",
  "different bullet": "- a\n* b\n+ c\n",
  "thematic break": "- a\n- - -\n- b\n",
  "heading interrupts": "- a\n# Heading\n- b\n",
  "blank then text": "- a\n\n text\n",
  "lazy after a fence": "- ```\n  code\nnot lazy\n",
};

for (const [name, text] of Object.entries(LISTS)) {
  test(`a streamed list renders like the whole text: ${name}`, () => {
    streamAndCompare(text);
  });
}

test("settled list items keep their DOM nodes while the list streams", () => {
  const view = new MarkdownView();
  let text = "";
  const seen: HTMLLIElement[] = [];
  for (let item = 0; item < 150; item++) {
    for (const word of [`- **item ${item}**`, " with", " some", " words\n"]) {
      text += word;
      view.update(text);
    }
    const items = [...view.el.querySelectorAll("li")];
    assert.equal(items.length, item + 1);
    // Every item before the last one is the very node it was when it settled.
    for (let k = 0; k < item; k++) {
      if (seen[k] === undefined) seen[k] = items[k] as HTMLLIElement;
      else assert.equal(items[k], seen[k], `item ${k} kept at item ${item}`);
    }
  }
  assert.equal(view.el.querySelectorAll("ul").length, 1, "one list");
  view.finish(text);
  const items = [...view.el.querySelectorAll("li")];
  assert.ok(
    seen.every((li, k) => items[k] === li),
    "finish keeps them too",
  );
  assert.equal(items.at(-1)?.textContent, "item 149 with some words");
});

test("a list item that is still arriving is only shown once it is certainly an item", () => {
  const view = new MarkdownView();
  view.update("- a\n- b\n- ");
  assert.equal(view.el.querySelectorAll("li").length, 2, "`- ` may still become `- - -`");
  view.update("- a\n- b\n- c");
  assert.equal(view.el.querySelectorAll("li").length, 3);
  view.update("- a\n- b\n- c\n---\n");
  assert.equal(
    view.el.querySelector("hr") !== null,
    whole("- a\n- b\n- c\n---\n").includes("<hr>"),
  );
  assert.equal(shown(view), whole("- a\n- b\n- c\n---\n"));
});

test("a reply ending on an undecided line renders it when finished", () => {
  const view = new MarkdownView();
  for (const text of ["- a\n", "- a\n- ", "- a\n-"]) view.update(text);
  view.finish("- a\n-");
  assert.equal(shown(view), whole("- a\n-"));
});

test("random lists stream like the whole text renders", () => {
  const lines = [
    "- a *b*",
    "- [x] t",
    "- [ ] u",
    "  - nested",
    "    more nested",
    "",
    "  continued",
    "lazy text",
    "1. one",
    "2) two",
    "* star",
    "  ```",
    "  code",
    "---",
    "- $x$ \\(y\\)",
    "  > quote",
    "  | a | b |",
    "  |---|---|",
  ];
  let seed = 7;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  for (let n = 0; n < 25; n++) {
    const count = 2 + Math.floor(random() * 8);
    const picked = ["- first"];
    for (let k = 0; k < count; k++) picked.push(lines[Math.floor(random() * lines.length)] ?? "");
    streamAndCompare(`${picked.join("\n")}\n`);
  }
});

const TABLES: Record<string, string> = {
  simple: "| a | b |\n|---|---|\n| 1 | 2 |\n| 3 | 4 |\n",
  aligned: "| l | c | r |\n|:--|:-:|--:|\n| 1 | 2 | 3 |\n",
  "ragged rows": "| a | b |\n|---|---|\n| 1 |\n| 1 | 2 | 3 |\n",
  "inline markdown and math": "a | b\n--|--\n| **x** `y` | $z^2$ [l](https://l.example) |\n",
  "then a paragraph": "| a |\n|---|\n| 1 |\n\nAfter.\n",
  "a row without pipes": "| a | b |\n|---|---|\n| 1 | 2 |\nlazy row\n| 3 | 4 |\n",
  "then a heading": "| a |\n|---|\n| 1 |\n# Heading\n",
  "then an indented line": "| a |\n|---|\n| 1 |\n\n    code\n",
};

for (const [name, text] of Object.entries(TABLES)) {
  test(`a streamed table renders like the whole text: ${name}`, () => {
    streamAndCompare(text);
  });
}

test("settled table rows keep their DOM nodes while the table streams", () => {
  const view = new MarkdownView();
  let text = "| n | square |\n|---:|---:|\n";
  view.update(text);
  const seen: Element[] = [];
  for (let n = 0; n < 150; n++) {
    for (const piece of [`| ${n} `, `| ${n * n} `, "|\n"]) {
      text += piece;
      view.update(text);
    }
    const rows = [...view.el.querySelectorAll("tbody tr")];
    assert.equal(rows.length, n + 1);
    for (let k = 0; k < n; k++) {
      if (seen[k] === undefined) seen[k] = rows[k] as Element;
      else assert.equal(rows[k], seen[k], `row ${k} kept at row ${n}`);
    }
  }
  view.finish(text);
  const rows = [...view.el.querySelectorAll("tbody tr")];
  assert.ok(
    seen.every((tr, k) => rows[k] === tr),
    "finish keeps them too",
  );
  const last = [...(rows.at(-1)?.children ?? [])].map((td) => td.textContent);
  assert.deepEqual(last, ["149", "22201"]);
  assert.equal(view.el.querySelector("tbody td")?.getAttribute("align"), "right");
});

test("a frame with many finished blocks renders them within its budget, the rest in the next frames", () => {
  const blocks = Array.from({ length: 12 }, (_, n) =>
    n % 3 === 2 ? `\`\`\`python\nx_${n} = ${n}\n\`\`\`` : `Paragraph **${n}** with \`code\`.`,
  );
  const text = `${blocks.join("\n\n")}\n\nThe open tail`;
  const view = new MarkdownView("ckw-markdown", true);
  const realNow = performance.now.bind(performance);
  let clock = 0;
  performance.now = () => clock;
  try {
    view.update(text.slice(0, 5)); // the first words, as a stream starts
    // Each block's render takes 5 ms of this clock: a 12 ms budget fits three (the first always).
    const original = view.el.appendChild.bind(view.el);
    view.el.appendChild = <T extends Node>(node: T): T => {
      clock += 5;
      return original(node);
    };
    view.update(text);
    assert.ok(view.behind, "the budget ran out");
    const first = view.el.children.length;
    assert.ok(first >= 2 && first < 12, `${first} blocks in the first frame`);
    assert.ok(!view.el.textContent?.includes("The open tail"), "the tail waits for its turn");
    let frames = 1;
    while (view.behind && frames < 20) {
      view.update(text); // the next frame: the same text, nothing new
      frames++;
    }
    assert.equal(view.behind, false);
    assert.ok(frames >= 3, `caught up over ${frames} frames`);
    assert.equal(shown(view), whole(text), "the same blocks as a whole render, in order");
  } finally {
    performance.now = realNow;
  }
});

test("the end of a reply far behind also renders over frames, and ends settled like a whole render", () => {
  const text = `${Array.from({ length: 30 }, (_, n) => `Block ${n}.`).join("\n\n")}\n\n- a\n- b`;
  const view = new MarkdownView("ckw-markdown", true);
  const realNow = performance.now.bind(performance);
  let clock = 0;
  performance.now = () => (clock += 50); // every check finds the budget spent: a block a call
  try {
    view.update("Block");
    view.update(text);
    assert.ok(view.behind);
    let calls = 0;
    do {
      view.finish(text);
      calls++;
    } while (view.behind && calls < 100);
    assert.equal(view.behind, false);
    assert.ok(calls > 10, `${calls} frames`);
    assert.equal(shown(view), whole(text));
    assert.equal(view.el.querySelector(".ckw-md-tail"), null, "no cursor once finished");
  } finally {
    performance.now = realNow;
  }
});

test("a view not rendered in frames renders everything at each call", () => {
  const text = Array.from({ length: 30 }, (_, n) => `Block ${n}.`).join("\n\n");
  const view = new MarkdownView();
  const realNow = performance.now.bind(performance);
  let clock = 0;
  performance.now = () => (clock += 50);
  try {
    view.update("Block");
    view.update(`${text}\n\nmore`);
    assert.equal(view.behind, false);
    assert.equal(blocksOf(view).length, 31);
  } finally {
    performance.now = realNow;
  }
});

test("a long text groups its older blocks in chunks of 8, and 8 chunks in one, and stays what a whole render shows", () => {
  const text = Array.from({ length: 150 }, (_, n) =>
    n % 10 === 9 ? `## Heading ${n}` : `Paragraph ${n} with *emphasis*.`,
  ).join("\n\n");
  const view = new MarkdownView();
  for (let end = 40; end < text.length; end += 97) view.update(text.slice(0, end));
  view.update(text);
  // 17 chunks of blocks (136 blocks), the newest 14 loose; the 8 oldest of those chunks in one.
  const top = [...view.el.children];
  const [outer, ...chunks] = top.filter((el) => el.classList.contains("ckw-md-chunk"));
  assert.equal(top.indexOf(outer as Element), 0, "the oldest first");
  assert.deepEqual(
    [...(outer?.children ?? [])].map((chunk) => [chunk.className, chunk.children.length]),
    Array.from({ length: 8 }, () => ["ckw-md-chunk", 8]),
  );
  assert.equal(chunks.length, 9);
  for (const chunk of chunks)
    assert.equal(chunk.querySelectorAll(":scope > .ckw-md-block").length, 8);
  assert.equal(top.length - 1 - chunks.length, 150 - 136);
  view.finish(text);
  assert.equal(shown(view), whole(text));
  assert.equal(view.el.lastElementChild?.classList.contains("ckw-md-block"), true);
});

/** A chunk's children are all blocks or all chunks, 8 of them; returns its depth (blocks: 0). */
function chunkDepth(chunk: Element): number {
  assert.equal(chunk.children.length, 8, "8 to a chunk");
  const depths = [...chunk.children].map((child) =>
    child.classList.contains("ckw-md-chunk") ? chunkDepth(child) + 1 : 0,
  );
  assert.equal(new Set(depths).size, 1, "one kind of child");
  return depths[0] as number;
}

test("chunks nest three deep in a reply of 1,200 blocks, fewer than 16 loose at each level, the first block marked", () => {
  const text = Array.from({ length: 1200 }, (_, n) => `Line ${n}.`).join("\n\n");
  for (const step of [7 * 11, text.length]) {
    // A block or so per update as a reply streams, and all of it in one update.
    const view = new MarkdownView();
    for (let end = step; end < text.length; end += step) view.update(text.slice(0, end));
    view.update(text);
    const top = [...view.el.children];
    const depths = top.map((el) => (el.classList.contains("ckw-md-chunk") ? chunkDepth(el) : -1));
    assert.deepEqual(
      depths,
      [...depths].sort((a, b) => b - a),
      "the deepest chunks first, the loose blocks last",
    );
    assert.equal(Math.max(...depths), 2, "a chunk of chunks of chunks");
    for (const depth of new Set(depths)) {
      assert.ok(depths.filter((d) => d === depth).length < 16, `level ${depth}: under 16 loose`);
    }
    const first = view.el.querySelectorAll(".ckw-md-first");
    assert.equal(first.length, 1);
    assert.equal(first[0], blocksOf(view)[0]);
    view.finish(text);
    assert.equal(shown(view), whole(text));
  }
});

test("a chunk keeps the height of the blocks it groups while the browser skips it", (t) => {
  // jsdom lays nothing out: here each block is as tall as the number it says, one under another.
  const view = new MarkdownView();
  const height = (block: Element) => Number(/\d+/.exec(block.textContent ?? "")?.[0]);
  const blocksIn = (el: Element) =>
    el.classList.contains("ckw-md-block") ? [el] : [...el.querySelectorAll(".ckw-md-block")];
  t.mock.method(window.Element.prototype, "getBoundingClientRect", function (this: Element) {
    const mine = blocksIn(this);
    let [top, y] = [0, 0];
    for (const block of view.el.querySelectorAll(".ckw-md-block")) {
      if (block === mine[0]) top = y;
      y += height(block);
      if (block === mine[mine.length - 1]) break;
    }
    return { top, bottom: y } as DOMRect;
  });
  const text = Array.from({ length: 150 }, (_, n) => `${10 + n} px.`).join("\n\n");
  for (let end = 50; end < text.length; end += 50) view.update(text.slice(0, end));
  view.update(text);
  const chunks = [...view.el.querySelectorAll<HTMLElement>(".ckw-md-chunk")];
  assert.equal(chunks.length, 18, "17 chunks of blocks and 1 of chunks");
  for (const chunk of chunks) {
    const sum = blocksIn(chunk).reduce((total, block) => total + height(block), 0);
    assert.equal(chunk.style.containIntrinsicSize, `auto ${sum}px`);
  }
});

test("the cursor pulses only once the text has paused for a second, and not after the end", (t) => {
  t.mock.timers.enable({ apis: ["setTimeout"] });
  const view = new MarkdownView();
  document.body.append(view.el);
  const stalled = () => view.el.querySelector(".ckw-md-stalled");
  try {
    view.update("Streaming");
    t.mock.timers.tick(600);
    view.update("Streaming text");
    t.mock.timers.tick(600);
    assert.equal(stalled(), null, "1.2 s since the first text, 0.6 s since the last");
    view.update("Streaming text"); // nothing new: the pause goes on
    t.mock.timers.tick(400);
    assert.equal(stalled(), view.el.querySelector(":scope > .ckw-md-tail"), "the cursor's block");
    view.update("Streaming text\n\nagain");
    assert.equal(stalled(), null, "new text stops the pulse at once");
    t.mock.timers.tick(1000);
    assert.notEqual(stalled(), null, "a pause in the new block");
    view.finish("Streaming text\n\nagain.");
    assert.equal(stalled(), null, "the end stops it");
    t.mock.timers.tick(5000);
    assert.equal(stalled(), null);
  } finally {
    view.el.remove();
  }
});

import "./dom";
import assert from "node:assert/strict";
import { test } from "node:test";
import { markdownToFragment } from "../src/markdown/fragment";
import { MarkdownView } from "../src/markdown/render";
import { until } from "./until";

function render(src: string): HTMLDivElement {
  const div = document.createElement("div");
  div.append(markdownToFragment(src));
  document.body.append(div); // the Copy button looks for the page's clipboard
  return div;
}

test("code in a registered language is highlighted; its text is unchanged", () => {
  const source = "def f(x):\n    return '<b>' + x  # done\n";
  const div = render(`\`\`\`python\n${source}\`\`\``);
  const code = div.querySelector("pre > code.language-python.hljs");
  assert.ok(code, div.innerHTML);
  assert.equal(code.textContent, source);
  assert.equal(code.querySelector(".hljs-keyword")?.textContent, "def");
  assert.equal(code.querySelector(".hljs-string")?.textContent, "'<b>'");
  assert.equal(code.querySelector("b"), null, "source text is never HTML");
  for (const lang of ["js", "ts", "json", "sh", "bash", "sql", "html", "css", "md", "yaml"]) {
    const block = render(`\`\`\`${lang}\nx\n\`\`\``).querySelector("code");
    assert.ok(block?.classList.contains("hljs"), lang);
  }
});

test("unknown or missing languages, and very long code, stay plain text", () => {
  const long = `\`\`\`python\n${"x = 1\n".repeat(5000)}\`\`\``;
  for (const src of [
    "```cobol\nMOVE A TO B.\n```",
    "```\nplain <text>\n```",
    "    indented",
    long,
  ]) {
    const code = render(src).querySelector("pre > code");
    assert.ok(code);
    assert.equal(code.children.length, 0, src);
    assert.ok(!code.classList.contains("hljs"));
  }
});

test("every code block has a header with its language and a Copy code button", () => {
  const div = render("```python\nx = 1\n```\n\n```\ny\n```");
  const frames = [...div.querySelectorAll(".ckw-code-block")];
  assert.equal(frames.length, 2);
  assert.deepEqual(
    frames.map((f) => f.querySelector(".ckw-code-lang")?.textContent),
    ["python", ""],
  );
  for (const frame of frames) {
    const button = frame.querySelector<HTMLButtonElement>("button.ckw-copy-code");
    assert.equal(button?.getAttribute("aria-label"), "Copy code");
    assert.equal(button?.type, "button");
    assert.equal(frame.querySelector("pre")?.parentElement, frame);
  }
});

test("Copy puts the block's text on the clipboard and says Copied", async () => {
  const copied: string[] = [];
  const navigator = window.navigator as { clipboard?: unknown };
  Object.defineProperty(navigator, "clipboard", {
    configurable: true,
    value: { writeText: async (text: string) => void copied.push(text) },
  });
  try {
    const div = render("```python\nprint('hi')\n```");
    const button = div.querySelector<HTMLButtonElement>("button.ckw-copy-code");
    assert.ok(button);
    button.click();
    await until(() => button.textContent === "Copied", "Copied");
    assert.deepEqual(copied, ["print('hi')\n"]);
    assert.equal(div.querySelector('[role="status"]')?.textContent, "Copied");
    assert.equal(button.getAttribute("aria-label"), "Copy code", "its name does not change");
  } finally {
    Object.defineProperty(navigator, "clipboard", { configurable: true, value: undefined });
  }
});

test("without the Clipboard API, Copy falls back to a selection and execCommand", async () => {
  const doc = document as Document & { execCommand: (command: string) => boolean };
  const original = doc.execCommand;
  let selected = "";
  doc.execCommand = (command: string) => {
    const area = doc.querySelector("textarea");
    selected = command === "copy" && area ? area.value : "";
    return true;
  };
  try {
    const div = render("```\nfallback text\n```");
    const button = div.querySelector<HTMLButtonElement>("button.ckw-copy-code");
    assert.ok(button);
    button.click();
    await until(() => button.textContent === "Copied", "Copied");
    assert.equal(selected, "fallback text\n");
    assert.equal(doc.querySelector("textarea"), null, "the helper textarea is gone");
  } finally {
    doc.execCommand = original;
  }
});

test("model output cannot bring its own buttons into a code block", () => {
  const div = render('<button aria-label="Copy code">x</button>\n\n```\ncode\n```');
  const buttons = [...div.querySelectorAll("button")];
  assert.deepEqual(
    buttons.map((b) => b.getAttribute("aria-label")),
    ["Insert below", "Replace cell", "Copy code"],
    "only the frame's own buttons",
  );
});

test("a streaming fence stays plain (with its Copy button) and is highlighted once closed", () => {
  const view = new MarkdownView();
  let text = "```python\n";
  for (const line of ["import os\n", "def f():\n", "    return os.sep\n"]) {
    text += line;
    view.update(text);
    const code = view.el.querySelector("pre > code");
    assert.equal(code?.querySelector("[class*=hljs]"), null, "plain while open");
    assert.ok(view.el.querySelector('.ckw-code-block button[aria-label="Copy code"]'));
    assert.equal(view.el.querySelector(".ckw-code-lang")?.textContent, "python");
  }
  view.update(`${text}\`\`\``);
  const code = view.el.querySelector("pre > code.hljs");
  assert.ok(code, "highlighted when the fence closed");
  assert.equal(code.querySelector(".hljs-keyword")?.textContent, "import");
  assert.equal(view.el.querySelectorAll(".ckw-code-block").length, 1);
});

test("a long open fence grows in chunks of lines; finished chunks are left alone", () => {
  const view = new MarkdownView();
  let text = "```python\n";
  const lines = Array.from({ length: 100 }, (_, n) => `x_${n} = ${n}\n`);
  let firstChunk: Element | null = null;
  for (const line of lines) {
    for (const piece of [line.slice(0, 3), line.slice(3)]) {
      text += piece;
      view.update(text);
    }
    firstChunk ??= view.el.querySelector("pre > code > .ckw-code-chunk");
  }
  const code = view.el.querySelector("pre > code");
  assert.equal(code?.textContent, lines.join(""));
  const chunks = [...(code?.children ?? [])];
  assert.equal(chunks.length, 3, "40 + 40 + 20 lines");
  assert.equal(chunks[0], firstChunk, "the first chunk is the same element throughout");
  assert.equal(chunks[0]?.textContent, lines.slice(0, 40).join(""));
  view.update(`${text}\`\`\``);
  assert.equal(view.el.querySelector("pre > code.hljs")?.textContent, lines.join(""));
});

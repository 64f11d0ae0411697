import "./dom";
import assert from "node:assert/strict";
import { test } from "node:test";
import { markdownToFragment, renderMarkdown } from "../src/markdown/fragment";

function render(src: string): HTMLDivElement {
  const div = document.createElement("div");
  div.append(markdownToFragment(src));
  return div;
}

test("tables render with header cells, body cells and column alignment", () => {
  const div = render("| Name | Score |\n|:---|---:|\n| Ada | 10 |\n| Linus | 9 |");
  const headers = [...div.querySelectorAll("table thead th")].map((th) => th.textContent);
  assert.deepEqual(headers, ["Name", "Score"]);
  const cells = [...div.querySelectorAll("table tbody td")].map((td) => td.textContent);
  assert.deepEqual(cells, ["Ada", "10", "Linus", "9"]);
  assert.equal(div.querySelector("tbody td:last-child")?.getAttribute("align"), "right");
});

test("strikethrough renders as <del>", () => {
  const div = render("Not ~~this~~ but that.");
  assert.equal(div.querySelector("del")?.textContent, "this");
});

test("task-list items get a labelled, non-interactive marker, not a form control", () => {
  const div = render("- [x] ship it\n- [ ] test it\n- plain item");
  assert.equal(div.querySelector("input"), null);
  const markers = [...div.querySelectorAll(".ckw-task-marker")];
  assert.deepEqual(
    markers.map((m) => [m.getAttribute("role"), m.getAttribute("aria-label")]),
    [
      ["img", "done"],
      ["img", "not done"],
    ],
  );
  const items = [...div.querySelectorAll("li")].map((li) => li.classList.contains("ckw-task-item"));
  assert.deepEqual(items, [true, true, false]);
  assert.equal(div.querySelector("li")?.textContent?.trim(), "ship it");
});

test("model text cannot forge a task marker or a math slot", () => {
  const div = render(
    '<span class="ckw-task-marker" role="img" aria-label="done"></span>' +
      '<span class="ckw-slot-abc-0">x</span><span class="ckw-math katex">y</span>',
  );
  assert.equal(div.innerHTML, "<p><span></span><span>x</span><span>y</span></p>\n");
});

test("renderMarkdown renders a standalone string, math included", () => {
  const el = renderMarkdown("**Bold** and $x^2$");
  assert.equal(el.className, "ckw-markdown");
  assert.equal(el.querySelector("strong")?.textContent, "Bold");
  assert.ok(el.querySelector(".ckw-math .katex"), el.innerHTML);
});

test("links still open in a new tab without an opener, also inside tables and lists", () => {
  const div = render("| a |\n|---|\n| [x](https://x.example) |\n\n- [y](https://y.example)");
  const links = [...div.querySelectorAll("a")];
  assert.equal(links.length, 2);
  for (const a of links) {
    assert.equal(a.getAttribute("target"), "_blank");
    assert.equal(a.getAttribute("rel"), "noopener noreferrer");
  }
});

import "./dom";
import assert from "node:assert/strict";
import { test } from "node:test";
import { markdownToFragment } from "../src/markdown/fragment";
import { MarkdownView } from "../src/markdown/render";

function render(src: string): HTMLDivElement {
  const div = document.createElement("div");
  div.append(markdownToFragment(src));
  return div;
}

/** The TeX source of each formula rendered in `div` (KaTeX keeps it in a MathML annotation). */
function formulas(div: Element): Array<[string, boolean]> {
  return [...div.querySelectorAll(".ckw-math")].map((el) => [
    el.querySelector('annotation[encoding="application/x-tex"]')?.textContent ?? "",
    el.classList.contains("ckw-math-display"),
  ]);
}

test("each delimiter renders with KaTeX, inline or display", () => {
  const div = render(
    "Inline $a^2$ and \\(b_1\\), display $$\\frac{1}{2}$$ and \\[\\sqrt{x}\\] in a paragraph.",
  );
  assert.deepEqual(formulas(div), [
    ["a^2", false],
    ["b_1", false],
    ["\\frac{1}{2}", true],
    ["\\sqrt{x}", true],
  ]);
  assert.ok(div.querySelector(".ckw-math .katex .katex-html"), "HTML output for sighted readers");
  assert.ok(div.querySelector(".ckw-math-display .katex-display"), "display mode");
  assert.ok(document.getElementById("ckw-katex-styles"), "KaTeX's stylesheet was added");
});

test("display math on lines of its own is a block, even across lines that look like markdown", () => {
  const div = render(
    "Before:\n\n$$\n\\begin{aligned}\na &= b \\\\\n- c &= d\n\\end{aligned}\n$$\n\nAfter.",
  );
  assert.equal(div.querySelector("ul"), null, "the `- c` line is TeX, not a list");
  const [[tex, display]] = formulas(div) as [[string, boolean]];
  assert.equal(display, true);
  assert.match(tex, /a &= b \\\\\n- c &= d/);
  const blockMath = render("\\[\nx = 1\n\\]");
  assert.deepEqual(formulas(blockMath), [["x = 1", true]]);
});

test("prices and other lone dollars stay text", () => {
  for (const src of [
    "It costs $5 and $10.",
    "Between $5 and $ 10",
    "A $ sign alone, and $x $ with a space before the closing dollar",
    "Escaped \\$x\\$ dollars",
    "From $3 to $4, roughly $5",
  ]) {
    const div = render(src);
    assert.equal(div.querySelector(".ckw-math"), null, src);
  }
  assert.equal(render("It costs $5 and $10.").textContent?.trim(), "It costs $5 and $10.");
  assert.deepEqual(formulas(render("$x$, then $5")), [["x", false]]);
});

test("math inside code spans and code blocks stays code", () => {
  const div = render("Use `$x$` or `\\(y\\)`.\n\n```\n$$z$$\n```\n\n    $w$ indented code");
  assert.equal(div.querySelector(".ckw-math"), null);
  assert.deepEqual(
    [...div.querySelectorAll("code")].map((c) => c.textContent),
    ["$x$", "\\(y\\)", "$$z$$\n", "$w$ indented code\n"],
  );
});

test("bad TeX shows as an error text, never throws; trust-only commands stay off", () => {
  const div = render("$\\frac{1}{$ and $\\href{javascript:alert(1)}{click}$");
  assert.equal(div.querySelectorAll(".ckw-math").length, 2);
  assert.equal(div.querySelector("a"), null, "no link from \\href");
  assert.ok(div.querySelector(".katex-error"), div.innerHTML);
});

test("the sanitizer still strips scripts and handlers around math", () => {
  const div = render('$x$ <img src=x onerror="alert(1)"> <script>alert(1)</script> $$y$$');
  assert.equal(div.querySelector("script"), null);
  assert.equal(div.querySelector("[onerror]"), null);
  assert.equal(formulas(div).length, 2);
});

test("an unclosed $$ block streams as text and renders once it closes", () => {
  const view = new MarkdownView();
  const text = "Formula:\n\n$$\n\\int_0^1 x\\,dx\n$$";
  for (let end = 1; end < text.length; end++) {
    view.update(text.slice(0, end));
    assert.equal(view.el.querySelector(".katex-error"), null, `no error at ${end}`);
  }
  assert.equal(view.el.querySelector(".ckw-math"), null, "not yet closed");
  view.update(text);
  assert.deepEqual(formulas(view.el), [["\\int_0^1 x\\,dx", true]]);
});

import "./dom";
import assert from "node:assert/strict";
import { test } from "node:test";
import type { ThreadItem } from "../src/chatkit/types";
import { newMeta } from "../src/state/types";
import { renderMimeBundle } from "../src/ui/items/rich-output";
import { createClientToolCallView, createTaskView } from "../src/ui/items/task";

// A 1x1 transparent PNG.
const PNG =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=";

// What pandas' DataFrame._repr_html_ gives, trimmed.
const DATAFRAME_HTML = `<div>
<style scoped>.dataframe tbody tr th { vertical-align: top; }</style>
<table border="1" class="dataframe">
  <thead><tr style="text-align: right;"><th></th><th>city</th><th>temp</th></tr></thead>
  <tbody>
    <tr><th>0</th><td>Oslo</td><td>3.5</td></tr>
    <tr><th>1</th><td>Rome</td><td>18.0</td></tr>
  </tbody>
</table>
</div>`;

test("a PNG shows as an inline image, described by its text form", () => {
  const el = renderMimeBundle({ "image/png": `${PNG}\n`, "text/plain": "<Figure size 640x480>" });
  assert.equal(el?.dataset.mime, "image/png");
  const img = el?.querySelector("img");
  assert.equal(img?.getAttribute("src"), `data:image/png;base64,${PNG}`);
  assert.equal(img?.getAttribute("alt"), "<Figure size 640x480>");
});

test("an image that is not base64 falls back to the text form", () => {
  const el = renderMimeBundle({ "image/png": "http://evil.example/x.png", "text/plain": "fig" });
  assert.equal(el?.dataset.mime, "text/plain");
  assert.equal(el?.querySelector("img"), null);
  assert.equal(el?.querySelector("pre")?.textContent, "fig");
});

test("SVG shows as an image from a data URL, never as inline markup", () => {
  const svg =
    '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script><circle r="4"/></svg>';
  const el = renderMimeBundle({ "image/svg+xml": svg, "text/plain": "<SVG>" });
  assert.equal(el?.querySelector("svg"), null);
  assert.equal(el?.querySelector("script"), null);
  const src = el?.querySelector("img")?.getAttribute("src") ?? "";
  assert.ok(src.startsWith("data:image/svg+xml;charset=utf-8,"));
  assert.equal(decodeURIComponent(src.slice(src.indexOf(",") + 1)), svg);
});

test("a DataFrame's HTML shows as a table in a focusable, labelled scroll box", () => {
  const el = renderMimeBundle({ "text/html": DATAFRAME_HTML, "text/plain": "   city  temp" });
  assert.equal(el?.dataset.mime, "text/html");
  const box = el?.querySelector<HTMLElement>(".ckw-rich-html");
  assert.equal(box?.getAttribute("tabindex"), "0");
  assert.ok(box?.getAttribute("aria-label"));
  const cells = [...(box?.querySelectorAll("tbody td") ?? [])].map((td) => td.textContent);
  assert.deepEqual(cells, ["Oslo", "3.5", "Rome", "18.0"]);
  assert.equal(box?.querySelectorAll("thead th").length, 3);
  assert.equal(box?.querySelector("style"), null);
  assert.equal(box?.querySelector("[style]"), null);
});

test("tool HTML loses scripts, handlers, forms, frames and remote resources", () => {
  const html = `<p onclick="alert(1)">hi</p><script>alert(2)</script>
    <img src="https://tracker.example/p.gif" alt="pixel" onerror="alert(3)">
    <img src="data:image/png;base64,${PNG}" alt="ok">
    <form action="https://x.example"><input name="q"><button>go</button></form>
    <iframe src="https://x.example"></iframe><a href="javascript:alert(4)">bad</a>
    <a href="https://example.com/doc">doc</a><link rel="stylesheet" href="https://x.example/s.css">
    <table background="https://x.example/bg.png"><tr><td>1</td></tr></table>`;
  const box = renderMimeBundle({ "text/html": html })?.querySelector(".ckw-rich-html");
  assert.ok(box);
  const markup = box.innerHTML;
  for (const bad of ["onclick", "onerror", "<script", "<form", "<input", "<button", "<iframe"]) {
    assert.ok(!markup.includes(bad), `${bad} survived: ${markup}`);
  }
  assert.ok(!markup.includes("tracker.example"), "remote image kept");
  assert.ok(!markup.includes("x.example"), "remote resource kept");
  assert.ok(!markup.includes("javascript:"));
  const images = box.querySelectorAll("img");
  assert.equal(images.length, 1);
  assert.equal(images[0]?.getAttribute("alt"), "ok");
  const link = box.querySelector('a[href="https://example.com/doc"]');
  assert.equal(link?.getAttribute("rel"), "noopener noreferrer");
  assert.equal(box.querySelector("td")?.textContent, "1");
});

test("images win over HTML; HTML over markdown; markdown over plain text", () => {
  const all = {
    "text/plain": "plain",
    "text/markdown": "**md**",
    "text/html": "<b>html</b>",
    "image/png": PNG,
  };
  assert.equal(renderMimeBundle(all)?.dataset.mime, "image/png");
  const { "image/png": _png, ...noImage } = all;
  assert.equal(renderMimeBundle(noImage)?.dataset.mime, "text/html");
  const { "text/html": _html, ...noHtml } = noImage;
  const md = renderMimeBundle(noHtml);
  assert.equal(md?.dataset.mime, "text/markdown");
  assert.equal(md?.querySelector("strong")?.textContent, "md");
});

test("JSON is pretty-printed in an open, collapsible block", () => {
  const el = renderMimeBundle({ "application/json": { a: [1, 2], b: { c: "d" } } });
  const details = el?.querySelector("details");
  assert.equal(details?.open, true);
  assert.equal(details?.querySelector("summary")?.textContent, "JSON");
  assert.equal(
    details?.querySelector("pre")?.textContent,
    JSON.stringify({ a: [1, 2], b: { c: "d" } }, null, 2),
  );
});

test("LaTeX with math delimiters renders as math; other LaTeX stays text", () => {
  const math = renderMimeBundle({ "text/latex": "$$E = mc^2$$", "text/plain": "<Latex>" });
  assert.equal(math?.dataset.mime, "text/latex");
  assert.ok(math?.querySelector(".ckw-math"), math?.innerHTML);
  const raw = renderMimeBundle({ "text/latex": "\\textbf{bold} words" });
  assert.equal(raw?.querySelector("pre")?.textContent, "\\textbf{bold} words");
});

test("a bundle with nothing safe to show gives nothing", () => {
  assert.equal(renderMimeBundle({ "application/javascript": "alert(1)" }), null);
  assert.equal(renderMimeBundle({}), null);
});

function toolItem(data: object): ThreadItem {
  const json = JSON.stringify(data).replaceAll("-->", "--\\u003e");
  return {
    id: "tc_1",
    type: "task",
    task: { type: "custom", content: `<!-- chatkit-widget:tool ${json} -->\n**x** done` },
  };
}

test("a tool row shows its display without expanding, and keeps the raw text collapsed", () => {
  const base = { call_id: "c1", name: "plot", arguments: {}, error: null };
  const pending = toolItem({ ...base, status: "pending", output: null });
  const view = createTaskView(pending);
  view.update(pending, { ...newMeta(), done: false });
  assert.equal(view.el.querySelector(".ckw-rich"), null);
  assert.equal(view.el.hasAttribute("data-rich"), false);

  const display = { "image/png": PNG, "text/plain": "<Figure>" };
  const done = toolItem({ ...base, status: "success", output: "<Figure>", display });
  view.update(done, newMeta());
  assert.equal(view.el.dataset.status, "success");
  const rich = view.el.querySelector(".ckw-rich");
  assert.ok(rich);
  assert.equal(rich.closest("details"), null, "the display must not hide inside <details>");
  assert.equal(view.el.querySelector("details")?.open, false);
  assert.match(view.el.querySelector("details")?.textContent ?? "", /<Figure>/);
  // The same display again is not rendered again.
  view.update(toolItem({ ...base, status: "success", output: "<Figure>", display }), newMeta());
  assert.equal(view.el.querySelector(".ckw-rich"), rich);
});

test("a client tool call goes pending -> done, and fails on an {error} output", () => {
  const call = {
    id: "ctc_1",
    type: "client_tool_call",
    call_id: "c1",
    name: "read_clipboard",
    arguments: { max: 10 },
    status: "pending",
  };
  const view = createClientToolCallView(call);
  view.update(call, { ...newMeta(), done: false });
  assert.equal(view.el.dataset.status, "pending");
  assert.ok(view.el.querySelector(".ckw-spinner"));
  assert.equal(view.el.querySelector(".ckw-tool-status")?.textContent, "Running…");

  view.update({ ...call, status: "completed", output: { text: "hi" } }, newMeta());
  assert.equal(view.el.dataset.status, "success");
  assert.equal(view.el.querySelector(".ckw-spinner"), null);
  assert.match(view.el.textContent ?? "", /"text": "hi"/);

  const failed = createClientToolCallView(call);
  failed.update({ ...call, status: "completed", output: { error: "No clipboard" } }, newMeta());
  assert.equal(failed.el.dataset.status, "error");
  assert.equal(failed.el.querySelector(".ckw-tool-status")?.textContent, "Failed");
  assert.match(failed.el.textContent ?? "", /No clipboard/);
  assert.equal(failed.el.querySelector("details")?.open, true);

  // A result that merely has an error field succeeded, as chat.messages says in Python.
  const mixed = createClientToolCallView(call);
  mixed.update({ ...call, status: "completed", output: { error: null, rows: 3 } }, newMeta());
  assert.equal(mixed.el.dataset.status, "success");
});

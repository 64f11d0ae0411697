import assert from "node:assert/strict";
import { test } from "node:test";
import { parseToolRow } from "../src/ui/items/tool-row";

function content(data: object, rest = ""): string {
  // What the kernel writes: json.dumps, then "-->" escaped so it cannot end the comment.
  const json = JSON.stringify(data).replaceAll("-->", "--\\u003e");
  return `<!-- chatkit-widget:tool ${json} -->${rest}`;
}

const base = { call_id: "call_1", name: "add_task", arguments: { title: "buy milk" } };

test("a pending tool row", () => {
  const row = parseToolRow(content({ ...base, status: "pending", output: null, error: null }));
  assert.deepEqual(row, { ...base, status: "pending", output: null, error: null });
});

test("a successful tool row, with an escaped comment end in its output", () => {
  const output = "added <!-- x --> buy milk";
  const row = parseToolRow(
    content({ ...base, status: "success", output, error: null }, "\nAdded."),
  );
  assert.equal(row?.status, "success");
  assert.equal(row?.output, output);
});

test("a failed tool row", () => {
  const row = parseToolRow(
    content({ ...base, status: "error", output: null, error: "no such task" }),
  );
  assert.equal(row?.status, "error");
  assert.equal(row?.error, "no such task");
  assert.equal(row?.output, null);
});

test("content without the marker is not a tool row", () => {
  assert.equal(parseToolRow("Searching the web…"), null);
  assert.equal(parseToolRow(undefined), null);
  assert.equal(parseToolRow("<!-- chatkit-widget:tool {not json} -->"), null);
});

import "./frames";
import assert from "node:assert/strict";
import { test } from "node:test";
import { newMeta } from "../src/state/types";
import { builtinView } from "../src/ui/items";
import { UnknownItemView } from "../src/ui/items/status-rows";

test("an item type newer than the widget shows its copy_text, else a neutral placeholder", () => {
  const withText = new UnknownItemView({ id: "x1", type: "hologram" });
  withText.update({ id: "x1", type: "hologram", copy_text: "A spinning cube" });
  assert.equal(withText.el.textContent, "A spinning cube");
  const bare = new UnknownItemView({ id: "x2", type: "hologram" });
  bare.update({ id: "x2", type: "hologram" });
  assert.equal(bare.el.textContent, "This content can’t be shown here.");
  assert.doesNotMatch(bare.el.textContent ?? "", /Unsupported|hologram/);
});

// The `ThreadItem` union of openai-chatkit 1.6.5 (chatkit/types.py), hidden types left out:
// they never get a row. A newer chatkit with another type should be added here once drawn.
const CHATKIT_ITEM_TYPES = [
  "user_message",
  "assistant_message",
  "client_tool_call",
  "widget",
  "generated_image",
  "structured_input",
  "workflow",
  "task",
];

test("no item type of openai-chatkit falls back to the unknown-item row", () => {
  for (const type of CHATKIT_ITEM_TYPES) {
    const item = { id: `i_${type}`, type, thread_id: "t", created_at: "2026-01-01T00:00:00Z" };
    const view = builtinView(item, { retry() {} });
    assert.equal(view instanceof UnknownItemView, false, `${type} has its own row`);
    view.update(item, newMeta());
    assert.doesNotMatch(view.el.textContent ?? "", /Unsupported item/, type);
  }
});

import "./frames";
import assert from "node:assert/strict";
import { test } from "node:test";
import type { ChatKitEvent } from "../src/protocol";
import { applyItemUpdate } from "../src/state/item-updates";
import { AT, card, chatWith, nextFrame, THREAD, widgetItem } from "./widget-helpers";

function form(title: string, extra: Record<string, unknown>[] = []) {
  return card(
    { type: "Title", id: "title", value: title },
    { type: "Input", id: "name", name: "name", placeholder: "Name" },
    { type: "Text", id: "status", value: "Draft" },
    ...extra.map((c) => ({ type: "Text", value: "", ...c })),
  );
}

function updated(update: Record<string, unknown>): ChatKitEvent {
  return { type: "thread.item.updated", item_id: "w1", update };
}

/** The chat with a widget whose answer stream `id` is running, to send updates through. */
async function streaming(widget = form("Order")) {
  const mounted = await chatWith([widgetItem(widget)]);
  const id = "s1";
  mounted.transport.start(id, { type: "threads.custom_action", params: { thread_id: THREAD } });
  const send = async (...events: ChatKitEvent[]) => {
    mounted.transport.events(id, events);
    await nextFrame();
  };
  return { ...mounted, send };
}

test("widget.root.updated reconciles by id: a focused input keeps its element, focus and typed value", async () => {
  const { chat, $, send } = await streaming();
  const input = $<HTMLInputElement>(".ckw-widget input[name=name]");
  const status = $(".ckw-widget .ckw-w-text");
  input.focus();
  input.value = "Ada";
  input.dispatchEvent(new window.Event("input", { bubbles: true }));
  await send(
    updated({
      type: "widget.root.updated",
      widget: form("Order #42", [{ key: "note", value: "Saved" }]),
    }),
  );
  assert.equal($(".ckw-widget .ckw-w-title").textContent, "Order #42");
  assert.equal($(".ckw-widget input[name=name]"), input, "the same element");
  assert.equal(document.activeElement, input, "still focused");
  assert.equal(input.value, "Ada", "what was typed survives");
  assert.equal($(".ckw-widget .ckw-w-text"), status, "untouched components keep their DOM");
  const texts = [...chat.root.querySelectorAll(".ckw-widget .ckw-w-text")].map(
    (t) => t.textContent,
  );
  assert.deepEqual(texts, ["Draft", "Saved"], "a new component is added");
});

test("a changed default reaches an untouched input, not one the person typed in", async () => {
  const { $, send } = await streaming(
    card({ type: "Input", id: "a", name: "a" }, { type: "Input", id: "b", name: "b" }),
  );
  const [a, b] = [$<HTMLInputElement>("input[name=a]"), $<HTMLInputElement>("input[name=b]")];
  b.value = "mine";
  b.dispatchEvent(new window.Event("input", { bubbles: true }));
  await send(
    updated({
      type: "widget.root.updated",
      widget: card(
        { type: "Input", id: "a", name: "a", defaultValue: "server" },
        { type: "Input", id: "b", name: "b", defaultValue: "server" },
      ),
    }),
  );
  assert.equal(a.value, "server");
  assert.equal(b.value, "mine");
});

test("a RadioGroup keeps its radios and the person's pick through an update", async () => {
  const group = (defaultValue: string, label = "Size") => ({
    type: "RadioGroup",
    id: "g",
    name: "size",
    ariaLabel: label,
    defaultValue,
    options: [
      { label: "S", value: "s" },
      { label: "L", value: "l" },
    ],
  });
  const { $, send } = await streaming(card(group("s")));
  const large = $<HTMLInputElement>(".ckw-widget input[value=l]");
  large.focus();
  large.checked = true;
  large.dispatchEvent(new window.Event("change", { bubbles: true }));
  await send(updated({ type: "widget.root.updated", widget: card(group("s", "Cup size")) }));
  assert.equal($(".ckw-widget [role=radiogroup]").getAttribute("aria-label"), "Cup size");
  assert.equal($(".ckw-widget input[value=l]"), large, "the same radio");
  assert.equal(document.activeElement, large);
  assert.equal(large.checked, true, "the pick stays, whatever the default says");
});

test("widget.component.updated replaces that component only", async () => {
  const { chat, $, send } = await streaming();
  const title = $(".ckw-widget .ckw-w-title");
  const input = $(".ckw-widget input");
  await send(
    updated({
      type: "widget.component.updated",
      component_id: "status",
      component: { type: "Badge", id: "status", label: "Sent", color: "success" },
    }),
  );
  assert.equal($(".ckw-widget .ckw-w-badge").textContent, "Sent");
  assert.equal(
    chat.root.querySelector(".ckw-widget .ckw-w-card-body .ckw-w-text"),
    null,
    "the Text became a Badge",
  );
  assert.equal($(".ckw-widget .ckw-w-title"), title);
  assert.equal($(".ckw-widget input"), input);
});

test("widget.streaming_text.value_delta appends to a Text's and a Markdown's value", async () => {
  const { $, send } = await streaming(
    card(
      { type: "Text", id: "t", value: "Hel", streaming: true },
      { type: "Markdown", id: "m", value: "Some ", streaming: true },
    ),
  );
  const text = $(".ckw-widget .ckw-w-text");
  await send(
    updated({
      type: "widget.streaming_text.value_delta",
      component_id: "t",
      delta: "lo",
      done: false,
    }),
    updated({
      type: "widget.streaming_text.value_delta",
      component_id: "m",
      delta: "**bold**",
      done: true,
    }),
  );
  assert.equal($(".ckw-widget .ckw-w-text"), text);
  assert.equal(text.textContent, "Hello");
  assert.equal($(".ckw-widget .ckw-w-markdown strong").textContent, "bold");
});

test("thread.item.replaced updates the widget in place too", async () => {
  const { $, send } = await streaming();
  const input = $<HTMLInputElement>(".ckw-widget input");
  input.value = "typed";
  input.dispatchEvent(new window.Event("input", { bubbles: true }));
  await send({ type: "thread.item.replaced", item: widgetItem(form("Replaced")) });
  assert.equal($(".ckw-widget .ckw-w-title").textContent, "Replaced");
  assert.equal($(".ckw-widget input"), input);
  assert.equal(input.value, "typed");
});

test("applyItemUpdate: widget updates change the item, never the shared event", () => {
  const item = widgetItem(form("A"));
  const root = form("B");
  const rootUpdate = { type: "widget.root.updated", widget: root };
  assert.equal(applyItemUpdate(item, rootUpdate), true);
  assert.notEqual(item.widget, root, "a copy");
  assert.equal(
    applyItemUpdate(item, {
      type: "widget.streaming_text.value_delta",
      component_id: "status",
      delta: "!",
      done: false,
    }),
    true,
  );
  assert.equal(JSON.stringify(root).includes("Draft!"), false, "the event's tree is untouched");
  assert.match(JSON.stringify(item.widget), /Draft!/);
  assert.equal(
    applyItemUpdate(item, {
      type: "widget.component.updated",
      component_id: "nope",
      component: { type: "Text" },
    }),
    false,
  );
  assert.equal(
    applyItemUpdate(item, {
      type: "widget.streaming_text.value_delta",
      component_id: "nope",
      delta: "x",
    }),
    false,
  );
  assert.equal(applyItemUpdate(item, { type: "widget.root.updated", widget: "junk" }), false);
  const image = {
    id: "g1",
    type: "generated_image",
    thread_id: THREAD,
    created_at: AT,
    image: null,
  };
  assert.equal(
    applyItemUpdate(image, {
      type: "generated_image.updated",
      image: { id: "i", url: "data:image/png;base64,AA" },
      progress: 0.5,
    }),
    true,
  );
  assert.deepEqual(
    [image.image, (image as Record<string, unknown>).progress],
    [{ id: "i", url: "data:image/png;base64,AA" }, 0.5],
  );
});

import "./frames";
import assert from "node:assert/strict";
import { test } from "node:test";
import type { WidgetComponent } from "../src/chatkit/types";
import { WIDGET_ACTION_EVENT, type WidgetActionDetail } from "../src/ui/items/widget/actions";
import { AT, card, chatWith, nextFrame, sentParams, THREAD, widgetItem } from "./widget-helpers";

async function chatWithWidget(widget: WidgetComponent) {
  return chatWith([widgetItem(widget, { copy_text: "Flight to Paris" })]);
}

test("a Button's server action sends threads.custom_action naming the widget item", async () => {
  const { transport, $ } = await chatWithWidget(
    card({
      type: "Button",
      label: "Book",
      onClickAction: { type: "book", payload: { flight: "AF1" } },
    }),
  );
  $<HTMLButtonElement>(".ckw-widget .ckw-w-button").click();
  assert.equal(transport.streams.length, 1);
  assert.deepEqual(transport.streams[0]?.req, {
    type: "threads.custom_action",
    params: {
      thread_id: THREAD,
      item_id: "w1",
      action: { type: "book", payload: { flight: "AF1" } },
    },
  });
});

test("the server's answer to an action streams into the same transcript", async () => {
  const { chat, transport, $ } = await chatWithWidget(
    card({ type: "Button", label: "Go", onClickAction: { type: "go" } }),
  );
  $<HTMLButtonElement>(".ckw-widget .ckw-w-button").click();
  const { id, req } = transport.streams[0] ?? { id: "", req: { type: "", params: {} } };
  transport.start(id, req, false, true);
  transport.events(id, [
    {
      type: "thread.item.done",
      item: {
        id: "a9",
        thread_id: THREAD,
        created_at: AT,
        type: "assistant_message",
        content: [{ type: "output_text", text: "Booked it.", annotations: [] }],
      },
    },
  ]);
  transport.end(id, "done");
  await nextFrame();
  const rows = [...chat.root.querySelectorAll<HTMLElement>(".ckw-log > .ckw-row")];
  assert.deepEqual(
    rows.map((r) => r.dataset.itemId),
    ["w1", "a9"],
  );
  assert.match(rows[1]?.textContent ?? "", /Booked it\./);
});

test("a Form submit sends its field values keyed by name, merged into the payload", async () => {
  const { transport, $ } = await chatWithWidget({
    type: "Form",
    onSubmitAction: { type: "save", payload: { list: "groceries" } },
    children: [
      { type: "Input", name: "title", defaultValue: "" },
      { type: "Checkbox", name: "urgent" },
      {
        type: "Select",
        name: "aisle",
        options: [
          { value: "a1", label: "One" },
          { value: "a2", label: "Two" },
        ],
        defaultValue: "a1",
      },
      {
        type: "RadioGroup",
        name: "size",
        options: [
          { label: "S", value: "s" },
          { label: "L", value: "l" },
        ],
      },
      { type: "Button", label: "Save", submit: true },
    ],
  });
  $<HTMLInputElement>("input[name=title]").value = "Milk";
  $<HTMLInputElement>("input[name=urgent]").checked = true;
  $<HTMLSelectElement>("select[name=aisle]").value = "a2";
  $<HTMLInputElement>("input[type=radio][value=l]").checked = true;
  $<HTMLButtonElement>(".ckw-widget button[type=submit]").click();
  assert.equal(transport.streams.length, 1);
  const action = sentParams(transport, 0).action;
  assert.deepEqual(action, {
    type: "save",
    payload: { list: "groceries", title: "Milk", urgent: true, aisle: "a2", size: "l" },
  });
});

test("a Card as a form sends its fields with confirm; cancel sends its own action", async () => {
  const { chat, transport, $ } = await chatWithWidget({
    type: "Card",
    asForm: true,
    confirm: { label: "Send", action: { type: "send" } },
    cancel: { label: "Discard", action: { type: "discard", payload: { why: "no" } } },
    children: [{ type: "Textarea", name: "note", defaultValue: "hi" }],
  });
  const [discard, send] = chat.root.querySelectorAll<HTMLButtonElement>(
    ".ckw-w-card-actions button",
  );
  send?.click();
  assert.deepEqual(sentParams(transport, 0).action, { type: "send", payload: { note: "hi" } });
  transport.end(transport.streams[0]?.id ?? "", "done");
  await nextFrame();
  $<HTMLTextAreaElement>("textarea[name=note]").value = "bye";
  discard?.click();
  assert.deepEqual(sentParams(transport, 1).action, {
    type: "discard",
    payload: { why: "no", note: "bye" },
  });
});

test("loadingBehavior: the control (self/auto) or the whole widget (container) is busy until the stream ends", async () => {
  const { transport, $ } = await chatWithWidget(
    card(
      {
        type: "Button",
        key: "a",
        label: "Self",
        onClickAction: { type: "a", loadingBehavior: "self" },
      },
      {
        type: "Button",
        key: "b",
        label: "Container",
        onClickAction: { type: "b", loadingBehavior: "container" },
      },
      {
        type: "Button",
        key: "c",
        label: "None",
        onClickAction: { type: "c", loadingBehavior: "none" },
      },
      { type: "Button", key: "d", label: "Off", disabled: true },
    ),
  );
  const buttons = () => [
    ...$(".ckw-widget .ckw-w-card-body").querySelectorAll<HTMLButtonElement>("button"),
  ];
  const [self, container, none, off] = buttons();
  assert.ok(self && container && none && off);
  self.click();
  assert.deepEqual(
    buttons().map((b) => b.disabled),
    [true, false, false, true],
    "only the button clicked",
  );
  self.click();
  assert.equal(transport.streams.length, 1, "a busy button is not pressed twice");
  transport.end(transport.streams[0]?.id ?? "", "done");
  await nextFrame();
  assert.deepEqual(
    buttons().map((b) => b.disabled),
    [false, false, false, true],
    "enabled again; Off stays off",
  );

  container.click();
  const body = $(".ckw-widget .ckw-widget-body");
  assert.equal(body.getAttribute("aria-busy"), "true");
  assert.deepEqual(
    buttons().map((b) => b.disabled),
    [true, true, true, true],
  );
  transport.end(transport.streams[1]?.id ?? "", "done");
  await nextFrame();
  assert.equal(body.getAttribute("aria-busy"), null);
  assert.deepEqual(
    buttons().map((b) => b.disabled),
    [false, false, false, true],
  );

  none.click();
  assert.equal(transport.streams.length, 3);
  assert.deepEqual(
    buttons().map((b) => b.disabled),
    [false, false, false, true],
    "none: nothing shows busy",
  );
});

test("a control stays busy through a widget update that arrives while its action runs", async () => {
  const widget = card({ type: "Button", id: "go", label: "Go", onClickAction: { type: "go" } });
  const { transport, $ } = await chatWithWidget(widget);
  const button = $<HTMLButtonElement>(".ckw-widget .ckw-w-button");
  button.click();
  const { id, req } = transport.streams[0] ?? { id: "", req: { type: "", params: {} } };
  transport.start(id, req, false, true);
  transport.events(id, [
    {
      type: "thread.item.updated",
      item_id: "w1",
      update: {
        type: "widget.component.updated",
        component_id: "go",
        component: { type: "Button", id: "go", label: "Going…", onClickAction: { type: "go" } },
      },
    },
  ]);
  await nextFrame();
  assert.equal($(".ckw-widget .ckw-w-button"), button, "the same button, patched");
  assert.equal(button.textContent, "Going…");
  assert.equal(button.disabled, true, "still busy");
  transport.end(id, "done");
  await nextFrame();
  assert.equal(button.disabled, false);
});

test("a client action is a DOM event on the widget, and sends no request", async () => {
  const { chat, transport, $ } = await chatWithWidget(
    card({
      type: "Button",
      label: "Open",
      onClickAction: { type: "open_tab", handler: "client", payload: { url: "x" } },
    }),
  );
  const seen: WidgetActionDetail[] = [];
  chat.root.addEventListener(WIDGET_ACTION_EVENT, (event) =>
    seen.push((event as CustomEvent<WidgetActionDetail>).detail),
  );
  $<HTMLButtonElement>(".ckw-widget .ckw-w-button").click();
  assert.deepEqual(seen, [{ itemId: "w1", action: { type: "open_tab", payload: { url: "x" } } }]);
  assert.equal(transport.streams.length, 0);
});

test("ListViewItem and onChangeAction controls send their actions (keyboard too)", async () => {
  const { transport, $ } = await chatWithWidget({
    type: "ListView",
    children: [
      {
        type: "ListViewItem",
        key: "r1",
        onClickAction: { type: "pick", payload: { id: 1 } },
        children: [{ type: "Text", value: "One" }],
      },
    ],
  });
  const row = $(".ckw-widget [role=button]");
  row.dispatchEvent(new window.KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
  assert.deepEqual(sentParams(transport, 0).action, {
    type: "pick",
    payload: { id: 1 },
  });
  assert.equal(row.getAttribute("aria-disabled"), "true", "busy while it runs");

  const next = await chatWithWidget(
    card({
      type: "Select",
      name: "tz",
      onChangeAction: { type: "tz", payload: { user: 7 } },
      options: [
        { value: "utc", label: "UTC" },
        { value: "cet", label: "CET" },
      ],
    }),
  );
  const select = next.$<HTMLSelectElement>(".ckw-widget select");
  select.value = "cet";
  select.dispatchEvent(new window.Event("change", { bubbles: true }));
  assert.deepEqual(sentParams(next.transport, 0).action, {
    type: "tz",
    payload: { user: 7, tz: "cet" },
  });
});

test("Copy on a widget row copies its copy_text", async () => {
  const { chat } = await chatWithWidget(card({ type: "Text", value: "shown" }));
  const copied: string[] = [];
  const row = chat.root.querySelector<HTMLElement>(".ckw-widget");
  assert.ok(row);
  const copy = row.querySelector<HTMLButtonElement>(".ckw-action-copy");
  assert.ok(copy, "a widget with copy_text has Copy");
  assert.equal(row.querySelector(".ckw-action-retry"), null, "and only Copy");
  const clipboard = { writeText: async (text: string) => void copied.push(text) };
  Object.defineProperty(window.navigator, "clipboard", { value: clipboard, configurable: true });
  copy.click();
  await nextFrame();
  assert.deepEqual(copied, ["Flight to Paris"]);
});

test("Retry on a failed action sends the action again, not a regenerated turn", async () => {
  const asked = {
    id: "u1",
    thread_id: THREAD,
    created_at: AT,
    type: "user_message",
    content: [{ type: "input_text", text: "Show me a card" }],
  };
  const button = { type: "Button", label: "Go", onClickAction: { type: "go", payload: { n: 1 } } };
  const { chat, transport, $ } = await chatWith([asked, widgetItem(card(button))]);
  $<HTMLButtonElement>(".ckw-widget .ckw-w-button").click();
  const { id, req } = transport.streams[0] ?? { id: "", req: { type: "", params: {} } };
  transport.start(id, req, false, true);
  transport.events(id, [{ type: "error", message: "The server hiccuped", allow_retry: true }]);
  transport.end(id, "done");
  await nextFrame();
  const retry = chat.root.querySelector<HTMLButtonElement>("[data-item-type=error] button");
  assert.ok(retry, "the failure offers Retry");
  retry.click();
  await nextFrame();
  assert.equal(transport.streams.length, 2);
  assert.deepEqual(transport.streams[1]?.req, req);
  assert.equal(chat.root.querySelectorAll("[data-item-type=error]").length, 0);
});

test("an editable Text is a text box its form sends under the editable name", async () => {
  const { transport, $ } = await chatWithWidget({
    type: "Form",
    onSubmitAction: { type: "rename" },
    children: [
      { type: "Text", value: "Buy milk", editable: { name: "title", required: true } },
      { type: "Button", label: "Save", submit: true },
    ],
  });
  const box = $<HTMLInputElement>(".ckw-widget input.ckw-w-editable");
  assert.equal(box.value, "Buy milk");
  assert.equal(box.name, "title");
  assert.equal(box.required, true);
  box.value = "Buy oat milk";
  box.dispatchEvent(new window.Event("input", { bubbles: true }));
  $<HTMLButtonElement>(".ckw-widget .ckw-w-button").click();
  assert.deepEqual(sentParams(transport).action, {
    type: "rename",
    payload: { title: "Buy oat milk" },
  });
});

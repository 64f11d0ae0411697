import "./dom";
import assert from "node:assert/strict";
import { test } from "node:test";
import type { ThreadItem } from "../src/chatkit/types";
import { newMeta } from "../src/state/types";
import { createItemView } from "../src/ui/items";
import {
  CustomRenderer,
  type ModuleLoader,
  withCustomRenderer,
} from "../src/ui/items/custom-renderer";

const reply: ThreadItem = {
  id: "msg_1",
  type: "assistant_message",
  content: [{ type: "output_text", text: "Hello **there**", annotations: [] }],
};

/** Node cannot import Blob URLs; a data: URL runs the same module source. */
const dataUrlLoader: ModuleLoader = (source) =>
  import(`data:text/javascript,${encodeURIComponent(source)}`);

const UPPERCASE = `export function renderMessage(item, el) {
  if (item.type !== "assistant_message") return false;
  el.textContent = item.content.map((p) => p.text).join("").toUpperCase();
  el.dataset.custom = "yes";
}`;

function mount(renderer: CustomRenderer, item: ThreadItem = reply) {
  const ctx = withCustomRenderer(renderer, { retry() {} });
  const view = createItemView(item, ctx);
  assert.ok(view);
  const log = document.createElement("div");
  log.append(view.el);
  view.update(item, newMeta());
  return { view, log };
}

test("a module's renderMessage draws the items it accepts, in a row the transcript can find", async () => {
  const renderer = new CustomRenderer(dataUrlLoader);
  await renderer.setSource(UPPERCASE);
  const { view, log } = mount(renderer);
  assert.equal(log.firstElementChild, view.el);
  assert.equal(view.el.dataset.itemId, "msg_1");
  assert.equal(view.el.dataset.itemType, "assistant_message");
  const body = view.el.querySelector<HTMLElement>("[data-custom]");
  assert.equal(body?.textContent, "HELLO **THERE**");
  assert.equal(view.el.querySelector("strong"), null, "the built-in view showed too");
});

test("items the module declines (returns false) get the built-in view", async () => {
  const renderer = new CustomRenderer(dataUrlLoader);
  await renderer.setSource(UPPERCASE);
  const user = { id: "u1", type: "user_message", content: [{ type: "input_text", text: "hi" }] };
  const { view } = mount(renderer, user);
  assert.ok(view.el.classList.contains("ckw-user"));
  assert.equal(view.el.textContent, "hi");
});

test("a default export works too, and the module gets a copy of the item", async () => {
  const renderer = new CustomRenderer(dataUrlLoader);
  await renderer.setSource(
    `export default (item, el) => { item.content = []; el.textContent = item.id; };`,
  );
  const { view } = mount(renderer);
  assert.equal(view.el.textContent, "msg_1");
  assert.equal((reply.content as unknown[]).length, 1);
});

test("a module that throws falls back to the built-in view and warns once", async () => {
  const warnings: unknown[][] = [];
  const warn = console.warn;
  console.warn = (...args: unknown[]) => warnings.push(args);
  try {
    const renderer = new CustomRenderer(dataUrlLoader);
    await renderer.setSource(`export function renderMessage() { throw new Error("boom"); }`);
    const { view } = mount(renderer);
    view.update(reply, newMeta());
    mount(renderer, { ...reply, id: "msg_2" });
    assert.ok(view.el.classList.contains("ckw-assistant"));
    assert.equal(view.el.querySelector("strong")?.textContent, "there");
    assert.equal(warnings.length, 1);
    assert.match(String(warnings[0]?.[0]), /render_message threw/);
  } finally {
    console.warn = warn;
  }
});

test("a module that fails to load, or exports no function, leaves the built-in view", async () => {
  const warn = console.warn;
  console.warn = () => {};
  try {
    for (const source of ["export const x = ;", "export const renderMessage = 42;"]) {
      const renderer = new CustomRenderer(dataUrlLoader);
      await renderer.setSource(source);
      assert.equal(renderer.active, false);
      const { view } = mount(renderer);
      assert.ok(view.el.classList.contains("ckw-assistant"));
    }
  } finally {
    console.warn = warn;
  }
});

test("changing the source re-renders shown rows in place; each source loads once", async () => {
  const loads: string[] = [];
  const counting: ModuleLoader = (source) => {
    loads.push(source);
    return dataUrlLoader(source);
  };
  const renderer = new CustomRenderer(counting);
  const { view, log } = mount(renderer);
  assert.ok(view.el.classList.contains("ckw-assistant"));

  await renderer.setSource(UPPERCASE);
  assert.equal(log.children.length, 1);
  assert.equal(log.firstElementChild, view.el);
  assert.equal(view.el.textContent, "HELLO **THERE**");

  await renderer.setSource("");
  assert.equal(log.firstElementChild, view.el);
  assert.ok(view.el.classList.contains("ckw-assistant"));
  assert.equal(view.el.querySelector("strong")?.textContent, "there");

  const other = new CustomRenderer(counting); // a second view of the same widget
  await Promise.all([renderer.setSource(UPPERCASE), other.setSource(UPPERCASE)]);
  assert.equal(view.el.textContent, "HELLO **THERE**");
  assert.deepEqual(loads, [UPPERCASE]);
});

test("without a source, rows are the built-in ones", () => {
  const { view } = mount(new CustomRenderer(dataUrlLoader));
  assert.ok(view.el.classList.contains("ckw-assistant"));
  assert.equal(view.el.querySelector("strong")?.textContent, "there");
});

import "./dom";
import assert from "node:assert/strict";
import { test } from "node:test";
import { ThreadState } from "../src/state/thread-state";
import { newMeta } from "../src/state/types";
import { AssistantMessageView, UserMessageView } from "../src/ui/items/messages";

function assistant(id: string, text: string, extra: object = {}) {
  return {
    id,
    thread_id: "thr_1",
    type: "assistant_message",
    content: [{ type: "output_text", text, annotations: [] }],
    ...extra,
  };
}

test("a reloaded stopped reply shows like one stopped live", () => {
  const state = new ThreadState();
  state.reset("thr_1");
  // Stopped live: the stream was cancelled mid-item.
  state.apply("s1", [{ type: "thread.item.added", item: assistant("live", "Roses are") }]);
  state.endStream("s1", "cancelled");
  // Stopped earlier: the backend marks the stored item.
  state.loadItems(
    [assistant("stored", "Roses are", { stopped: true }), assistant("ok", "Hi")],
    null,
  );

  const render = (id: string) => {
    const item = state.item(id);
    assert.ok(item);
    const view = new AssistantMessageView(item);
    view.update(item, state.meta(id));
    return view.el;
  };
  const live = render("live");
  const stored = render("stored");
  const ok = render("ok");
  for (const el of [live, stored]) {
    assert.equal(el.getAttribute("data-stopped"), "true");
    assert.equal(el.querySelector(".ckw-stopped-label")?.textContent, "Stopped");
    assert.equal(el.getAttribute("data-streaming"), null);
  }
  assert.equal(
    stored.outerHTML.replace('data-item-id="stored"', 'data-item-id="live"'),
    live.outerHTML,
  );
  assert.equal(ok.getAttribute("data-stopped"), null);
  assert.equal(ok.querySelector(".ckw-stopped-label"), null);
});

test("a reply cut off by the network says it is incomplete, live and reloaded", () => {
  const state = new ThreadState();
  state.reset("thr_1");
  state.apply("s1", [{ type: "thread.item.added", item: assistant("cut", "Roses") }]);
  // A remote backend closes the partial reply with the flag, then reports the error.
  state.apply("s1", [
    { type: "thread.item.done", item: assistant("cut", "Roses are", { incomplete: true }) },
  ]);
  state.endStream("s1", "error");
  state.loadItems([assistant("ok", "Hi")], null);

  const render = (id: string) => {
    const item = state.item(id);
    assert.ok(item);
    const view = new AssistantMessageView(item);
    view.update(item, state.meta(id));
    return view;
  };
  const cut = render("cut");
  assert.equal(cut.el.getAttribute("data-incomplete"), "true");
  assert.equal(cut.el.getAttribute("data-stopped"), null, "the user did not stop it");
  assert.equal(
    cut.el.querySelector(".ckw-incomplete-label")?.textContent,
    "Incomplete: the connection dropped",
  );
  assert.match(cut.el.textContent ?? "", /Roses are/);
  assert.equal(render("ok").el.getAttribute("data-incomplete"), null);

  // Its process died (a restarted kernel): the label says that instead.
  const died = assistant("cut", "Roses are", { incomplete: true, interrupted: true });
  cut.update(died, state.meta("cut"));
  assert.equal(
    cut.el.querySelector(".ckw-incomplete-label")?.textContent,
    "Interrupted: the kernel or server running it stopped",
  );

  // A retried reply replaces the item without the flag: the label goes.
  const item = state.item("cut");
  assert.ok(item);
  cut.update(assistant("cut", "Roses are red"), state.meta("cut"));
  assert.equal(cut.el.getAttribute("data-incomplete"), null);
  assert.equal(cut.el.querySelector(".ckw-incomplete-label"), null);
});

test("an edited message shows its versions and asks for the one before or after", () => {
  const shown: Array<[string, number]> = [];
  const view = new UserMessageView(
    { id: "u1", type: "user_message", content: [{ type: "input_text", text: "hi" }] },
    {
      retry() {},
      actions: {
        features: () => ["edit"],
        retry() {},
        edit() {},
        feedback() {},
        showVersion: (itemId, index) => shown.push([itemId, index]),
      },
    },
  );
  const meta = { ...newMeta(), done: true };
  const group = () => view.el.querySelector<HTMLElement>("[role=group][aria-label=Versions]");
  const button = (name: string) =>
    view.el.querySelector<HTMLButtonElement>(`button[aria-label="${name}"]`);
  view.update({ id: "u1", type: "user_message", content: [] }, meta);
  assert.equal(group()?.hidden, true, "one version: nothing to switch");

  view.update(
    { id: "u1", type: "user_message", content: [], versions: { index: 1, count: 3 } },
    meta,
  );
  assert.equal(group()?.hidden, false);
  assert.equal(group()?.textContent, "2 / 3");
  button("Previous version")?.click();
  button("Next version")?.click();
  assert.deepEqual(shown, [
    ["u1", 0],
    ["u1", 2],
  ]);
  view.update(
    { id: "u1", type: "user_message", content: [], versions: { index: 2, count: 3 } },
    meta,
  );
  assert.equal(button("Next version")?.disabled, true, "the last one has no next");
  assert.equal(button("Previous version")?.disabled, false);
});

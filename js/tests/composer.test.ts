import "./dom";
import assert from "node:assert/strict";
import { test } from "node:test";
import { Composer, withoutRestored, withRestored } from "../src/ui/composer";

test("a failed message comes back after whatever was typed since", () => {
  assert.equal(withRestored("", "first"), "first");
  assert.equal(withRestored("  \n", "first"), "first");
  assert.equal(withRestored("second\n", "first"), "second\n\nfirst");
  assert.equal(withRestored("first", "first"), "first", "not twice");
  assert.equal(withRestored("typed", ""), "typed");
});

test("the composer keeps new text and the failed text", () => {
  const composer = new Composer({ send: () => true, stop: () => {} });
  const box = composer.el.querySelector("textarea");
  assert.ok(box);
  box.value = "a new thought";
  composer.restore("the message that failed");
  assert.equal(box.value, "a new thought\n\nthe message that failed");
});

// Keyboard: Enter sends, Escape stops or leaves an edit, ArrowUp in an empty box edits.

interface Calls {
  sent: string[];
  stops: number;
  edits: Array<[string, string]>;
  editLast: number;
  editing: Array<string | null>;
}

function composerWith(editResult = true) {
  const calls: Calls = { sent: [], stops: 0, edits: [], editLast: 0, editing: [] };
  const composer: Composer = new Composer({
    send: (text) => {
      calls.sent.push(text);
      return true;
    },
    stop: () => calls.stops++,
    edit: (itemId, text) => {
      calls.edits.push([itemId, text]);
      return editResult;
    },
    editLast: () => {
      calls.editLast++;
      composer.beginEdit("msg_last", "the last thing I said");
    },
    editingChanged: (itemId) => calls.editing.push(itemId),
  });
  document.body.append(composer.el);
  const box = composer.el.querySelector("textarea") as HTMLTextAreaElement;
  const bar = composer.el.querySelector(".ckw-edit-bar") as HTMLElement;
  return { composer, calls, box, bar };
}

function press(el: Element, key: string, init: KeyboardEventInit = {}): KeyboardEvent {
  const event = new window.KeyboardEvent("keydown", {
    key,
    bubbles: true,
    cancelable: true,
    ...init,
  });
  el.dispatchEvent(event);
  return event;
}

test("Enter sends, Shift+Enter does not", () => {
  const { calls, box } = composerWith();
  box.value = "hello";
  assert.equal(press(box, "Enter", { shiftKey: true }).defaultPrevented, false);
  assert.deepEqual(calls.sent, []);
  press(box, "Enter");
  assert.deepEqual(calls.sent, ["hello"]);
  assert.equal(box.value, "");
});

test("Escape stops a reply that can be stopped, and says it handled the key", () => {
  const { composer, calls, box } = composerWith();
  assert.equal(press(box, "Escape").defaultPrevented, false, "idle: nothing to do");
  composer.setBusy(true, false);
  press(box, "Escape");
  assert.equal(calls.stops, 0, "the server said this stream cannot be cancelled");
  composer.setBusy(true, true);
  const event = press(box, "Escape");
  assert.equal(calls.stops, 1);
  assert.equal(event.defaultPrevented, true);
});

test("ArrowUp in an empty box edits the last message; with text it moves the caret", () => {
  const { composer, calls, box, bar } = composerWith();
  box.value = "draft";
  assert.equal(press(box, "ArrowUp").defaultPrevented, false);
  assert.equal(calls.editLast, 0);
  box.value = "";
  assert.equal(press(box, "ArrowUp").defaultPrevented, true);
  assert.equal(calls.editLast, 1);
  assert.equal(composer.editingId, "msg_last");
  assert.equal(box.value, "the last thing I said");
  assert.equal(bar.hidden, false);
  assert.equal(bar.textContent?.includes("Editing message"), true);
  assert.equal(document.activeElement, box);
  const labelId = box.getAttribute("aria-describedby");
  assert.ok(labelId && document.getElementById(labelId)?.textContent === "Editing message");
});

test("an edit sends through edit(), then the draft typed before comes back", () => {
  const { composer, calls, box, bar } = composerWith();
  box.value = "half a thought";
  composer.beginEdit("msg_1", "old text");
  box.value = "new text";
  press(box, "Enter");
  assert.deepEqual(calls.edits, [["msg_1", "new text"]]);
  assert.deepEqual(calls.sent, [], "not sent as a new message");
  assert.equal(composer.editingId, null);
  assert.equal(bar.hidden, true);
  assert.equal(box.value, "half a thought");
  assert.equal(box.getAttribute("aria-describedby"), null);
  assert.deepEqual(calls.editing, ["msg_1", null]);
});

test("an edit the session refuses stays in the box, still editing", () => {
  const { composer, calls, box } = composerWith(false);
  composer.beginEdit("msg_1", "old text");
  box.value = "new text";
  press(box, "Enter");
  assert.deepEqual(calls.edits, [["msg_1", "new text"]]);
  assert.equal(composer.editingId, "msg_1");
  assert.equal(box.value, "new text");
});

test("Escape or Cancel leaves an edit and gives the draft back", () => {
  const { composer, box, bar } = composerWith();
  box.value = "draft";
  composer.beginEdit("msg_1", "old text");
  assert.equal(press(box, "Escape").defaultPrevented, true);
  assert.equal(composer.editingId, null);
  assert.equal(box.value, "draft");

  composer.beginEdit("msg_1", "old text", "The edit did not go through; try again.");
  assert.equal(
    bar.querySelector("[role=alert]")?.textContent,
    "The edit did not go through; try again.",
  );
  const cancel = bar.querySelector("button[aria-label='Cancel editing']") as HTMLButtonElement;
  cancel.click();
  assert.equal(composer.editingId, null);
  assert.equal(box.value, "draft");
  assert.equal(bar.querySelector("[role=alert]")?.textContent, "");
});

test("while a reply streams Escape stops it rather than leaving the edit", () => {
  const { composer, calls, box } = composerWith();
  composer.beginEdit("msg_1", "old text");
  composer.setBusy(true, true);
  press(box, "Escape");
  assert.equal(calls.stops, 1);
  assert.equal(composer.editingId, "msg_1");
});

test("withdrawn text comes back out of the composer, keeping what else was typed", () => {
  assert.equal(withoutRestored("send me", "send me"), "");
  assert.equal(withoutRestored("new draft\n\nsend me", "send me"), "new draft");
  assert.equal(withoutRestored("something else", "send me"), "something else");
  assert.equal(withoutRestored(withRestored("draft", "send me"), "send me"), "draft");
});

test("focus stays in the composer when Stop or Send hides under it", () => {
  const stops: number[] = [];
  const composer = new Composer({ send: () => true, stop: () => stops.push(1) });
  document.body.append(composer.el);
  const textarea = composer.el.querySelector("textarea") as HTMLTextAreaElement;
  const stop = composer.el.querySelector(".ckw-stop") as HTMLButtonElement;
  composer.setBusy(true, true);
  stop.focus();
  stop.click();
  assert.equal(stops.length, 1);
  assert.equal(document.activeElement, textarea, "after Stop, the next message is typed here");
  stop.focus();
  composer.setBusy(false, false);
  assert.equal(stop.hidden, true);
  assert.equal(document.activeElement, textarea, "the reply ended with focus on Stop");
  composer.el.remove();
});

import "./frames";
import assert from "node:assert/strict";
import { test } from "node:test";
import { type ChatHandle, createChat, type MessageContext } from "../src/chat";
import { messageInput } from "../src/context";
import type { ChatKitRequest } from "../src/protocol";
import { Composer } from "../src/ui/composer";
import { FakeTransport, settle } from "./fake-transport";

// Context a host attaches to the next message: chips above the composer, sent as ChatKit
// `input_tag` parts (selections also as `quoted_text`), shown again under the sent message.
const nextFrame = () => new Promise((resolve) => setTimeout(resolve, 0));

const AT = "2026-01-01T00:00:00Z";
const THREAD = "thr_1";

const CELL: MessageContext = {
  id: "cell-a",
  label: "Cell 3",
  kind: "cell",
  text: "df.describe()",
  data: { cell_id: "a", path: "analysis.ipynb" },
};
const SELECTION: MessageContext = {
  id: "sel-1",
  label: "Selection",
  kind: "selection",
  text: "df = load()",
};
const OTHER: MessageContext = { id: "cell-b", label: "Cell 4", kind: "cell", text: "plot(df)" };

function mount() {
  const element = document.createElement("div");
  document.body.append(element);
  const transport = new FakeTransport();
  const changes: string[][] = [];
  const chat = createChat(element, {
    transport,
    callbacks: { contextChanged: (contexts) => changes.push(contexts.map((c) => c.id)) },
  });
  return { transport, chat, changes };
}

function box(chat: ChatHandle): HTMLTextAreaElement {
  const el = chat.root.querySelector<HTMLTextAreaElement>(".ckw-composer textarea");
  assert.ok(el, "the composer has a text box");
  return el;
}

function type(chat: ChatHandle, text: string): void {
  box(chat).value = text;
  box(chat).dispatchEvent(new window.KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
}

/** The composer's chips: [id, label, its remove button's label]. */
function chips(chat: ChatHandle): Array<[string, string, string]> {
  const row = chat.root.querySelector<HTMLElement>(".ckw-composer .ckw-chips");
  assert.ok(row, "the composer has a chip row");
  if (row.hidden) return [];
  return [...row.querySelectorAll<HTMLElement>(".ckw-chip")].map((chip) => [
    chip.dataset.contextId ?? "",
    chip.querySelector(".ckw-chip-label")?.textContent ?? "",
    chip.querySelector("button")?.getAttribute("aria-label") ?? "",
  ]);
}

function removeButton(chat: ChatHandle, id: string): HTMLButtonElement {
  const button = chat.root.querySelector<HTMLButtonElement>(
    `.ckw-composer .ckw-chip[data-context-id="${id}"] button`,
  );
  assert.ok(button, `chip ${id} has a remove button`);
  return button;
}

function inputOf(req: ChatKitRequest | undefined): Record<string, unknown> {
  const input = req?.params.input;
  assert.ok(input && typeof input === "object", "the request carries an input");
  return input as Record<string, unknown>;
}

test("attached contexts show as removable chips and go out as input_tag parts and quoted_text", async () => {
  const { transport, chat, changes } = mount();
  chat.attach(CELL);
  chat.attach(OTHER);
  chat.attach(SELECTION);
  chat.attach({ ...OTHER, label: "Cell 4 (edited)" });
  assert.deepEqual(chips(chat), [
    ["cell-a", "Cell 3", "Remove Cell 3"],
    ["cell-b", "Cell 4 (edited)", "Remove Cell 4 (edited)"],
    ["sel-1", "Selection", "Remove Selection"],
  ]);
  const remove = removeButton(chat, "cell-b");
  assert.equal(remove.type, "button", "a real button: Tab reaches it, Enter and Space press it");
  remove.focus();
  remove.click();
  assert.deepEqual(
    chips(chat).map(([id]) => id),
    ["cell-a", "sel-1"],
  );
  assert.equal(
    document.activeElement,
    removeButton(chat, "sel-1"),
    "focus moves to the next chip, not to the page",
  );

  type(chat, "what does this do?");
  const [stream] = transport.streams;
  assert.ok(stream, "the message went out");
  assert.deepEqual(inputOf(stream.req), {
    content: [
      { type: "input_text", text: "what does this do?" },
      {
        type: "input_tag",
        id: "cell-a",
        text: "Cell 3",
        data: { cell_id: "a", path: "analysis.ipynb", kind: "cell", text: "df.describe()" },
        interactive: false,
      },
      {
        type: "input_tag",
        id: "sel-1",
        text: "Selection",
        data: { kind: "selection", text: "df = load()" },
        interactive: false,
      },
    ],
    attachments: [],
    quoted_text: "df = load()",
    inference_options: {},
  });
  assert.deepEqual(chips(chat), [], "the chips go with the message");
  assert.equal(box(chat).value, "");
  assert.deepEqual(changes.at(-1), [], "the host hears the set is empty");
  assert.deepEqual(changes.slice(0, 3), [
    ["cell-a"],
    ["cell-a", "cell-b"],
    ["cell-a", "cell-b", "sel-1"],
  ]);

  await nextFrame();
  const sent = chat.root.querySelector<HTMLElement>('.ckw-user[data-optimistic="true"]');
  assert.ok(sent, "the message shows before the server confirms it");
  assert.equal(sent.querySelector(".ckw-bubble")?.textContent, "what does this do?");
  assert.deepEqual(
    [...sent.querySelectorAll(".ckw-chip")].map((chip) => chip.textContent),
    ["Cell 3", "Selection"],
    "with what it carried, read-only",
  );
  assert.equal(sent.querySelector(".ckw-chip button"), null);
  assert.equal(sent.querySelector(".ckw-user-quote")?.textContent, "df = load()");
  chat.dispose();
});

test("several selections are quoted together, blank-line separated", () => {
  const second = { ...SELECTION, id: "sel-2", text: "df.plot()" };
  const input = messageInput("compare", [SELECTION, CELL, second]);
  assert.equal(input.quoted_text, "df = load()\n\ndf.plot()");
  assert.equal(messageInput("plain", [CELL]).quoted_text, undefined, "no selection, no quote");
  assert.deepEqual(messageInput("plain", []).content, [{ type: "input_text", text: "plain" }]);
});

test("a message the server never took gives its text and its chips back", async () => {
  const { transport, chat } = mount();
  chat.attach(CELL);
  type(chat, "explain");
  assert.deepEqual(chips(chat), []);
  const [stream] = transport.streams;
  assert.ok(stream);
  transport.end(stream.id, "error");
  await settle();
  assert.equal(box(chat).value, "explain");
  assert.deepEqual(chips(chat), [["cell-a", "Cell 3", "Remove Cell 3"]]);
  chat.dispose();
});

test("a send the transport refuses keeps the text and the chips", () => {
  const { transport, chat } = mount();
  transport.stream = () => {
    throw new Error("offline");
  };
  chat.attach(SELECTION);
  type(chat, "explain");
  assert.equal(box(chat).value, "explain");
  assert.deepEqual(chips(chat), [["sel-1", "Selection", "Remove Selection"]]);
  chat.dispose();
});

test("Retry of a message the server refused sends its chips again and takes them back", async () => {
  const { transport, chat } = mount();
  chat.attach(CELL);
  type(chat, "explain");
  const [first] = transport.streams;
  assert.ok(first);
  transport.events(first.id, [
    { type: "error", message: "Rate limited.", allow_retry: true, unsent: true },
  ]);
  transport.end(first.id, "error");
  await settle();
  await nextFrame();
  assert.deepEqual(chips(chat), [["cell-a", "Cell 3", "Remove Cell 3"]], "given back");
  const retry = [...chat.root.querySelectorAll<HTMLButtonElement>("button")].find(
    (button) => button.textContent === "Retry",
  );
  assert.ok(retry, "the error row offers Retry");
  retry.click();
  const again = transport.streams[1];
  assert.ok(again, "the message went out again");
  assert.deepEqual(
    (inputOf(again.req).content as Array<{ type: string }>).map((part) => part.type),
    ["input_text", "input_tag"],
  );
  assert.deepEqual(chips(chat), [], "taken back out of the composer");
  assert.equal(box(chat).value, "");
  chat.dispose();
});

test("a stored message shows what it quoted and carried; its text alone is what was typed", async () => {
  const { transport, chat } = mount();
  chat.update({ threadId: THREAD });
  await transport.answerOpen({
    id: THREAD,
    title: "Analysis",
    created_at: AT,
    status: { type: "active" },
    metadata: {},
    items: {
      data: [
        {
          id: "u1",
          thread_id: THREAD,
          created_at: AT,
          type: "user_message",
          content: [
            { type: "input_text", text: "why is this slow?" },
            {
              type: "input_tag",
              id: "cell-a",
              text: "Cell 3",
              data: { kind: "cell", text: "df.describe()" },
              interactive: false,
            },
          ],
          quoted_text: "for row in df.iterrows():",
          attachments: [],
          inference_options: {},
        },
      ],
      has_more: false,
    },
  });
  await nextFrame();
  const row = chat.root.querySelector<HTMLElement>('.ckw-row[data-item-id="u1"]');
  assert.ok(row);
  assert.equal(row.querySelector(".ckw-bubble")?.textContent, "why is this slow?");
  assert.equal(row.querySelector(".ckw-user-quote")?.textContent, "for row in df.iterrows():");
  const tag = row.querySelector<HTMLElement>(".ckw-chip");
  assert.equal(tag?.dataset.contextId, "cell-a");
  assert.equal(tag?.textContent, "Cell 3");
  assert.equal(tag?.title, "df.describe()", "its text on hover");
  chat.dispose();
});

test("an edit does not carry the chips: they hide while editing and stay attached", () => {
  const edits: Array<[string, string]> = [];
  const composer = new Composer({
    send: () => true,
    stop: () => {},
    edit: (itemId, text) => {
      edits.push([itemId, text]);
      return true;
    },
  });
  document.body.append(composer.el);
  const chipRow = composer.el.querySelector<HTMLElement>(".ckw-chips");
  composer.attach(CELL);
  assert.equal(chipRow?.hidden, false);
  composer.beginEdit("u1", "old text");
  assert.equal(chipRow?.hidden, true, "not part of the edit");
  const textarea = composer.el.querySelector("textarea") as HTMLTextAreaElement;
  textarea.value = "new text";
  textarea.dispatchEvent(new window.KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
  assert.deepEqual(edits, [["u1", "new text"]]);
  assert.equal(chipRow?.hidden, false, "back for the next message");
  assert.deepEqual(
    composer.contexts.map((c) => c.id),
    ["cell-a"],
  );
  composer.el.remove();
});

test("detach removes a chip by id; the last one removed puts focus in the box", () => {
  const { chat } = mount();
  chat.attach(CELL);
  chat.attach(OTHER);
  chat.detach("cell-a");
  assert.deepEqual(
    chips(chat).map(([id]) => id),
    ["cell-b"],
  );
  removeButton(chat, "cell-b").click();
  assert.deepEqual(chips(chat), []);
  assert.equal(document.activeElement, box(chat));
  chat.dispose();
});

import assert from "node:assert/strict";
import { test } from "node:test";
import type { ChatKitEvent } from "../src/protocol";
import { ThreadState } from "../src/state/thread-state";

const THREAD = {
  id: "thr_1",
  title: "Groceries",
  created_at: "2025-01-01T00:00:00Z",
  status: { type: "active" as const },
  metadata: {},
  items: { data: [], has_more: false },
};
const AT = "2025-01-01T00:00:01Z";

function userItem(id: string, text: string) {
  return {
    id,
    thread_id: "thr_1",
    created_at: AT,
    type: "user_message",
    content: [{ type: "input_text", text }],
    attachments: [],
    inference_options: {},
  };
}

function assistantItem(id: string, text: string) {
  return {
    id,
    thread_id: "thr_1",
    created_at: AT,
    type: "assistant_message",
    content: [{ type: "output_text", text, annotations: [] }],
  };
}

function delta(itemId: string, text: string): ChatKitEvent {
  return {
    type: "thread.item.updated",
    item_id: itemId,
    update: { type: "assistant_message.content_part.text_delta", content_index: 0, delta: text },
  };
}

/** A turn as the kernel streams it for `threads.create`. */
function recordedTurn(): ChatKitEvent[] {
  return [
    { type: "thread.created", thread: THREAD },
    { type: "thread.item.done", item: userItem("msg_u1", "add a task: buy milk") },
    { type: "stream_options", stream_options: { allow_cancel: true } },
    { type: "thread.item.added", item: assistantItem("msg_a1", "") },
    {
      type: "thread.item.updated",
      item_id: "msg_a1",
      update: {
        type: "assistant_message.content_part.added",
        content_index: 0,
        content: { type: "output_text", text: "", annotations: [] },
      },
    },
    delta("msg_a1", "Added "),
    delta("msg_a1", "**buy milk**"),
    delta("msg_a1", " to your"),
    delta("msg_a1", " list.\n\n"),
    delta("msg_a1", "Anything else?"),
    {
      type: "thread.item.done",
      item: assistantItem("msg_a1", "Added **buy milk** to your list.\n\nAnything else?"),
    },
    {
      type: "thread.item.done",
      item: { id: "eot_1", thread_id: "thr_1", created_at: AT, type: "end_of_turn" },
    },
  ];
}

test("a recorded create stream becomes the right items", () => {
  const state = new ThreadState();
  state.beginStream("s1");
  const pending = state.addOptimistic("s1", "add a task: buy milk");
  assert.equal(state.meta(pending).optimistic, true);

  const events = recordedTurn();
  const result = state.apply("s1", events.slice(0, 3));
  assert.equal(result.threadCreated, "thr_1");
  assert.equal(result.allowCancel, true);
  assert.equal(state.threadId, "thr_1");
  assert.equal(state.title, "Groceries");
  assert.equal(state.item(pending), undefined, "the optimistic row goes once the server confirms");

  state.apply("s1", events.slice(3, 10));
  const streaming = state.item("msg_a1");
  assert.deepEqual(streaming?.content, [
    {
      type: "output_text",
      text: "Added **buy milk** to your list.\n\nAnything else?",
      annotations: [],
    },
  ]);
  assert.equal(state.meta("msg_a1").done, false);

  state.apply("s1", events.slice(10));
  assert.equal(state.meta("msg_a1").done, true);
  assert.deepEqual(
    state.items.map((item) => [item.id, item.type]),
    [
      ["msg_u1", "user_message"],
      ["msg_a1", "assistant_message"],
      ["eot_1", "end_of_turn"],
    ],
  );
  assert.equal(state.endStream("s1", "done"), null);
});

test("changes name only the items that changed", () => {
  const state = new ThreadState();
  state.apply("s1", recordedTurn().slice(0, 5));
  const seen: string[][] = [];
  state.subscribe((change) => seen.push([...change.items]));
  state.apply("s1", [delta("msg_a1", "x")]);
  assert.deepEqual(seen, [["msg_a1"]]);
});

test("retry drops every item after the last user message, and error rows", () => {
  const state = new ThreadState();
  state.apply("s1", recordedTurn());
  state.endStream("s1", "done");
  state.apply("s2", [
    { type: "thread.item.done", item: userItem("msg_u2", "list tasks") },
    { type: "thread.item.added", item: assistantItem("msg_a2", "You have") },
    { type: "error", code: "stream.error", message: "Model failed", allow_retry: true },
  ]);
  state.endStream("s2", "error");
  const error = state.items.find((item) => item.type === "error");
  assert.equal(error?.message, "Model failed");
  assert.equal(error?.allow_retry, true);
  assert.equal(
    state.items.filter((item) => item.type === "error").length,
    1,
    "no second error row",
  );
  assert.equal(state.meta("msg_a2").stopped, true);

  assert.equal(state.prepareRetry(), "msg_u2");
  assert.deepEqual(
    state.items.map((item) => item.id),
    ["msg_u1", "msg_a1", "eot_1", "msg_u2"],
  );
});

test("a cancelled stream leaves its partial reply, marked stopped", () => {
  const state = new ThreadState();
  state.apply("s1", recordedTurn().slice(0, 7));
  state.endStream("s1", "cancelled");
  assert.equal(state.item("msg_a1")?.type, "assistant_message");
  assert.equal(state.meta("msg_a1").stopped, true);
  assert.equal(state.meta("msg_u1").stopped, false);
  assert.equal(
    state.items.some((item) => item.type === "error"),
    false,
  );
});

test("a failed stream without an error event adds an interrupted row", () => {
  const state = new ThreadState();
  state.apply("s1", recordedTurn().slice(0, 6));
  state.endStream("s1", "error");
  const error = state.items.at(-1);
  assert.equal(error?.type, "error");
  assert.equal(error?.message, "The reply was interrupted.");
  assert.equal(error?.allow_retry, true);
});

test("an unconfirmed message is handed back when its stream fails", () => {
  const state = new ThreadState();
  state.beginStream("s1");
  state.addOptimistic("s1", "hello");
  assert.equal(state.endStream("s1", "error"), "hello");
  assert.equal(
    state.items.some((item) => item.type === "user_message"),
    false,
  );
  // Whether the server holds it is unknown: no Retry (the text is back in the composer).
  assert.equal(state.items.at(-1)?.allow_retry, false);
});

test("an error marked unsent offers to send the message again, in the view that sent it", () => {
  const unsent = {
    type: "error",
    code: "custom",
    message: "host answered 503 (tried 4 times).",
    allow_retry: true,
    unsent: true,
  };
  const sender = new ThreadState();
  sender.reset("thr_1");
  sender.addOptimistic("s1", "hello");
  sender.apply("s1", [unsent]);
  assert.equal(sender.endStream("s1", "error"), "hello");
  const row = sender.items.at(-1);
  assert.equal(row?.allow_retry, true);
  assert.equal(row?.message, "host answered 503 (tried 4 times). Your message was not sent.");
  assert.equal(sender.resendText(row?.id ?? ""), "hello");

  // Another view of the same chat has no text to send: its row offers no Retry.
  const other = new ThreadState();
  other.reset("thr_1");
  other.beginStream("s1", { threadId: "thr_1" });
  other.apply("s1", [unsent]);
  other.endStream("s1", "error");
  assert.equal(other.items.at(-1)?.allow_retry, false);
  assert.equal(other.resendText(other.items.at(-1)?.id ?? ""), null);
});

test("streams of a thread no longer shown are ignored", () => {
  const state = new ThreadState();
  state.apply("s1", recordedTurn().slice(0, 4));
  state.reset(null);
  state.apply("s1", [delta("msg_a1", "late")]);
  assert.equal(state.items.length, 0);
});

test("updates for unknown items and unknown events are ignored", () => {
  const state = new ThreadState();
  state.apply("s1", [delta("nope", "x"), { type: "made.up" }]);
  assert.equal(state.items.length, 0);
});

test("later pages go after the earlier ones", () => {
  const state = new ThreadState();
  state.reset("thr_1");
  state.loadThread({
    ...THREAD,
    items: { data: [userItem("a", "1"), userItem("b", "2")], has_more: true, after: "b" },
  });
  state.loadItems([userItem("c", "3")], "b");
  assert.deepEqual(
    state.items.map((item) => item.id),
    ["a", "b", "c"],
  );
});

test("a stored reply the user stopped loads marked stopped", () => {
  const state = new ThreadState();
  state.reset("thr_1");
  state.loadThread({
    ...THREAD,
    items: {
      data: [
        userItem("u", "write a poem"),
        { ...assistantItem("a", "Roses are"), stopped: true },
        assistantItem("b", "Done."),
      ],
      has_more: false,
    },
  });
  assert.equal(state.meta("a").stopped, true);
  assert.equal(state.meta("a").done, true);
  assert.equal(state.meta("b").stopped, false);
});

test("a stream of another thread reaches no view but its own, also a New chat one", () => {
  const state = new ThreadState();
  state.beginStream("s1", { threadId: "thr_other" });
  state.apply("s1", [
    { type: "thread.item.added", item: { ...assistantItem("x", "hi"), thread_id: "thr_other" } },
    { type: "progress_update", text: "Searching" },
  ]);
  assert.equal(state.items.length, 0);
  assert.equal(state.progress, null);
  state.reset("thr_other");
  state.apply("s1", [
    { type: "thread.item.added", item: { ...assistantItem("x", "hi"), thread_id: "thr_other" } },
  ]);
  assert.deepEqual(
    state.items.map((item) => item.id),
    ["x"],
  );
});

test("a locked or closed thread keeps the server's reason, and a reset forgets it", () => {
  const state = new ThreadState();
  state.loadThread({ ...THREAD, status: { type: "locked", reason: "Archived by an admin" } });
  assert.equal(state.status, "locked");
  assert.equal(state.statusReason, "Archived by an admin");
  state.apply("s1", [
    { type: "thread.updated", thread: { ...THREAD, status: { type: "closed" } } },
  ]);
  assert.equal(state.status, "closed");
  assert.equal(state.statusReason, null);
  state.reset(null);
  assert.equal(state.status, "active");
});

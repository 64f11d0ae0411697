import assert from "node:assert/strict";
import { test } from "node:test";
import type { ChatKitEvent } from "../src/protocol";
import { ChatSession } from "../src/session";
import { FakeTransport } from "./fake-transport";

const AT = "2025-01-01T00:00:00Z";

function thread(id: string, items: object[] = []) {
  return {
    id,
    title: `Thread ${id}`,
    created_at: AT,
    status: { type: "active" },
    metadata: {},
    items: { data: items, has_more: false },
  };
}

function userItem(id: string, threadId: string, text: string) {
  return {
    id,
    thread_id: threadId,
    created_at: AT,
    type: "user_message",
    content: [{ type: "input_text", text }],
    attachments: [],
    inference_options: {},
  };
}

function assistantItem(id: string, threadId: string, text: string, extra: object = {}) {
  return {
    id,
    thread_id: threadId,
    created_at: AT,
    type: "assistant_message",
    content: [{ type: "output_text", text, annotations: [] }],
    ...extra,
  };
}

function delta(itemId: string, text: string): ChatKitEvent {
  return {
    type: "thread.item.updated",
    item_id: itemId,
    update: { type: "assistant_message.content_part.text_delta", content_index: 0, delta: text },
  };
}

function text(session: ChatSession, id: string): string | undefined {
  const content = session.state.item(id)?.content as Array<{ text: string }> | undefined;
  return content?.map((part) => part.text).join("");
}

function newSession(transport: FakeTransport) {
  const restored: string[] = [];
  const created: string[] = [];
  const session = new ChatSession(transport, {
    threadCreated: (id) => created.push(id),
    restoreText: (t) => restored.push(t),
  });
  return { session, restored, created };
}

const ADD_T = {
  type: "threads.add_user_message",
  params: { thread_id: "thr_T", input: { content: [{ type: "input_text", text: "hi" }] } },
};

test("leaving a thread mid-reply and coming back picks the reply up again", async () => {
  const transport = new FakeTransport();
  const { session } = newSession(transport);
  session.openThread("thr_T");
  session.attach();
  assert.equal(transport.resumes, 0, "the load asks for running streams once it is done");
  await transport.answerOpen(thread("thr_T"));
  assert.equal(transport.resumes, 1);

  // Python runs a turn on T; this view follows it.
  transport.start("S", ADD_T);
  transport.events("S", [
    { type: "thread.item.done", item: userItem("u1", "thr_T", "hi") },
    { type: "thread.item.added", item: assistantItem("a1", "thr_T", "") },
    delta("a1", "Hello"),
  ]);
  assert.equal(text(session, "a1"), "Hello");

  // "New chat", then Python opens T again while S still streams.
  session.openThread(null);
  assert.equal(session.state.items.length, 0);
  transport.events("S", [delta("a1", " there")]);
  assert.equal(session.state.items.length, 0, "a new chat shows nothing of another thread");
  session.openThread("thr_T");
  transport.events("S", [delta("a1", ",")]); // while loading: the item is not known yet
  // The store has the user message, not the reply still streaming.
  await transport.answerOpen(thread("thr_T", [userItem("u1", "thr_T", "hi")]));
  assert.equal(transport.resumes, 2, "every load asks for the running streams");

  // The backend replays S: a start, then its open items as they are now.
  transport.start("S", ADD_T, true);
  transport.events("S", [
    { type: "thread.item.added", item: assistantItem("a1", "thr_T", "Hello there,") },
  ]);
  transport.events("S", [delta("a1", " friend.")]);
  assert.equal(text(session, "a1"), "Hello there, friend.");
  assert.equal(session.state.meta("a1").done, false);
  transport.events("S", [
    { type: "thread.item.done", item: assistantItem("a1", "thr_T", "Hello there, friend.") },
  ]);
  transport.end("S", "done");
  assert.deepEqual(
    session.state.items.map((item) => item.id),
    ["u1", "a1"],
  );
  assert.equal(session.state.meta("a1").done, true);
  assert.equal(session.busy, false);
});

test("a late New chat view does not show the replay of another thread's stream", () => {
  const transport = new FakeTransport();
  const { session } = newSession(transport);
  session.openThread(null);
  session.attach();
  assert.equal(transport.resumes, 1, "no thread to load: resume at once");
  transport.start("S", ADD_T, true);
  transport.events("S", [
    { type: "progress_update", text: "Thinking" },
    { type: "thread.item.added", item: assistantItem("a1", "thr_T", "Partial") },
  ]);
  transport.events("S", [delta("a1", " more")]);
  assert.equal(session.state.items.length, 0);
  assert.equal(session.state.progress, null);
  assert.equal(session.busy, false, "another conversation's turn leaves this one free");
  assert.deepEqual([...session.answeringThreads], ["thr_T"]);
  transport.end("S", "error");
  assert.equal(session.state.items.length, 0, "no interrupted row for another thread's turn");
});

test("a replayed threads.create does not take over a New chat view", () => {
  const transport = new FakeTransport();
  const { session, created } = newSession(transport);
  session.attach();
  transport.start("S", { type: "threads.create", params: {} }, true);
  transport.events("S", [
    { type: "thread.item.added", item: assistantItem("a1", "thr_X", "Partial") },
  ]);
  assert.equal(session.state.items.length, 0);
  assert.deepEqual(created, []);
});

test("a thread created from this view, or announced fresh, is shown", () => {
  const transport = new FakeTransport();
  const { session, created } = newSession(transport);
  assert.equal(session.send("hello"), true);
  const own = transport.streams[0];
  assert.ok(own);
  transport.start(own.id, own.req);
  transport.events(own.id, [
    { type: "thread.created", thread: thread("thr_N") },
    { type: "thread.item.done", item: userItem("u1", "thr_N", "hello") },
    { type: "thread.item.added", item: assistantItem("a1", "thr_N", "Hi") },
  ]);
  assert.deepEqual(created, ["thr_N"]);
  assert.equal(session.state.threadId, "thr_N");
  assert.deepEqual(
    session.state.items.map((item) => item.id),
    ["u1", "a1"],
  );
  transport.end(own.id, "done");

  // Python starts a new thread: its turn replaces what this view shows.
  transport.start("P", { type: "threads.create", params: {} });
  transport.events("P", [
    { type: "thread.created", thread: thread("thr_P") },
    { type: "thread.item.done", item: userItem("u2", "thr_P", "from python") },
  ]);
  assert.equal(session.state.threadId, "thr_P");
  assert.deepEqual(
    session.state.items.map((item) => item.id),
    ["u2"],
  );
});

test("a message that failed after its view moved on is still given back", async () => {
  const transport = new FakeTransport();
  const { session, restored } = newSession(transport);
  session.openThread("thr_T");
  await transport.answerOpen(thread("thr_T"));
  assert.equal(session.send("do not lose me"), true);
  const own = transport.streams[0];
  assert.equal(own?.req.type, "threads.add_user_message");
  session.openThread(null); // "New chat" before the server confirmed the message
  transport.end(own?.id ?? "", "error");
  assert.deepEqual(restored, ["do not lose me"]);
  assert.equal(session.state.items.length, 0);
});

test("a thread a stream is creating here is adopted, not loaded; a replayed one is loaded", async () => {
  const transport = new FakeTransport();
  const { session } = newSession(transport);
  assert.equal(session.send("hello"), true);
  // Python names the new thread before its thread.created event reaches this view.
  session.openThread("thr_N");
  assert.equal(session.state.threadId, "thr_N");
  assert.equal(transport.requests.length, 0, "nothing to load: the items are arriving");
  assert.equal(session.state.items.length, 1, "the optimistic message stays");

  const late = new FakeTransport();
  const other = newSession(late);
  other.session.attach();
  late.start("S", { type: "threads.create", params: {} }, true);
  other.session.openThread("thr_N");
  assert.equal(late.requests[0]?.req.type, "threads.get_by_id");
});

test("Retry after a send the server never received sends that message again", async () => {
  const transport = new FakeTransport();
  const withdrawn: string[] = [];
  const restored: string[] = [];
  const session = new ChatSession(transport, {
    threadCreated: () => {},
    restoreText: (t) => restored.push(t),
    withdrawText: (t) => withdrawn.push(t),
  });
  session.openThread("thr_T");
  await transport.answerOpen(
    thread("thr_T", [userItem("u1", "thr_T", "first"), assistantItem("a1", "thr_T", "answer")]),
  );
  assert.equal(session.send("second question"), true);
  const failed = transport.streams[0];
  // A remote backend gave up before the server accepted the request (e.g. 503 four times).
  transport.events(failed?.id ?? "", [
    {
      type: "error",
      code: "custom",
      message: "503 (tried 4 times).",
      allow_retry: true,
      unsent: true,
    },
  ]);
  transport.end(failed?.id ?? "", "error");
  assert.deepEqual(restored, ["second question"], "nothing typed is lost");
  const error = session.state.items.at(-1);
  assert.equal(error?.type, "error");
  assert.equal(error?.allow_retry, true);

  // The reply's own Retry still regenerates it; the error row's Retry sends the message.
  session.retry(error?.id);
  // The message goes again as a new turn; the previous reply is not regenerated or removed.
  const again = transport.streams[1];
  assert.equal(again?.req.type, "threads.add_user_message");
  const params = again?.req.params as { input: { content: Array<{ text: string }> } };
  assert.equal(params.input.content[0]?.text, "second question");
  assert.deepEqual(withdrawn, ["second question"]);
  assert.deepEqual(session.state.items.map((item) => item.id).slice(0, 2), ["u1", "a1"]);
  assert.equal(
    session.state.items.some((item) => item.type === "error"),
    false,
  );
});

test("Retry after a reply failed on the server regenerates that reply", async () => {
  const transport = new FakeTransport();
  const { session } = newSession(transport);
  session.openThread("thr_T");
  await transport.answerOpen(thread("thr_T", [userItem("u1", "thr_T", "first")]));
  assert.equal(session.send("second"), true);
  const own = transport.streams[0];
  transport.events(own?.id ?? "", [
    { type: "thread.item.done", item: userItem("u2", "thr_T", "second") },
    { type: "error", code: "custom", message: "model overloaded", allow_retry: true },
  ]);
  transport.end(own?.id ?? "", "error");
  session.retry();
  const retried = transport.streams[1];
  assert.equal(retried?.req.type, "threads.retry_after_item");
  assert.deepEqual(retried?.req.params, { thread_id: "thr_T", item_id: "u2" });
});

test("a new message clears the error rows of earlier turns", async () => {
  const transport = new FakeTransport();
  const { session } = newSession(transport);
  session.openThread("thr_T");
  await transport.answerOpen(thread("thr_T", [userItem("u1", "thr_T", "first")]));
  assert.equal(session.send("second"), true);
  const failed = transport.streams[0];
  transport.events(failed?.id ?? "", [
    { type: "error", code: "custom", message: "dropped", allow_retry: true },
  ]);
  transport.end(failed?.id ?? "", "error");
  assert.equal(session.state.items.at(-1)?.type, "error");
  assert.equal(session.send("something else"), true);
  assert.equal(
    session.state.items.some((item) => item.type === "error"),
    false,
  );
});

test("a refusal of a locked thread names the message sent from Python, and goes when it reopens", async () => {
  const transport = new FakeTransport();
  const { session } = newSession(transport);
  session.openThread("thr_T");
  await transport.answerOpen({ ...thread("thr_T"), status: { type: "locked", reason: "Final" } });
  const errors = () =>
    session.state.items.filter((item) => item.type === "error").map((item) => item.message);

  transport.start("S", ADD_T);
  transport.events("S", [
    {
      type: "error",
      code: "custom",
      message: "This conversation is locked: Final",
      allow_retry: false,
    },
  ]);
  transport.end("S", "error");
  assert.deepEqual(errors(), ["This conversation is locked: Final The message “hi” was not sent."]);

  // Python reopens it: the refusal no longer applies.
  transport.changed([
    { type: "thread.updated", thread: { ...thread("thr_T"), status: { type: "active" } } },
  ]);
  assert.deepEqual(errors(), []);
  assert.equal(session.state.status, "active");

  // An error of an active thread is not the lock's: it stays.
  transport.start("S2", ADD_T);
  transport.events("S2", [
    { type: "thread.item.done", item: userItem("u1", "thr_T", "hi") },
    { type: "error", code: "custom", message: "The model failed.", allow_retry: false },
  ]);
  transport.end("S2", "error");
  assert.deepEqual(errors(), ["The model failed."], "the server had the message: no 'not sent'");
  transport.changed([
    { type: "thread.updated", thread: { ...thread("thr_T"), status: { type: "active" } } },
  ]);
  assert.deepEqual(errors(), ["The model failed."]);
});

test("busy belongs to a conversation: New chat mid-reply can send at once, and Stop stops its own", async () => {
  const transport = new FakeTransport();
  const { session } = newSession(transport);
  assert.equal(session.send("count to 150"), true);
  const first = transport.streams[0];
  assert.ok(first);
  transport.start(first.id, first.req);
  transport.events(first.id, [
    { type: "thread.created", thread: thread("thr_A") },
    { type: "thread.item.done", item: userItem("u1", "thr_A", "count to 150") },
    { type: "thread.item.added", item: assistantItem("a1", "thr_A", "1 2") },
  ]);
  assert.equal(session.busy, true);

  session.openThread(null); // New chat
  assert.equal(session.busy, false, "the new chat is not the counting one");
  assert.equal(session.canStop, false);
  transport.events(first.id, [delta("a1", " 3")]);
  assert.equal(session.state.items.length, 0, "its reply streams in its own thread, unseen here");
  assert.equal(session.send("hello"), true, "a message goes out at once");
  const second = transport.streams[1];
  assert.ok(second);
  assert.equal(session.busy, true);
  session.stop();
  assert.deepEqual(transport.cancelled, [second.id], "Stop here stops this chat's reply only");
  transport.end(second.id, "cancelled");
  assert.deepEqual([...session.answeringThreads], ["thr_A"]);

  session.openThread("thr_A");
  await transport.answerOpen(thread("thr_A", [userItem("u1", "thr_A", "count to 150")]));
  assert.equal(session.busy, true, "back in the counting thread, its turn is running");
  session.stop();
  assert.deepEqual(transport.cancelled, [second.id, first.id]);
});

test("New chat before the first reply's thread exists leaves that turn behind", () => {
  const transport = new FakeTransport();
  const { session, created } = newSession(transport);
  assert.equal(session.send("count to 150"), true);
  const first = transport.streams[0];
  assert.ok(first);
  session.openThread(null); // New chat, before thread.created arrived
  assert.equal(session.busy, false);
  assert.equal(session.state.items.length, 0, "the sent message left with its turn");
  transport.start(first.id, first.req);
  transport.events(first.id, [
    { type: "thread.created", thread: thread("thr_A") },
    { type: "thread.item.done", item: userItem("u1", "thr_A", "count to 150") },
  ]);
  assert.equal(session.state.threadId, null, "the new chat stays a new chat");
  assert.deepEqual(created, []);
  assert.equal(session.send("hello"), true);
});

import "./dom";
import assert from "node:assert/strict";
import { test } from "node:test";
import type { ChatKitEvent, ChatKitRequest, EndReason } from "../src/protocol";
import { ChatSession, EDIT_ACTION } from "../src/session";
import { ThreadState } from "../src/state/thread-state";
import type { FeedbackKind } from "../src/state/types";
import type { StreamHandle, StreamStart, Transport } from "../src/transport/types";
import type { MessageActionHandlers } from "../src/ui/actions";
import { ReplyAnnouncer } from "../src/ui/announcer";
import { AssistantMessageView, UserMessageView } from "../src/ui/items/messages";

const THREAD = "thr_1";

function user(id: string, text: string) {
  return { id, thread_id: THREAD, type: "user_message", content: [{ type: "input_text", text }] };
}

function assistant(id: string, text: string, extra: object = {}) {
  return {
    id,
    thread_id: THREAD,
    type: "assistant_message",
    content: [{ type: "output_text", text, annotations: [] }],
    ...extra,
  };
}

/** Handlers that record what the toolbar asked for. */
function recorder(features: string[] = []) {
  const calls = {
    copied: [] as string[],
    retries: 0,
    edits: [] as Array<[string, string]>,
    feedback: [] as Array<[string, FeedbackKind]>,
  };
  const handlers: MessageActionHandlers = {
    features: () => features,
    retry: () => calls.retries++,
    edit: (itemId, text) => calls.edits.push([itemId, text]),
    feedback: (itemId, kind) => calls.feedback.push([itemId, kind]),
    copy: async (text) => {
      calls.copied.push(text);
      return true;
    },
  };
  return { calls, handlers };
}

/** The row for a loaded item, rendered as the transcript would. */
function row(state: ThreadState, id: string, handlers: MessageActionHandlers): HTMLElement {
  const item = state.item(id);
  assert.ok(item, `item ${id}`);
  const ctx = { retry: handlers.retry, actions: handlers };
  const view =
    item.type === "user_message"
      ? new UserMessageView(item, ctx)
      : new AssistantMessageView(item, ctx);
  view.update(item, state.meta(id));
  return view.el;
}

function loaded(...items: object[]): ThreadState {
  const state = new ThreadState();
  state.reset(THREAD);
  state.loadItems(items as never, null);
  return state;
}

function button(el: Element, label: string): HTMLButtonElement | null {
  return el.querySelector(`button[aria-label="${label}"]`);
}

function labels(el: Element): string[] {
  return [...el.querySelectorAll(".ckw-actions button")].map(
    (b) => b.getAttribute("aria-label") ?? "",
  );
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

test("a user message offers Copy, and Edit only when the backend can edit", async () => {
  const state = loaded(user("u1", "line one\nline two"));
  const plain = recorder();
  assert.deepEqual(labels(row(state, "u1", plain.handlers)), ["Copy"]);

  const { calls, handlers } = recorder(["edit", "feedback"]);
  const el = row(state, "u1", handlers);
  assert.deepEqual(labels(el), ["Copy", "Edit"]);
  const toolbar = el.querySelector(".ckw-actions");
  assert.equal(toolbar?.getAttribute("role"), "group");
  assert.equal(toolbar?.getAttribute("aria-label"), "Message actions");

  button(el, "Copy")?.click();
  await settle();
  assert.deepEqual(calls.copied, ["line one\nline two"]);
  assert.equal(el.querySelector(".ckw-action-note")?.textContent, "Copied");

  button(el, "Edit")?.click();
  assert.deepEqual(calls.edits, [["u1", "line one\nline two"]]);
});

test("a reply offers Copy (its markdown source), Retry, and feedback when supported", async () => {
  const source = "# Title\n\nSome **bold** text";
  const state = loaded(user("u1", "hi"), assistant("a1", source));
  assert.deepEqual(labels(row(state, "a1", recorder().handlers)), ["Copy", "Retry"]);

  const { calls, handlers } = recorder(["feedback"]);
  const el = row(state, "a1", handlers);
  assert.deepEqual(labels(el), ["Copy", "Retry", "Good response", "Bad response"]);
  for (const b of el.querySelectorAll(".ckw-actions button")) {
    assert.equal(b.getAttribute("type"), "button", "never submits a form");
    assert.ok(b.getAttribute("title"), "a tooltip names it for mouse users");
  }
  button(el, "Copy")?.click();
  await settle();
  assert.deepEqual(calls.copied, [source]);
  button(el, "Retry")?.click();
  assert.equal(calls.retries, 1);
  button(el, "Bad response")?.click();
  assert.deepEqual(calls.feedback, [["a1", "negative"]]);
});

test("a failed copy says so", async () => {
  const state = loaded(user("u1", "hi"));
  const { handlers } = recorder();
  handlers.copy = async () => false;
  const el = row(state, "u1", handlers);
  button(el, "Copy")?.click();
  await settle();
  assert.equal(el.querySelector(".ckw-action-note")?.textContent, "Could not copy");
});

test("feedback shows as aria-pressed, from a loaded item and from a new rating", () => {
  const state = loaded(
    user("u1", "hi"),
    assistant("a1", "first", { feedback: "positive" }),
    assistant("a2", "second"),
  );
  const { handlers } = recorder(["feedback"]);
  const pressed = (id: string) => {
    const el = row(state, id, handlers);
    return [
      button(el, "Good response")?.getAttribute("aria-pressed"),
      button(el, "Bad response")?.getAttribute("aria-pressed"),
    ];
  };
  assert.deepEqual(pressed("a1"), ["true", "false"]);
  assert.deepEqual(pressed("a2"), ["false", "false"]);
  assert.equal(state.setFeedback("a2", "negative"), null);
  assert.deepEqual(pressed("a2"), ["false", "true"]);
  assert.equal(state.setFeedback("a2", "positive"), "negative", "returns the rating it replaced");
  assert.deepEqual(pressed("a2"), ["true", "false"]);
});

test("no toolbar on a reply still streaming or a message not yet confirmed", () => {
  const state = new ThreadState();
  state.reset(THREAD);
  state.addOptimistic("s1", "sending");
  state.apply("s1", [{ type: "thread.item.added", item: assistant("a1", "Hel") }]);
  const { handlers } = recorder(["edit", "feedback"]);
  const optimistic = state.items.find((item) => item.type === "user_message");
  assert.ok(optimistic);
  const toolbar = (id: string) =>
    row(state, id, handlers).querySelector<HTMLElement>(".ckw-actions");
  assert.equal(toolbar(optimistic.id)?.hidden, true);
  assert.equal(toolbar("a1")?.hidden, true);
  state.apply("s1", [{ type: "thread.item.done", item: assistant("a1", "Hello") }]);
  assert.equal(toolbar("a1")?.hidden, false);
});

test("prepareEdit shows the new text and drops the turns after the message", () => {
  const state = loaded(
    user("u1", "first"),
    assistant("a1", "reply one"),
    user("u2", "second"),
    assistant("a2", "reply two"),
  );
  state.addError("boom", false);
  assert.equal(state.prepareEdit("a1", "not a user message"), false);
  assert.equal(state.prepareEdit("missing", "x"), false);
  assert.equal(state.prepareEdit("u1", "first, edited"), true);
  assert.deepEqual(
    state.items.map((item) => item.id),
    ["u1"],
  );
  assert.deepEqual(state.item("u1")?.content, [{ type: "input_text", text: "first, edited" }]);
});

/** A transport the test drives: it records requests and plays the backend. */
class FakeTransport implements Transport {
  readonly requests: Array<{
    req: ChatKitRequest;
    resolve(v: unknown): void;
    reject(e: Error): void;
  }> = [];
  readonly streams: Array<{ id: string; req: ChatKitRequest }> = [];
  private seq = 0;
  private readonly eventCbs: Array<(id: string, events: ChatKitEvent[]) => void> = [];
  private readonly endCbs: Array<(id: string, reason: EndReason) => void> = [];

  request(req: ChatKitRequest): Promise<unknown> {
    return new Promise((resolve, reject) => this.requests.push({ req, resolve, reject }));
  }
  stream(req: ChatKitRequest): StreamHandle {
    const id = `own_${++this.seq}`;
    this.streams.push({ id, req });
    return { id, cancel: () => {}, done: new Promise<EndReason>(() => {}) };
  }
  cancel(): void {}
  resume(): void {}
  onStream(_cb: (start: StreamStart) => void): () => void {
    return () => {};
  }
  onEvents(cb: (id: string, events: ChatKitEvent[]) => void): () => void {
    this.eventCbs.push(cb);
    return () => {};
  }
  onEnd(cb: (id: string, reason: EndReason) => void): () => void {
    this.endCbs.push(cb);
    return () => {};
  }
  dispose(): void {}
  events(id: string, events: ChatKitEvent[]): void {
    for (const cb of this.eventCbs) cb(id, events);
  }
  end(id: string, reason: EndReason): void {
    for (const cb of this.endCbs) cb(id, reason);
  }
}

function sessionWith(...items: object[]) {
  const transport = new FakeTransport();
  const restored: Array<[string, string]> = [];
  const session = new ChatSession(transport, {
    threadCreated() {},
    restoreText() {},
    restoreEdit: (itemId, text) => restored.push([itemId, text]),
  });
  session.state.reset(THREAD);
  session.state.loadItems(items as never, null);
  return { transport, session, restored };
}

test("an edit sends the custom action and follows the server's rewrite of the thread", () => {
  const { transport, session, restored } = sessionWith(
    user("u1", "first"),
    assistant("a1", "reply one"),
    user("u2", "second"),
    assistant("a2", "reply two"),
  );
  assert.equal(session.edit("u1", "first, edited"), true);
  assert.equal(transport.streams.length, 1);
  const sent = transport.streams[0];
  assert.deepEqual(sent?.req, {
    type: "threads.custom_action",
    params: {
      thread_id: THREAD,
      item_id: null,
      action: { type: EDIT_ACTION, payload: { item_id: "u1", text: "first, edited" } },
    },
  });
  assert.deepEqual(
    session.state.items.map((item) => item.id),
    ["u1"],
    "the later items leave at once",
  );
  assert.equal(session.edit("u1", "again"), false, "not while the edit runs");

  const id = sent?.id as string;
  transport.events(id, [
    ...["a1", "u2", "a2"].map((item_id) => ({ type: "thread.item.removed", item_id })),
    { type: "thread.item.replaced", item: user("u1", "first, edited") },
    { type: "thread.item.added", item: assistant("a3", "") },
    { type: "thread.item.done", item: assistant("a3", "a new reply") },
  ]);
  transport.end(id, "done");
  assert.deepEqual(
    session.state.items.map((item) => item.id),
    ["u1", "a3"],
  );
  assert.deepEqual(restored, []);
  assert.equal(transport.requests.length, 0, "no reload after a good edit");
});

test("an edit the server never applied reloads the thread and gives the text back", () => {
  const { transport, session, restored } = sessionWith(
    user("u1", "first"),
    assistant("a1", "reply one"),
  );
  session.edit("u1", "edited");
  const id = transport.streams[0]?.id as string;
  transport.events(id, [{ type: "error", message: "no such action", allow_retry: false }]);
  transport.end(id, "done");
  assert.deepEqual(restored, [["u1", "edited"]]);
  assert.equal(transport.requests[0]?.req.type, "threads.get_by_id", "shows the thread as stored");
});

test("an edit whose reply fails after the server applied it keeps the edit", () => {
  const { transport, session, restored } = sessionWith(
    user("u1", "first"),
    assistant("a1", "reply one"),
  );
  session.edit("u1", "edited");
  const id = transport.streams[0]?.id as string;
  transport.events(id, [
    { type: "thread.item.removed", item_id: "a1" },
    { type: "thread.item.replaced", item: user("u1", "edited") },
  ]);
  transport.end(id, "error");
  assert.deepEqual(restored, []);
  assert.equal(transport.requests.length, 0);
  assert.equal(session.state.items.at(-1)?.type, "error", "the usual error row, with Retry");
});

test("feedback is sent, shown at once, and put back when the server refuses", async () => {
  const { transport, session } = sessionWith(user("u1", "hi"), assistant("a1", "hello"));
  const ok = session.feedback("a1", "positive");
  assert.equal(session.state.meta("a1").feedback, "positive", "shown before the answer");
  assert.deepEqual(transport.requests[0]?.req, {
    type: "items.feedback",
    params: { thread_id: THREAD, item_ids: ["a1"], kind: "positive" },
  });
  transport.requests.shift()?.resolve({});
  await ok;
  assert.equal(session.state.meta("a1").feedback, "positive");

  const refused = session.feedback("a1", "negative");
  assert.equal(session.state.meta("a1").feedback, "negative");
  transport.requests.shift()?.reject(new Error("store is read-only"));
  await refused;
  assert.equal(session.state.meta("a1").feedback, "positive");
  const error = session.state.items.at(-1);
  assert.equal(error?.type, "error");
  assert.match(String(error?.message), /store is read-only/);
});

test("a reply is announced once, when it completes, with its text and not its markup", async () => {
  const nextTask = () => new Promise((resolve) => setTimeout(resolve, 0));
  const state = new ThreadState();
  state.reset(THREAD);
  const announcer = new ReplyAnnouncer(state);
  assert.equal(announcer.el.getAttribute("aria-live"), "polite");
  const said: string[] = [];
  const original = announcer.announce.bind(announcer);
  announcer.announce = (text) => {
    said.push(text);
    original(text);
  };
  state.loadItems([user("u1", "hi"), assistant("old", "loaded earlier")] as never, null);
  state.apply("s1", [{ type: "thread.item.added", item: assistant("a1", "") }]);
  for (const delta of ["Some ", "**bold** ", "words"]) {
    state.apply("s1", [
      {
        type: "thread.item.updated",
        item_id: "a1",
        update: { type: "assistant_message.content_part.text_delta", content_index: 0, delta },
      },
    ]);
  }
  assert.deepEqual(said, [], "nothing per delta, nothing for loaded replies");
  state.apply("s1", [{ type: "thread.item.done", item: assistant("a1", "Some **bold** words") }]);
  state.endStream("s1", "done");
  assert.deepEqual(said, [], "not in the task that ends the reply (it renders its last blocks)");
  await nextTask();
  assert.deepEqual(said, ["Some bold words"]);
  assert.equal(announcer.el.textContent, "Some bold words");

  state.apply("s2", [{ type: "thread.item.added", item: assistant("a2", "1 2 3") }]);
  state.endStream("s2", "cancelled");
  await nextTask();
  assert.deepEqual(said, ["Some bold words", "1 2 3 (stopped)"]);

  // A code block's Copy button and KaTeX's visual copy of the math are not read out.
  const text = "Run:\n\n```bash\nls\n```\n\nso $x^2$ grows";
  state.apply("s3", [{ type: "thread.item.added", item: assistant("a3", "") }]);
  state.apply("s3", [{ type: "thread.item.done", item: assistant("a3", text) }]);
  await nextTask();
  const last = String((said as string[]).at(-1));
  assert.equal(last.includes("Copy"), false, last);
  assert.equal(last.match(/x/g)?.length, 1, last);

  // A long reply: its opening (about 300 characters, whole words) and its length, not all of it.
  const long = `The **short** answer first.\n\n${"Then many more words follow here. ".repeat(2000)}`;
  state.apply("s4", [{ type: "thread.item.added", item: assistant("a4", "") }]);
  state.apply("s4", [{ type: "thread.item.done", item: assistant("a4", long) }]);
  await nextTask();
  const opening = String(said.at(-1));
  assert.match(opening, /^The short answer first\. Then many more words follow here\. Then /);
  assert.match(opening, /here\.… \(12,004 words; the whole reply is in the conversation\)$/);
  assert.ok(opening.length < 400, opening);
  announcer.dispose();
});

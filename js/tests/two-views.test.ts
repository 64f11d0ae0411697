import assert from "node:assert/strict";
import { test } from "node:test";
import type { AnyModel } from "@anywidget/types";
import { commChannel } from "../src/anywidget/model-sync";
import { ChatSession } from "../src/session";
import { EnvelopeTransport } from "../src/transport/envelope";

/** Like an ipywidgets model: one msg:custom object is handed to every listener (every view). */
class SharedModel {
  private listeners: Array<(msg: unknown) => void> = [];
  on(_name: string, cb: (msg: unknown) => void): void {
    this.listeners.push(cb);
  }
  off(_name: string, cb: (msg: unknown) => void): void {
    this.listeners = this.listeners.filter((listener) => listener !== cb);
  }
  send(): void {}
  deliver(msg: unknown): void {
    for (const cb of [...this.listeners]) cb(msg);
  }
}

const THREAD = "thr_T";
const ADD = { type: "threads.add_user_message", params: { thread_id: THREAD, input: {} } };

function view(model: SharedModel): ChatSession {
  const session = new ChatSession(
    new EnvelopeTransport(commChannel(model as unknown as AnyModel)),
    {
      threadCreated() {},
      restoreText() {},
    },
  );
  session.state.reset(THREAD); // the thread is shown and loaded
  return session;
}

function text(session: ChatSession, id: string): string {
  const content = session.state.item(id)?.content as Array<{ text: string }> | undefined;
  return (content ?? []).map((part) => part.text).join("");
}

test("two views of one widget apply each delta once (events are shared objects)", () => {
  const model = new SharedModel();
  const first = view(model);
  const second = view(model);
  model.deliver({ kind: "start", id: "S", request: ADD });
  const item = {
    id: "a1",
    thread_id: THREAD,
    created_at: "2026-01-01T00:00:00Z",
    type: "assistant_message",
    content: [{ type: "output_text", text: "", annotations: [] }],
  };
  model.deliver({ kind: "event", id: "S", events: [{ type: "thread.item.added", item }] });
  for (const delta of ["Hel", "lo"]) {
    const update = { type: "assistant_message.content_part.text_delta", content_index: 0, delta };
    model.deliver({
      kind: "event",
      id: "S",
      events: [{ type: "thread.item.updated", item_id: "a1", update }],
    });
  }
  model.deliver({ kind: "end", id: "S", reason: "cancelled" }); // Stop: no item.done follows
  assert.equal(text(first, "a1"), "Hello");
  assert.equal(text(second, "a1"), "Hello");
});

test("a rename or a rating made in one view reaches the other (the `changed` envelope)", () => {
  const model = new SharedModel();
  const first = view(model);
  const second = view(model);
  const reply = {
    id: "a1",
    thread_id: THREAD,
    created_at: "2026-01-01T00:00:00Z",
    type: "assistant_message",
    content: [{ type: "output_text", text: "Hi", annotations: [] }],
  };
  for (const session of [first, second]) session.state.loadItems([reply], null);
  assert.equal(second.state.meta("a1").feedback, null);

  const rated = { ...reply, feedback: "negative" };
  const renamed = { id: THREAD, title: "Renamed", created_at: reply.created_at, status: {} };
  model.deliver({
    kind: "changed",
    id: "R",
    events: [
      { type: "thread.item.replaced", item: rated },
      { type: "thread.updated", thread: renamed },
    ],
  });
  for (const session of [first, second]) {
    assert.equal(session.state.meta("a1").feedback, "negative");
    assert.equal(session.state.meta("a1").done, true, "a finished reply stays finished");
    assert.equal(session.state.title, "Renamed");
    assert.equal(session.busy, false, "nothing runs");
  }
  // A change to a thread a view is not showing leaves it alone.
  const other = { id: "thr_other", title: "Elsewhere", created_at: reply.created_at, status: {} };
  model.deliver({ kind: "changed", id: "R2", events: [{ type: "thread.updated", thread: other }] });
  assert.equal(first.state.title, "Renamed");
});

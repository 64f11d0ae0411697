// Human approval of tool calls: the row's buttons, and the session's decisions.
import "./dom";
import assert from "node:assert/strict";
import { test } from "node:test";
import type { ThreadItem } from "../src/chatkit/types";
import { ChatSession } from "../src/session";
import { newMeta } from "../src/state/types";
import { createClientToolCallView, createTaskView } from "../src/ui/items/task";
import type { Decision, DecisionOptions } from "../src/ui/items/tool-row";
import type { RowContext } from "../src/ui/items/types";
import { FakeTransport } from "./fake-transport";
import { toolItem } from "./tool-items";

type Call = [string, Decision, DecisionOptions | undefined];

function row(item: ThreadItem, deciding: (callId: string) => boolean = () => false) {
  const calls: Call[] = [];
  const ctx: RowContext = {
    retry() {},
    decide: (callId, decision, options) => void calls.push([callId, decision, options]),
    deciding,
  };
  const view = createTaskView(item, ctx);
  view.update(item, newMeta());
  document.body.append(view.el);
  const buttons = () => [...view.el.querySelectorAll<HTMLButtonElement>("button")];
  const named = (name: string) => {
    const button = buttons().find((b) => b.textContent === name);
    assert.ok(button, `a ${name} button`);
    return button;
  };
  return { view, calls, buttons, named };
}

const statusText = (el: HTMLElement) => el.querySelector(".ckw-tool-status")?.textContent;

test("a call waiting for approval shows its arguments and exactly Approve, Always allow, Deny", () => {
  const { view, buttons, named } = row(toolItem("tool_1", "approval"));
  assert.equal(view.el.dataset.status, "approval");
  assert.ok(view.el.classList.contains("ckw-row"));
  assert.equal(statusText(view.el), "Waiting for approval");
  const details = view.el.querySelector("details");
  assert.equal(details?.open, true, "the arguments show without expanding");
  assert.match(details?.textContent ?? "", /buy milk/);
  assert.deepEqual(
    buttons().map((b) => b.textContent),
    ["Approve", "Always allow", "Deny"],
  );
  for (const button of buttons()) {
    assert.equal(button.type, "button");
    assert.equal(button.closest("details"), null, "visible without expanding");
    assert.equal(button.getAttribute("aria-label"), null, "named by its text");
  }
  assert.equal(named("Always allow").title, "Always allow this tool in this conversation");
  const group = view.el.querySelector(".ckw-approval");
  assert.equal(group?.getAttribute("role"), "group");
  assert.match(group?.getAttribute("aria-label") ?? "", /add_task/);
});

test("a tool that asks every time offers no Always allow", () => {
  const item = toolItem("tool_1", "approval", { name: "run_cell", ask_every_time: true });
  const { buttons } = row(item);
  assert.deepEqual(
    buttons()
      .filter((b) => !b.hidden)
      .map((b) => b.textContent),
    ["Approve", "Deny"],
  );
});

test("each button sends its decision once, then all are disabled until the row changes", () => {
  const cases: Array<[string, Call]> = [
    ["Approve", ["call_1", "approve", undefined]],
    ["Always allow", ["call_1", "approve", { always: true }]],
    ["Deny", ["call_1", "deny", undefined]],
  ];
  for (const [name, expected] of cases) {
    const { calls, buttons, named } = row(toolItem("tool_1", "approval"));
    named(name).click();
    named(name).click(); // disabled: no second decision
    assert.deepEqual(calls, [expected], name);
    assert.ok(
      buttons().every((b) => b.disabled),
      `${name}: all buttons wait`,
    );
  }
});

test("a waiting row drawn again works again, unless its decision is still on its way", () => {
  let onItsWay = true;
  const item = toolItem("tool_1", "approval");
  const { view, buttons, named } = row(item, () => onItsWay);
  named("Approve").click();
  view.update(item, newMeta());
  assert.ok(
    buttons().every((b) => b.disabled),
    "still deciding",
  );
  onItsWay = false; // the decision did not go through
  view.update(item, newMeta());
  assert.ok(buttons().every((b) => !b.disabled));
});

test("a decided row drops its buttons and folds its arguments away", () => {
  const { view, buttons, named } = row(toolItem("tool_1", "approval"));
  named("Approve").focus();
  view.update(toolItem("tool_1", "pending"), newMeta());
  assert.deepEqual(buttons(), []);
  assert.equal(view.el.dataset.status, "pending");
  assert.equal(view.el.querySelector("details")?.open, false);
  assert.ok(view.el.contains(document.activeElement), "focus stays in the row");
});

test("a denied call says so, with the reason", () => {
  const item = toolItem("tool_1", "denied", { error: "Denied by the user." });
  const { view, buttons } = row(item);
  assert.equal(view.el.dataset.status, "denied");
  assert.equal(statusText(view.el), "Denied");
  assert.deepEqual(buttons(), []);
  const labels = [...view.el.querySelectorAll(".ckw-tool-label")].map((l) => l.textContent);
  assert.deepEqual(labels, ["Arguments", "Reason"]);
  assert.match(view.el.textContent ?? "", /Denied by the user\./);
  assert.ok(view.el.querySelector(".ckw-status-denied svg"), "a ban icon");
});

test("parallel waiting calls each have their own buttons", () => {
  const first = row(toolItem("tool_1", "approval"));
  const second = row(toolItem("tool_2", "approval", { call_id: "call_2" }));
  second.named("Deny").click();
  assert.deepEqual(second.calls, [["call_2", "deny", undefined]]);
  assert.deepEqual(first.calls, []);
  assert.ok(first.buttons().every((b) => !b.disabled));
});

test("client tool calls and rows without a decide handler never show buttons", () => {
  const item = toolItem("tool_1", "approval");
  const bare = createTaskView(item);
  bare.update(item, newMeta());
  assert.equal(bare.el.dataset.status, "approval");
  assert.equal(bare.el.querySelector("button"), null);
  const call = {
    id: "ctc_1",
    thread_id: "thr_1",
    created_at: "2026-01-02T03:04:05Z",
    type: "client_tool_call",
    call_id: "call_9",
    name: "read_cell",
    arguments: {},
    status: "pending",
  };
  const client = createClientToolCallView(call);
  client.update(call, newMeta());
  assert.equal(client.el.querySelector("button"), null);
});

// The session: decisions as ChatKit custom actions.

function waitingSession(items: ThreadItem[] = [toolItem("tool_1", "approval")]) {
  const transport = new FakeTransport();
  const session = new ChatSession(transport, { threadCreated() {}, restoreText() {} });
  session.state.reset("thr_1");
  session.state.loadItems(items, null);
  return { transport, session };
}

function approval(payload: object) {
  return {
    type: "threads.custom_action",
    params: {
      thread_id: "thr_1",
      item_id: null,
      action: { type: "chatkit_widget.approval", payload },
    },
  };
}

test("the session knows which calls wait, from the open thread's tool rows", () => {
  const { session } = waitingSession([
    toolItem("tool_1", "approval"),
    toolItem("tool_2", "success", { call_id: "call_2", output: "ok" }),
    toolItem("tool_3", "approval", { call_id: "call_3" }),
  ]);
  assert.equal(session.waiting, true);
  assert.deepEqual(
    [...session.waitingCalls],
    [
      ["call_1", "tool_1"],
      ["call_3", "tool_3"],
    ],
  );
  assert.equal(session.canStop, true, "Stop ends a turn that waits");
  session.state.reset("thr_2");
  assert.equal(session.waiting, false);
  assert.equal(session.canStop, false);
  session.dispose();
});

test("decide starts a decision stream; a call that does not wait is refused", () => {
  const { transport, session } = waitingSession();
  assert.equal(session.decide("call_9", "approve"), false);
  assert.equal(transport.streams.length, 0);
  assert.equal(session.decide("call_1", "deny", { reason: "not now" }), true);
  assert.deepEqual(
    transport.streams[0]?.req,
    approval({ call_id: "call_1", decision: "deny", reason: "not now" }),
  );
  assert.equal(session.busy, true, "a decision stream is a stream like any other");
  assert.equal(session.deciding("call_1"), true);
  transport.end(transport.streams[0]?.id ?? "", "done");
  assert.equal(session.busy, false);
  assert.equal(session.deciding("call_1"), false);
  session.dispose();
});

test("a decision that leaves its call waiting draws the row again", () => {
  const { transport, session } = waitingSession();
  const redrawn: string[] = [];
  session.state.subscribe((change) => redrawn.push(...change.items));
  session.decide("call_1", "approve");
  transport.end(transport.streams[0]?.id ?? "", "error");
  assert.ok(redrawn.includes("tool_1"), "its buttons work again");
  session.dispose();
});

test("a decision made while a stream runs is sent once it ends, unless decided meanwhile", () => {
  const { transport, session } = waitingSession([
    toolItem("tool_1", "approval"),
    toolItem("tool_2", "approval", { call_id: "call_2" }),
    toolItem("tool_3", "approval", { call_id: "call_3" }),
  ]);
  session.decide("call_1", "approve", { always: true });
  assert.equal(session.decide("call_2", "deny"), true, "queued");
  assert.equal(session.decide("call_3", "approve"), true, "queued");
  assert.equal(transport.streams.length, 1, "one decision at a time");
  assert.equal(session.deciding("call_3"), true);
  // Always allow answered call_2 too (same tool).
  const first = transport.streams[0]?.id ?? "";
  transport.events(first, [
    { type: "thread.item.done", item: toolItem("tool_1", "pending") },
    { type: "thread.item.done", item: toolItem("tool_2", "pending", { call_id: "call_2" }) },
  ]);
  transport.end(first, "done");
  assert.equal(transport.streams.length, 2);
  assert.deepEqual(transport.streams[1]?.req, approval({ call_id: "call_3", decision: "approve" }));
  session.dispose();
});

test("Stop with calls waiting and no stream ends the turn; with a stream, cancels it", () => {
  const { transport, session } = waitingSession();
  session.stop();
  assert.deepEqual(transport.streams[0]?.req, approval({ decision: "stop" }));
  assert.deepEqual(transport.cancelled, []);

  const running = waitingSession();
  running.session.decide("call_1", "approve");
  const id = running.transport.streams[0]?.id ?? "";
  running.session.stop();
  assert.deepEqual(running.transport.cancelled, [id], "the running stream is cancelled");
  assert.equal(running.transport.streams.length, 1, "no stop action");
  for (const s of [session, running.session]) s.dispose();
});

test("a queued decision still goes out after the user moves to another conversation", () => {
  const { transport, session } = waitingSession([
    toolItem("tool_1", "approval"),
    toolItem("tool_2", "approval", { call_id: "call_2", name: "remove_task" }),
  ]);
  session.decide("call_1", "approve");
  assert.equal(session.decide("call_2", "deny"), true, "queued");
  session.openThread(null);
  session.stop(); // Stop on the new chat is not about the other conversation's decisions
  assert.deepEqual(transport.cancelled, []);
  transport.end(transport.streams[0]?.id ?? "", "done");
  assert.equal(transport.streams.length, 2);
  assert.deepEqual(transport.streams[1]?.req, approval({ call_id: "call_2", decision: "deny" }));
  session.dispose();
});

test("Stop drops decisions not sent yet", () => {
  const { transport, session } = waitingSession([
    toolItem("tool_1", "approval"),
    toolItem("tool_2", "approval", { call_id: "call_2", name: "remove_task" }),
  ]);
  session.decide("call_1", "approve");
  session.decide("call_2", "approve");
  session.stop();
  assert.equal(session.deciding("call_2"), false);
  transport.end(transport.streams[0]?.id ?? "", "cancelled");
  assert.equal(transport.streams.length, 1, "the queued decision is not sent");
  session.dispose();
});

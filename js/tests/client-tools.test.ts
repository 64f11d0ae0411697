import "./frames";
import assert from "node:assert/strict";
import { test } from "node:test";
import { type ClientToolCall, createChat } from "../src/chat";
import type { ChatKitEvent, ChatKitRequest } from "../src/protocol";
import { FakeTransport, settle } from "./fake-transport";

// Client tools the host answers (the sidebar's notebook tools): a turn this view started ends
// on a pending call, the host runs it, and its result continues the turn as a new stream.
const nextFrame = () => new Promise((resolve) => setTimeout(resolve, 0));

const AT = "2026-01-01T00:00:00Z";
const THREAD = "thr_1";

/** A call the host is running: the test settles it. */
interface HostRun {
  call: ClientToolCall;
  resolve(result: unknown): void;
  reject(err: Error): void;
}

function mount(answers = true) {
  const element = document.createElement("div");
  document.body.append(element);
  const transport = new FakeTransport();
  const runs: HostRun[] = [];
  const clientTool = (call: ClientToolCall) =>
    new Promise<unknown>((resolve, reject) => runs.push({ call, resolve, reject }));
  const chat = createChat(element, {
    transport,
    callbacks: answers ? { clientTool } : {},
  });
  const row = (id: string) => chat.root.querySelector<HTMLElement>(`[data-item-id="${id}"]`);
  const state = () => ({
    busy: chat.root.dataset.busy === "true",
    stopShown: !(chat.root.querySelector(".ckw-stop") as HTMLElement).hidden,
    working: (chat.root.querySelector(".ckw-working") as HTMLElement).hidden
      ? null
      : chat.root.querySelector(".ckw-working")?.textContent,
  });
  return { transport, runs, chat, row, state };
}

function callItem(id: string, callId: string, extra: Record<string, unknown> = {}) {
  return {
    id,
    thread_id: THREAD,
    created_at: AT,
    type: "client_tool_call",
    status: "pending",
    call_id: callId,
    name: "insert_cell",
    arguments: { source: "x = 1" },
    ...extra,
  };
}

function turnEvents(callId: string, itemId = `tc_${callId}`): ChatKitEvent[] {
  const thread = { id: THREAD, title: null, created_at: AT, status: { type: "active" } };
  return [
    { type: "thread.created", thread: { ...thread, items: { data: [], has_more: false } } },
    {
      type: "thread.item.done",
      item: {
        id: "u1",
        thread_id: THREAD,
        created_at: AT,
        type: "user_message",
        content: [{ type: "input_text", text: "add a cell" }],
        attachments: [],
        inference_options: {},
      },
    },
    { type: "thread.item.added", item: callItem(itemId, callId) },
    { type: "thread.item.done", item: callItem(itemId, callId) },
  ];
}

/** Send a message whose turn ends on a pending call to `insert_cell`. */
async function turnEndingOnCall(mounted: ReturnType<typeof mount>, callId = "call_1") {
  const { chat, transport } = mounted;
  const box = chat.root.querySelector("textarea") as HTMLTextAreaElement;
  box.value = "add a cell";
  box.dispatchEvent(new window.KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
  const stream = transport.streams.at(-1);
  assert.ok(stream, "the message went out");
  transport.start(stream.id, stream.req);
  transport.events(stream.id, turnEvents(callId));
  transport.end(stream.id, "done");
  await settle();
  await nextFrame();
  return stream;
}

function toolOutput(threadId: string, result: unknown): ChatKitRequest {
  return { type: "threads.add_client_tool_output", params: { thread_id: threadId, result } };
}

test("a turn ending on a pending client call: the host runs it, its result continues the turn", async () => {
  const mounted = mount();
  const { transport, runs, chat, row, state } = mounted;
  await turnEndingOnCall(mounted);
  assert.deepEqual(
    runs.map((run) => run.call),
    [{ threadId: THREAD, callId: "call_1", name: "insert_cell", arguments: { source: "x = 1" } }],
  );
  assert.deepEqual(
    state(),
    { busy: true, stopShown: true, working: "Working…Running insert_cell" },
    "busy while the host runs it, and the indicator says what runs",
  );
  assert.equal(row("tc_call_1")?.dataset.status, "pending", "its row shows it running");
  assert.equal(transport.streams.length, 1, "nothing is sent before the host answers");

  runs[0]?.resolve({ cell: 3 });
  await settle();
  await nextFrame();
  const followUp = transport.streams[1];
  assert.ok(followUp, "the result went out");
  assert.deepEqual(followUp.req, toolOutput(THREAD, { cell: 3 }));
  assert.equal(row("tc_call_1")?.dataset.status, "success", "the row shows it done");
  assert.equal(state().busy, true, "the follow-up stream is tracked like any turn");

  transport.end(followUp.id, "done");
  await settle();
  assert.equal(state().busy, false);
  assert.equal(runs.length, 1, "answered once");
  assert.equal(transport.streams.length, 2);
  chat.dispose();
});

test("a continued turn can end on another call, which is answered in turn", async () => {
  const mounted = mount();
  const { transport, runs, chat } = mounted;
  await turnEndingOnCall(mounted);
  runs[0]?.resolve("ok");
  await settle();
  const second = transport.streams[1];
  assert.ok(second);
  transport.start(second.id, second.req);
  transport.events(second.id, [
    {
      type: "thread.item.replaced",
      item: callItem("tc_call_1", "call_1", { status: "completed", output: "ok" }),
    },
    { type: "thread.item.done", item: callItem("tc_call_2", "call_2", { name: "run_cell" }) },
  ]);
  transport.end(second.id, "done");
  await settle();
  assert.deepEqual(
    runs.map((run) => [run.call.callId, run.call.name]),
    [
      ["call_1", "insert_cell"],
      ["call_2", "run_cell"],
    ],
  );
  runs[1]?.resolve({ outputs: [] });
  await settle();
  assert.deepEqual(
    transport.streams.map(({ req }) => req.type),
    ["threads.create", "threads.add_client_tool_output", "threads.add_client_tool_output"],
  );
  assert.deepEqual(transport.streams[2]?.req, toolOutput(THREAD, { outputs: [] }));
  chat.dispose();
});

test("a host that fails the call tells the model {error}", async () => {
  const mounted = mount();
  const { transport, runs, chat, row } = mounted;
  await turnEndingOnCall(mounted);
  runs[0]?.reject(new Error("No notebook is open."));
  await settle();
  await nextFrame();
  assert.deepEqual(
    transport.streams[1]?.req,
    toolOutput(THREAD, { error: "No notebook is open." }),
  );
  assert.equal(row("tc_call_1")?.dataset.status, "error", "the row shows the failure");
  chat.dispose();
});

test("without a clientTool callback nothing is answered", async () => {
  const mounted = mount(false);
  const { transport, chat, state } = mounted;
  await turnEndingOnCall(mounted);
  assert.equal(transport.streams.length, 1, "no output was sent");
  assert.equal(state().busy, false);
  chat.dispose();
});

test("only the view that started the stream answers: not a replay, not another view's turn", async () => {
  const { transport, runs, chat, state } = mount();
  const request: ChatKitRequest = {
    type: "threads.create",
    params: { input: { content: [{ type: "input_text", text: "add a cell" }] } },
  };
  // A turn replayed for this view (it re-rendered mid-turn), and one another tab started.
  transport.start("kernel_7", request, true);
  transport.events("kernel_7", turnEvents("call_1"));
  transport.end("kernel_7", "done");
  transport.start("tab_2", request);
  transport.events("tab_2", turnEvents("call_2", "tc_other"));
  transport.end("tab_2", "done");
  await settle();
  assert.deepEqual(runs, [], "the host was not asked");
  assert.deepEqual(transport.streams, [], "nothing was sent");
  assert.equal(state().busy, false);
  chat.dispose();
});

test("a turn this tab started before a reload, reattached, is still answered here", async () => {
  const { transport, runs, chat } = mount();
  const request: ChatKitRequest = {
    type: "threads.add_user_message",
    params: { thread_id: THREAD, input: { content: [] } },
  };
  transport.start("before_reload", request, true, true);
  transport.events("before_reload", turnEvents("call_1"));
  transport.end("before_reload", "done");
  await settle();
  assert.deepEqual(
    runs.map((run) => run.call.callId),
    ["call_1"],
  );
  runs[0]?.resolve("ok");
  await settle();
  assert.deepEqual(transport.streams[0]?.req, toolOutput(THREAD, "ok"));
  chat.dispose();
});

test("a stream that ends early, or goes on after the call, leaves it unanswered", async () => {
  const { transport, runs, chat } = mount();
  const box = chat.root.querySelector("textarea") as HTMLTextAreaElement;
  box.value = "add a cell";
  box.dispatchEvent(new window.KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
  const first = transport.streams[0];
  assert.ok(first);
  transport.events(first.id, turnEvents("call_1"));
  transport.end(first.id, "cancelled");
  await settle();
  assert.deepEqual(runs, [], "a stopped turn does not run its call");

  box.value = "again";
  box.dispatchEvent(new window.KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
  const second = transport.streams[1];
  assert.ok(second);
  const reply = {
    id: "a1",
    thread_id: THREAD,
    created_at: AT,
    type: "assistant_message",
    content: [{ type: "output_text", text: "Done.", annotations: [] }],
  };
  transport.events(second.id, [
    { type: "thread.item.done", item: callItem("tc_call_2", "call_2") },
    { type: "thread.item.done", item: reply },
  ]);
  transport.end(second.id, "done");
  await settle();
  assert.deepEqual(runs, [], "the turn did not end on the call");
  chat.dispose();
});

test("Stop while the host runs the call: no output is sent, the chat is idle, the row stopped", async () => {
  const mounted = mount();
  const { transport, runs, chat, row, state } = mounted;
  await turnEndingOnCall(mounted);
  const stop = chat.root.querySelector<HTMLButtonElement>(".ckw-stop");
  assert.ok(stop && !stop.hidden, "Stop is offered while the call runs");
  stop.click();
  await nextFrame();
  assert.deepEqual(state(), { busy: false, stopShown: false, working: null });
  const stopped = row("tc_call_1");
  assert.equal(stopped?.dataset.status, "error", "the row no longer spins");
  assert.match(stopped?.textContent ?? "", /Stopped/);

  runs[0]?.resolve({ cell: 3 });
  await settle();
  assert.equal(transport.streams.length, 1, "the late result is dropped");
  assert.deepEqual(transport.cancelled, [], "no stream ran to cancel");
  chat.dispose();
});

test("an output the transport refuses shows as an error and leaves the chat idle", async () => {
  const mounted = mount();
  const { transport, runs, chat, state } = mounted;
  await turnEndingOnCall(mounted);
  transport.stream = () => {
    throw new Error("the server is gone");
  };
  runs[0]?.resolve("ok");
  await settle();
  await nextFrame();
  assert.match(
    chat.root.querySelector('[data-item-type="error"]')?.textContent ?? "",
    /Could not send: the server is gone/,
  );
  assert.equal(state().busy, false);
  chat.dispose();
});

test("a client tool runs for its own conversation: New chat is free and its Stop leaves the tool be", async () => {
  const mounted = mount();
  const { transport, runs, chat, state } = mounted;
  await turnEndingOnCall(mounted);
  assert.equal(state().busy, true);
  chat.root.querySelector<HTMLButtonElement>("[aria-label='New chat']")?.click();
  await nextFrame();
  assert.deepEqual(state(), { busy: false, stopShown: false, working: null });
  chat.root.dispatchEvent(new window.KeyboardEvent("keydown", { key: "Escape", bubbles: true }));
  const run = runs[0];
  assert.ok(run);
  run.resolve({ ok: true });
  await settle();
  const output = transport.streams.at(-1)?.req;
  assert.deepEqual(output, toolOutput(THREAD, { ok: true }), "its result still goes back");
});

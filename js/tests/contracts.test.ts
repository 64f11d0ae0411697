// The contracts Python and TypeScript share, read from the golden files in ../tests/contracts/
// (tests/test_contracts.py reads the same files, so changing one side alone fails a test).
import "./dom";
import assert from "node:assert/strict";
import { test } from "node:test";
import customActions from "../../tests/contracts/custom-actions.json";
import toBrowser from "../../tests/contracts/envelopes-to-browser.json";
import toKernel from "../../tests/contracts/envelopes-to-kernel.json";
import features from "../../tests/contracts/features.json";
import toolRows from "../../tests/contracts/tool-rows.json";
import type { ChatKitEvent, ChatKitRequest, EndReason, OutgoingMsg } from "../src/protocol";
import { APPROVAL_ACTION, ChatSession, EDIT_ACTION, VERSION_ACTION } from "../src/session";
import { FEATURES } from "../src/settings";
import { EnvelopeTransport } from "../src/transport/envelope";
import type { StreamStart } from "../src/transport/types";
import { parseToolRow } from "../src/ui/items/tool-row";
import { FakeTransport } from "./fake-transport";
import { toolItem } from "./tool-items";

/** A channel the test plays the kernel on: it records what goes out and delivers what comes in. */
function channel() {
  const sent: OutgoingMsg[] = [];
  let deliver: (raw: unknown) => void = () => {};
  const transport = new EnvelopeTransport({
    send: (msg) => sent.push(msg),
    subscribe(cb) {
      deliver = cb;
      return () => {};
    },
  });
  return { sent, transport, deliver: (raw: unknown) => deliver(raw) };
}

test("the browser sends each envelope in the golden shape", () => {
  const { sent, transport } = channel();
  const golden = toKernel.request.request as ChatKitRequest;
  void transport.request(golden).catch(() => {});
  const stream = transport.stream(golden);
  transport.cancel(stream.id);
  transport.resume();
  const withGoldenIds = sent.map((msg) => ({ ...msg, id: toKernel[msg.kind].id }));
  assert.deepEqual(withGoldenIds, [
    toKernel.request,
    toKernel.request,
    toKernel.cancel,
    toKernel.resume,
  ]);
  transport.dispose();
});

test("the browser reads every envelope the kernel sends in the golden shape", async () => {
  const { transport, deliver } = channel();
  const starts: StreamStart[] = [];
  const events: Array<[string, ChatKitEvent[]]> = [];
  const ends: Array<[string, EndReason]> = [];
  const changes: ChatKitEvent[][] = [];
  transport.onStream((start) => starts.push(start));
  transport.onEvents((id, list) => events.push([id, list]));
  transport.onEnd((id, reason) => ends.push([id, reason]));
  transport.onChanged((list) => changes.push(list));

  deliver(toBrowser.start);
  deliver(toBrowser.start_replay);
  assert.deepEqual(starts, [
    { id: "req-1", request: toBrowser.start.request, replay: false },
    { id: "req-1", request: toBrowser.start_replay.request, replay: true },
  ]);
  deliver(toBrowser.event);
  assert.deepEqual(events, [["req-1", toBrowser.event.events]]);
  deliver(toBrowser.text); // read as the ChatKit event it stands for
  assert.deepEqual(events[1], ["req-1", toBrowser.text_as_event.events]);
  deliver(toBrowser.end);
  assert.deepEqual(ends, [["req-1", "done"]]);
  deliver(toBrowser.changed);
  assert.deepEqual(changes, [toBrowser.changed.events]);

  // response and error settle the request with the envelope's id.
  const { sent: sent2, transport: second, deliver: deliver2 } = channel();
  const answered = second.request({ type: "threads.list", params: {} });
  const refused = second.request({ type: "threads.get_by_id", params: {} });
  deliver2({ ...toBrowser.response, id: sent2[0]?.id });
  deliver2({ ...toBrowser.error, id: sent2[1]?.id });
  assert.deepEqual(await answered, toBrowser.response.result);
  await assert.rejects(refused, { message: toBrowser.error.message });
  for (const t of [transport, second]) t.dispose();
});

test("tool rows written by the kernel read back as the golden rows", () => {
  for (const [name, { row, item }] of Object.entries(toolRows)) {
    assert.deepEqual(parseToolRow(item.task.content), row, name);
  }
});

test("a version switch sends the golden custom action", () => {
  const golden = customActions.version;
  assert.equal(VERSION_ACTION, golden.params.action.type);
  const transport = new FakeTransport();
  const session = new ChatSession(transport, { threadCreated() {}, restoreText() {} });
  session.state.reset(golden.params.thread_id);
  const { item_id, index } = golden.params.action.payload;
  assert.ok(session.showVersion(item_id, index));
  assert.deepEqual(transport.streams[0]?.req, golden);
});

test("Edit sends the golden custom action", () => {
  const golden = customActions.edit;
  assert.equal(EDIT_ACTION, golden.params.action.type);
  const transport = new FakeTransport();
  const session = new ChatSession(transport, { threadCreated() {}, restoreText() {} });
  session.state.reset(golden.params.thread_id);
  session.state.loadItems(
    [
      {
        id: golden.params.action.payload.item_id,
        thread_id: golden.params.thread_id,
        created_at: "2026-01-02T03:04:05Z",
        type: "user_message",
        content: [{ type: "input_text", text: "hello" }],
      },
    ],
    null,
  );
  assert.ok(session.edit(golden.params.action.payload.item_id, golden.params.action.payload.text));
  assert.deepEqual(transport.streams.at(-1)?.req, golden);
  session.dispose();
});

test("approval decisions and Stop while calls wait send the golden custom actions", () => {
  const { approve, approve_always, deny, stop } = customActions;
  for (const golden of [approve, approve_always, deny, stop]) {
    assert.equal(golden.params.action.type, APPROVAL_ACTION);
  }
  const sent = (act: (session: ChatSession) => void) => {
    const transport = new FakeTransport();
    const session = new ChatSession(transport, { threadCreated() {}, restoreText() {} });
    session.state.reset(approve.params.thread_id);
    session.state.loadItems([toolItem("tool_1", "approval", { call_id: "call_1" })], null);
    act(session);
    session.dispose();
    return transport.streams.map(({ req }) => req);
  };
  assert.deepEqual(
    sent((s) => s.decide("call_1", "approve")),
    [approve],
  );
  assert.deepEqual(
    sent((s) => s.decide("call_1", "approve", { always: true })),
    [approve_always],
  );
  assert.deepEqual(
    sent((s) => s.decide("call_1", "deny", { reason: "not now" })),
    [deny],
  );
  assert.deepEqual(
    sent((s) => s.stop()),
    [stop],
  );
});

test("the UI knows exactly the features the kernel may announce", () => {
  assert.deepEqual([...FEATURES].sort(), Object.keys(features).sort());
});

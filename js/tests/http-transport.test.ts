import "./frames";
import assert from "node:assert/strict";
import { test } from "node:test";
import { createChat } from "../src/chat";
import type { ChatKitEvent, ChatKitRequest, EndReason } from "../src/protocol";
import { ChatSession } from "../src/session";
import { type FetchLike, HttpTransport } from "../src/transport/http";
import type { StreamStart } from "../src/transport/types";
import { until } from "./until";

// The HTTP transport against a fake Jupyter server: real Responses, whose SSE bodies the test
// writes a chunk at a time.

const BASE = "/user/x/chatkit-widget/";
const AT = "2026-01-01T00:00:00Z";

/** A request the transport made, for the test to answer. */
interface Call {
  url: string;
  method: string;
  headers: Headers;
  body: unknown;
  signal: AbortSignal | undefined;
  answered: boolean;
  json(status: number, body: unknown, statusText?: string): void;
  text(status: number, body: string, statusText: string): void;
  /** Answer 200 text/event-stream; returns the writer of its body. */
  sse(): Body;
  fail(err: Error): void;
}

interface Body {
  push(text: string): void;
  close(): void;
  error(err: Error): void;
}

class FakeServer {
  readonly calls: Call[] = [];
  readonly fetch: FetchLike = (url, init = {}) =>
    new Promise<Response>((resolve, reject) => {
      const signal = init.signal ?? undefined;
      const aborted = () => new DOMException("The operation was aborted.", "AbortError");
      signal?.addEventListener("abort", () => reject(aborted()));
      const call: Call = {
        url,
        method: init.method ?? "GET",
        headers: new Headers(init.headers),
        body: typeof init.body === "string" ? JSON.parse(init.body) : undefined,
        signal,
        answered: false,
        json(status, body, statusText = "") {
          call.answered = true;
          const headers = { "Content-Type": "application/json" };
          resolve(new Response(JSON.stringify(body), { status, statusText, headers }));
        },
        text(status, body, statusText) {
          call.answered = true;
          // A 204 has no body at all.
          resolve(new Response(status === 204 ? null : body, { status, statusText }));
        },
        sse() {
          call.answered = true;
          let controller: ReadableStreamDefaultController<Uint8Array> | undefined;
          const body = new ReadableStream<Uint8Array>({
            start: (c) => {
              controller = c;
            },
          });
          // Like a real fetch: aborting fails the body being read.
          signal?.addEventListener("abort", () => controller?.error(aborted()));
          const headers = { "Content-Type": "text/event-stream; charset=utf-8" };
          resolve(new Response(body, { status: 200, headers }));
          const encoder = new TextEncoder();
          return {
            push: (text) => controller?.enqueue(encoder.encode(text)),
            close: () => controller?.close(),
            error: (err) => controller?.error(err),
          };
        },
        fail(err) {
          call.answered = true;
          reject(err);
        },
      };
      this.calls.push(call);
    });

  /** The first unanswered call to `method path` (path relative to the base URL). */
  async next(method: string, path: string | RegExp): Promise<Call> {
    let found: Call | undefined;
    const matches = (call: Call) =>
      !call.answered &&
      call.method === method &&
      (typeof path === "string"
        ? call.url === BASE + path
        : path.test(call.url.slice(BASE.length)));
    await until(() => {
      found = this.calls.find(matches);
      return found !== undefined;
    }, `a ${method} ${path}`);
    assert.ok(found);
    return found;
  }

  count(method: string, path: string): number {
    return this.calls.filter((call) => call.method === method && call.url === BASE + path).length;
  }
}

/** Let whatever is under way settle (to show that nothing more happens). */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
}

function setup(cancelTimeoutMs = 60_000) {
  const server = new FakeServer();
  const transport = new HttpTransport({ baseUrl: BASE, fetch: server.fetch, cancelTimeoutMs });
  const starts: StreamStart[] = [];
  const events: Array<[string, ChatKitEvent[]]> = [];
  const ends: Array<[string, EndReason]> = [];
  const changed: ChatKitEvent[][] = [];
  transport.onStream((start) => starts.push(start));
  transport.onEvents((id, batch) => events.push([id, batch]));
  transport.onEnd((id, reason) => ends.push([id, reason]));
  transport.onChanged((batch) => changed.push(batch));
  const flat = () => events.flatMap(([, batch]) => batch);
  return { server, transport, starts, events, ends, changed, flat };
}

/** Silence (and keep) what the transport warns about. */
function captureWarnings(): { warnings: unknown[][]; restore(): void } {
  const warnings: unknown[][] = [];
  const original = console.warn;
  console.warn = (...args: unknown[]) => warnings.push(args);
  return { warnings, restore: () => (console.warn = original) };
}

const frame = (event: object) => `data: ${JSON.stringify(event)}\n\n`;
const endFrame = (reason: EndReason) => `event: end\ndata: {"reason": "${reason}"}\n\n`;

const CREATE: ChatKitRequest = {
  type: "threads.create",
  params: { input: { content: [{ type: "input_text", text: "hi" }] } },
};
const ADD_T: ChatKitRequest = {
  type: "threads.add_user_message",
  params: { thread_id: "thr_T", input: { content: [{ type: "input_text", text: "hi" }] } },
};

function assistant(id: string, text: string, threadId = "thr_T") {
  return {
    id,
    thread_id: threadId,
    created_at: AT,
    type: "assistant_message",
    content: [{ type: "output_text", text, annotations: [] }],
  };
}

function user(id: string, text: string, threadId = "thr_T") {
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

function delta(itemId: string, text: string): ChatKitEvent {
  return {
    type: "thread.item.updated",
    item_id: itemId,
    update: { type: "assistant_message.content_part.text_delta", content_index: 0, delta: text },
  };
}

function thread(id: string, items: object[] = []) {
  return {
    id,
    title: null,
    created_at: AT,
    status: { type: "active" },
    metadata: {},
    items: { data: items, has_more: false },
  };
}

// -- JSON requests ------------------------------------------------------------------------------

test("a request is a JSON POST to chatkit; it resolves with the answer's JSON", async () => {
  const { server, transport, changed } = setup();
  const req = { type: "threads.list", params: { limit: 5, order: "desc" } };
  const result = transport.request(req);
  const call = await server.next("POST", "chatkit");
  assert.equal(call.headers.get("Content-Type"), "application/json");
  assert.deepEqual(call.body, req);
  call.json(200, { data: [], has_more: false });
  assert.deepEqual(await result, { data: [], has_more: false });
  assert.deepEqual(changed, [], "a list changes nothing");
  transport.dispose();
});

test("a refused request rejects with the server's message, or its status", async () => {
  const { server, transport } = setup();
  const req = { type: "threads.get_by_id", params: { thread_id: "nope" } };
  const answers: Array<[(call: Call) => void, RegExp]> = [
    [(call) => call.json(404, { message: "Thread nope not found", reason: null }), /^Thread nope/],
    [(call) => call.json(400, { detail: "Bad params" }), /^Bad params$/],
    [(call) => call.text(502, "<html>Bad Gateway</html>", "Bad Gateway"), /^502 Bad Gateway$/],
    [
      (call) => call.fail(new TypeError("Failed to fetch")),
      /^Could not reach the Jupyter server: Failed to fetch$/,
    ],
    [(call) => call.text(200, "<html>login</html>", "OK"), /not JSON/],
  ];
  for (const [answer, message] of answers) {
    const result = transport.request(req);
    answer(await server.next("POST", "chatkit"));
    await assert.rejects(result, { message });
  }
  transport.dispose();
});

test("a rename is applied by the view that asked: threads.update reports a change", async () => {
  const { server, transport, changed } = setup();
  const result = transport.request({
    type: "threads.update",
    params: { thread_id: "thr_T", title: "Renamed" },
  });
  const renamed = { ...thread("thr_T"), title: "Renamed" };
  (await server.next("POST", "chatkit")).json(200, renamed);
  assert.deepEqual(await result, renamed);
  assert.deepEqual(changed, [[{ type: "thread.updated", thread: renamed }]]);

  const refused = transport.request({ type: "threads.update", params: { thread_id: "x" } });
  (await server.next("POST", "chatkit")).json(404, { message: "No such thread" });
  await assert.rejects(refused, /No such thread/);
  assert.equal(changed.length, 1, "a refused update changes nothing");
  transport.dispose();
});

// -- Streams ------------------------------------------------------------------------------------

test("a stream's events arrive as they are written; keepalives are skipped; end ends it", async () => {
  const { server, transport, starts, events, ends } = setup();
  const handle = transport.stream(ADD_T);
  assert.deepEqual(starts, [], "announced once the server has taken it, not before");
  const call = await server.next("POST", /^chatkit\?stream=/);
  assert.equal(call.url, `${BASE}chatkit?stream=${encodeURIComponent(handle.id)}`);
  assert.deepEqual(call.body, ADD_T);
  assert.equal(call.headers.get("Content-Type"), "application/json");
  const body = call.sse();
  await until(() => starts.length === 1, "the start");
  assert.deepEqual(starts, [{ id: handle.id, request: ADD_T, replay: false }]);

  body.push(frame({ type: "thread.item.done", item: user("u1", "hi") }));
  await until(() => events.length === 1, "the first event, before the body ends");
  body.push(": keepalive\n\n");
  body.push(
    frame({ type: "thread.item.added", item: assistant("a1", "") }) + frame(delta("a1", "Hi")),
  );
  await until(() => events.length === 2, "the second batch");
  assert.deepEqual(
    events.map(([id, batch]) => [id, batch.map((event) => event.type)]),
    [
      [handle.id, ["thread.item.done"]],
      [handle.id, ["thread.item.added", "thread.item.updated"]],
    ],
    "a chunk's events come together; the keepalive is no event",
  );
  assert.deepEqual(ends, []);

  body.push(frame(delta("a1", "!")) + endFrame("done"));
  assert.equal(await handle.done, "done");
  assert.deepEqual(ends, [[handle.id, "done"]]);
  assert.equal(events.length, 3, "the events before the end frame are delivered first");
  body.close();
  await settle();
  assert.equal(ends.length, 1, "ended once");
  transport.dispose();
});

test("the server's end reason is the stream's", async () => {
  const { server, transport, ends } = setup();
  for (const reason of ["cancelled", "error"] as const) {
    const handle = transport.stream(ADD_T);
    const body = (await server.next("POST", /^chatkit\?stream=/)).sse();
    body.push(endFrame(reason));
    body.close();
    assert.equal(await handle.done, reason);
    assert.deepEqual(ends.at(-1), [handle.id, reason]);
  }
  transport.dispose();
});

test("a stream refused before it starts ends as an error the user can read", async () => {
  const { server, transport, starts, flat, ends } = setup();
  const cases: Array<[(call: Call) => void, RegExp, boolean]> = [
    [(call) => call.json(404, { message: "Thread thr_T not found" }), /^Thread thr_T/, false],
    [(call) => call.json(403, { message: "'_xsrf' argument missing" }), /_xsrf/, false],
    [(call) => call.text(503, "busy", "Service Unavailable"), /^503 Service/, true],
    [(call) => call.fail(new TypeError("Failed to fetch")), /^Could not reach the Jupyter/, true],
  ];
  for (const [answer, message, allowRetry] of cases) {
    const handle = transport.stream(ADD_T);
    answer(await server.next("POST", /^chatkit\?stream=/));
    assert.equal(await handle.done, "error");
    const error = flat().at(-1);
    assert.equal(error?.type, "error");
    assert.match(String(error?.message), message);
    assert.equal(error?.allow_retry, allowRetry, String(message));
    assert.equal(error?.unsent, true, "the server never took the message");
    assert.deepEqual(ends.at(-1), [handle.id, "error"]);
  }
  assert.deepEqual(starts, [], "a refused stream is never announced");
  assert.equal(ends.length, cases.length, "each ended once");
  transport.dispose();
});

test("a body that ends without its end frame is a dropped connection", async () => {
  const { server, transport, flat, ends } = setup();
  const cut = transport.stream(ADD_T);
  const body = (await server.next("POST", /^chatkit\?stream=/)).sse();
  body.push(frame({ type: "thread.item.added", item: assistant("a1", "Partial") }));
  body.push("data: {} \n"); // a frame cut in the middle
  body.close();
  assert.equal(await cut.done, "error");
  assert.deepEqual(
    flat().map((event) => event.type),
    ["thread.item.added", "error"],
  );
  assert.match(String(flat()[1]?.message), /closed before the reply finished/);
  assert.equal(flat()[1]?.allow_retry, true);
  assert.equal(flat()[1]?.unsent, undefined, "the server may hold the message");

  const broken = transport.stream(ADD_T);
  const other = (await server.next("POST", /^chatkit\?stream=/)).sse();
  other.push(frame(delta("a1", "x")));
  await until(() => flat().length === 3, "the delta");
  other.error(new TypeError("network error"));
  assert.equal(await broken.done, "error");
  assert.match(String(flat().at(-1)?.message), /connection to the Jupyter server broke/);
  await settle();
  assert.deepEqual(ends, [
    [cut.id, "error"],
    [broken.id, "error"],
  ]);
  transport.dispose();
});

// -- Cancel -------------------------------------------------------------------------------------

test("cancel asks the server, which ends the stream once the partial reply is saved", async () => {
  const { server, transport, ends } = setup();
  const handle = transport.stream(ADD_T);
  const call = await server.next("POST", /^chatkit\?stream=/);
  const body = call.sse();
  body.push(frame({ type: "thread.item.added", item: assistant("a1", "Partial") }));
  handle.cancel();
  transport.cancel(handle.id); // Stop clicked twice
  const cancel = await server.next("POST", `streams/${handle.id}/cancel`);
  cancel.text(204, "", "No Content");
  await settle();
  assert.equal(server.count("POST", `streams/${handle.id}/cancel`), 1, "asked once");
  assert.equal(call.signal?.aborted, false, "still reading: the end comes from the server");
  assert.deepEqual(ends, []);

  body.push(endFrame("cancelled"));
  body.close();
  assert.equal(await handle.done, "cancelled");
  assert.deepEqual(ends, [[handle.id, "cancelled"]]);
  transport.dispose();
});

test("a stream the server does not end after a cancel is ended here", async () => {
  const { server, transport, ends, events } = setup(5);
  const handle = transport.stream(ADD_T);
  const call = await server.next("POST", /^chatkit\?stream=/);
  call.sse();
  transport.cancel(handle.id);
  (await server.next("POST", `streams/${handle.id}/cancel`)).text(204, "", "No Content");
  assert.equal(await handle.done, "cancelled");
  assert.deepEqual(ends, [[handle.id, "cancelled"]]);
  assert.equal(call.signal?.aborted, true, "the read is given up");
  await settle();
  assert.deepEqual(events, [], "no error for a read given up on purpose");
  assert.equal(ends.length, 1);
  transport.dispose();
});

test("a cancel the server cannot take ends the stream at once; a 404 is no failure", async () => {
  const { server, transport, ends } = setup();
  const warned = captureWarnings();
  try {
    const handle = transport.stream(ADD_T);
    const call = await server.next("POST", /^chatkit\?stream=/);
    call.sse();
    transport.cancel(handle.id);
    (await server.next("POST", `streams/${handle.id}/cancel`)).fail(new TypeError("Failed"));
    assert.equal(await handle.done, "cancelled", "not after the (60 s) fallback");
    assert.equal(call.signal?.aborted, true);

    // Already ending on the server: its end frame still comes.
    const ending = transport.stream(ADD_T);
    const body = (await server.next("POST", /^chatkit\?stream=/)).sse();
    transport.cancel(ending.id);
    (await server.next("POST", `streams/${ending.id}/cancel`)).json(404, { message: "No such" });
    await settle();
    assert.equal(ends.length, 1);
    body.push(endFrame("done"));
    assert.equal(await ending.done, "done");
    assert.deepEqual(
      ends.map(([, reason]) => reason),
      ["cancelled", "done"],
    );
    assert.equal(warned.warnings.length, 1, "only the unreachable server is worth a warning");
  } finally {
    warned.restore();
    transport.dispose();
  }
});

// -- Resume -------------------------------------------------------------------------------------

test("resume reattaches to the running streams: a replayed start, then their events", async () => {
  const { server, transport, starts, events, ends } = setup();
  transport.resume();
  (await server.next("GET", "streams")).json(200, {
    streams: [
      { id: "S1", request: ADD_T },
      { id: "S2", request: CREATE },
    ],
  });
  await until(() => starts.length === 2, "both starts");
  assert.deepEqual(starts, [
    { id: "S1", request: ADD_T, replay: true },
    { id: "S2", request: CREATE, replay: true },
  ]);
  const s1 = (await server.next("GET", "streams/S1")).sse();
  // S2 ended between the list and the reattach.
  (await server.next("GET", "streams/S2")).json(404, { message: "No such stream is running." });
  await until(() => ends.length === 1, "S2's end");
  assert.deepEqual(ends, [["S2", "done"]]);

  s1.push(frame({ type: "thread.item.added", item: assistant("a1", "Hello so far") }));
  s1.push(frame(delta("a1", " and more")));
  s1.push(endFrame("done"));
  s1.close();
  await until(() => ends.length === 2, "S1's end");
  assert.deepEqual(
    events.map(([id, batch]) => [id, batch[0]?.type]),
    [
      ["S1", "thread.item.added"],
      ["S1", "thread.item.updated"],
    ],
  );
  assert.deepEqual(ends[1], ["S1", "done"]);

  // Asked again: S1 has ended, nothing to reattach.
  transport.resume();
  (await server.next("GET", "streams")).json(200, { streams: [] });
  await settle();
  assert.equal(starts.length, 2);
  transport.dispose();
});

test("resume replays a stream read here already from its open items, without reading it twice", async () => {
  const { server, transport, starts, events } = setup();
  const handle = transport.stream(ADD_T);
  const body = (await server.next("POST", /^chatkit\?stream=/)).sse();
  const taskItem = {
    ...assistant("w1", ""),
    type: "workflow",
    workflow: { type: "custom", tasks: [{ type: "thought", content: "a" }] },
  };
  body.push(
    frame({ type: "thread.item.done", item: user("u1", "hi") }) +
      frame({ type: "thread.item.added", item: taskItem }) +
      frame({
        type: "thread.item.updated",
        item_id: "w1",
        update: {
          type: "workflow.task.added",
          task_index: 1,
          task: { type: "thought", content: "b" },
        },
      }) +
      frame({ type: "thread.item.done", item: taskItem }) +
      frame({ type: "thread.item.added", item: assistant("a1", "") }) +
      frame(delta("a1", "Hel")) +
      frame(delta("a1", "lo")) +
      frame({
        type: "thread.item.updated",
        item_id: "a1",
        update: {
          type: "assistant_message.content_part.added",
          content_index: 1,
          content: { type: "output_text", text: "P2", annotations: [] },
        },
      }),
  );
  await until(() => events.length === 1, "the events");

  transport.resume();
  (await server.next("GET", "streams")).json(200, { streams: [{ id: handle.id, request: ADD_T }] });
  await until(() => starts.length === 2, "the replayed start");
  assert.deepEqual(starts[1], { id: handle.id, request: ADD_T, replay: true });
  assert.deepEqual(events.at(-1), [
    handle.id,
    [
      {
        type: "thread.item.added",
        item: {
          ...assistant("a1", "Hello"),
          content: [
            { type: "output_text", text: "Hello", annotations: [] },
            { type: "output_text", text: "P2", annotations: [] },
          ],
        },
      },
    ],
  ]);
  assert.equal(server.count("GET", `streams/${handle.id}`), 0, "not read a second time");

  body.push(frame(delta("a1", "!")) + endFrame("done"));
  assert.equal(await handle.done, "done");
  transport.dispose();
});

test("after a reload, the streams this tab started are its own; others are not", async () => {
  const tab = new Map<string, string>();
  const tabStorage = {
    getItem: (key: string) => tab.get(key) ?? null,
    setItem: (key: string, value: string) => void tab.set(key, value),
  };
  const server = new FakeServer();
  const before = new HttpTransport({ baseUrl: BASE, fetch: server.fetch, tabStorage });
  const handle = before.stream(ADD_T);
  await server.next("POST", /^chatkit\?stream=/);
  before.dispose(); // the page reloads

  const after = new HttpTransport({ baseUrl: BASE, fetch: server.fetch, tabStorage });
  const starts: StreamStart[] = [];
  after.onStream((start) => starts.push(start));
  after.resume();
  (await server.next("GET", "streams")).json(200, {
    streams: [
      { id: handle.id, request: ADD_T },
      { id: "other_tab", request: ADD_T },
    ],
  });
  await until(() => starts.length === 2, "both starts");
  assert.deepEqual(starts, [
    { id: handle.id, request: ADD_T, replay: true, own: true },
    { id: "other_tab", request: ADD_T, replay: true },
  ]);
  // Another server's streams are kept apart.
  const elsewhere = new HttpTransport({
    baseUrl: `${BASE}other/`,
    fetch: server.fetch,
    tabStorage,
  });
  const seen: StreamStart[] = [];
  elsewhere.onStream((start) => seen.push(start));
  elsewhere.resume();
  (await server.next("GET", "other/streams")).json(200, {
    streams: [{ id: handle.id, request: ADD_T }],
  });
  await until(() => seen.length === 1, "the start");
  assert.equal(seen[0]?.own, undefined);
  after.dispose();
  elsewhere.dispose();
});

test("a failed resume is only a warning", async () => {
  const { server, transport, starts, events, ends } = setup();
  const warned = captureWarnings();
  try {
    transport.resume();
    (await server.next("GET", "streams")).json(500, { message: "Internal error" });
    await until(() => warned.warnings.length === 1, "the warning");
    transport.resume();
    (await server.next("GET", "streams")).fail(new TypeError("Failed to fetch"));
    await until(() => warned.warnings.length === 2, "the second warning");
    assert.deepEqual([starts, events, ends], [[], [], []]);
  } finally {
    warned.restore();
    transport.dispose();
  }
});

// -- Dispose ------------------------------------------------------------------------------------

test("dispose stops reading, not the server's runs, and nothing is heard after it", async () => {
  const { server, transport, events, ends, changed } = setup();
  const handle = transport.stream(ADD_T);
  const call = await server.next("POST", /^chatkit\?stream=/);
  const body = call.sse();
  body.push(frame(delta("a1", "x")));
  await until(() => events.length === 1, "an event");
  const pending = transport.request({ type: "threads.update", params: { thread_id: "t" } });
  const request = await server.next("POST", "chatkit");
  transport.resume();
  const list = await server.next("GET", "streams");

  transport.dispose();
  assert.equal(await handle.done, "cancelled");
  await assert.rejects(pending, /The chat widget was closed/);
  assert.equal(call.signal?.aborted, true);
  assert.equal(request.signal?.aborted, true);
  assert.equal(list.signal?.aborted, true);
  transport.cancel(handle.id);
  transport.resume();
  await settle();
  assert.equal(
    server.calls.filter((c) => c.url.includes("/cancel")).length,
    0,
    "a closed tab does not stop the run: a reload reattaches",
  );
  assert.equal(server.count("GET", "streams"), 1);
  assert.deepEqual([events.length, ends, changed], [1, [], []]);

  const late = transport.stream(ADD_T);
  assert.equal(await late.done, "cancelled");
  await assert.rejects(transport.request(ADD_T), /closed/);
  await settle();
  assert.equal(server.calls.length, 3, "nothing is sent after dispose");
});

// -- Through the UI core ------------------------------------------------------------------------

test("a ChatSession sends, streams and leaves and rejoins a reply over HTTP", async () => {
  const { server, transport } = setup();
  const created: string[] = [];
  const session = new ChatSession(transport, {
    threadCreated: (id) => created.push(id),
    restoreText: () => {},
  });
  const text = (id: string) =>
    (session.state.item(id)?.content as Array<{ text: string }> | undefined)
      ?.map((part) => part.text)
      .join("");

  assert.equal(session.send("hi"), true);
  assert.equal(session.busy, true);
  const call = await server.next("POST", /^chatkit\?stream=/);
  assert.equal((call.body as ChatKitRequest).type, "threads.create");
  const body = call.sse();
  body.push(
    frame({ type: "thread.created", thread: thread("thr_T") }) +
      frame({ type: "thread.item.done", item: user("u1", "hi") }) +
      frame({ type: "thread.item.added", item: assistant("a1", "") }) +
      frame(delta("a1", "Hello")),
  );
  await until(() => text("a1") === "Hello", "the reply so far");
  assert.deepEqual(created, ["thr_T"]);
  assert.deepEqual(
    session.state.items.map((item) => item.id),
    ["u1", "a1"],
    "the optimistic message gave way to the stored one",
  );

  // To a new chat and back while the reply streams: the store has no reply yet.
  session.openThread(null);
  body.push(frame(delta("a1", " there")));
  session.openThread("thr_T");
  // The thread and its newest page, asked for together.
  (await server.next("POST", "chatkit")).json(200, thread("thr_T", [user("u1", "hi")]));
  (await server.next("POST", "chatkit")).json(200, { data: [user("u1", "hi")], has_more: false });
  const own = decodeURIComponent(call.url.split("stream=")[1] ?? "");
  (await server.next("GET", "streams")).json(200, {
    streams: [
      { id: "other", request: ADD_T },
      { id: own, request: CREATE },
    ],
  });
  await until(() => text("a1") === "Hello there", "the reply, replayed");
  (await server.next("GET", "streams/other")).json(404, { message: "No such stream" });

  body.push(
    frame(delta("a1", ".")) +
      frame({ type: "thread.item.done", item: assistant("a1", "Hello there.") }),
  );
  body.push(endFrame("done"));
  await until(() => !session.busy, "the end");
  assert.equal(text("a1"), "Hello there.");
  assert.equal(session.state.meta("a1").done, true);
  session.dispose();
  transport.dispose();
});

test("the chat UI runs on HTTP without knowing it: a typed message's reply shows", async () => {
  const server = new FakeServer();
  const element = document.createElement("div");
  document.body.append(element);
  const chat = createChat(element, {
    transport: new HttpTransport({ baseUrl: BASE, fetch: server.fetch }),
  });
  (await server.next("GET", "streams")).json(200, { streams: [] });

  const box = chat.root.querySelector("textarea");
  assert.ok(box);
  box.value = "hello";
  box.dispatchEvent(new window.KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
  const call = await server.next("POST", /^chatkit\?stream=/);
  assert.match(JSON.stringify(call.body), /"text":"hello"/);
  const body = call.sse();
  body.push(
    frame({ type: "thread.created", thread: thread("thr_1") }) +
      frame({ type: "thread.item.done", item: user("u1", "hello", "thr_1") }) +
      frame({ type: "thread.item.added", item: assistant("a1", "", "thr_1") }),
  );
  body.push(frame(delta("a1", "Hel")));
  body.push(frame(delta("a1", "lo **there**")));
  const reply = () => chat.root.querySelector('[data-item-type="assistant_message"]');
  await until(() => /Hello there/.test(reply()?.textContent ?? ""), "the reply in the DOM");
  assert.ok(reply()?.querySelector("strong"), "rendered as markdown");
  assert.equal(chat.root.dataset.busy, "true");

  body.push(endFrame("done"));
  await until(() => chat.root.dataset.busy === undefined, "idle after the end");
  chat.dispose();
  assert.equal(call.signal?.aborted, false, "the finished stream was not aborted");
});

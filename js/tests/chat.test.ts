import "./frames";
import assert from "node:assert/strict";
import { test } from "node:test";
import { type ChatHandle, createChat } from "../src/chat";
import type { ChatKitEvent } from "../src/protocol";
import type { ChatSettings } from "../src/settings";
import { FakeTransport, settle } from "./fake-transport";
import { toolItem } from "./tool-items";

// The composition root, mounted the way a host mounts it: a fake transport plays the backend.
const nextFrame = () => new Promise((resolve) => setTimeout(resolve, 0));

const AT = "2026-01-01T00:00:00Z";
const THREAD = "thr_1";

function mount(settings: Partial<ChatSettings> = {}) {
  const element = document.createElement("div");
  document.body.append(element);
  const transport = new FakeTransport();
  const threads: Array<string | null> = [];
  const chat = createChat(element, {
    transport,
    settings,
    callbacks: { threadChanged: (id) => threads.push(id) },
  });
  const $ = <E extends Element = HTMLElement>(selector: string) =>
    chat.root.querySelector<E>(selector);
  return { element, transport, threads, chat, $ };
}

function type(chat: ChatHandle, text: string): void {
  const box = chat.root.querySelector("textarea");
  assert.ok(box, "the composer has a text box");
  box.value = text;
  box.dispatchEvent(new window.KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
}

function delta(text: string): ChatKitEvent {
  return {
    type: "thread.item.updated",
    item_id: "a1",
    update: { type: "assistant_message.content_part.text_delta", content_index: 0, delta: text },
  };
}

test("a message typed in the chat goes out, and its reply streams into the transcript", async () => {
  const { transport, threads, chat, $ } = mount();
  type(chat, "hello");
  assert.equal(transport.streams.length, 1, "one stream was started");
  const [{ id, req }] = transport.streams;
  assert.equal(req.type, "threads.create");
  assert.match(JSON.stringify(req.params), /"text":"hello"/);
  assert.equal(chat.root.dataset.busy, "true", "busy while the reply streams");

  transport.start(id, req);
  const thread = { id: THREAD, title: null, created_at: AT, status: { type: "active" } };
  transport.events(id, [
    { type: "thread.created", thread: { ...thread, items: { data: [], has_more: false } } },
    {
      type: "thread.item.done",
      item: {
        id: "u1",
        thread_id: THREAD,
        created_at: AT,
        type: "user_message",
        content: [{ type: "input_text", text: "hello" }],
        attachments: [],
        inference_options: {},
      },
    },
    {
      type: "thread.item.added",
      item: {
        id: "a1",
        thread_id: THREAD,
        created_at: AT,
        type: "assistant_message",
        content: [{ type: "output_text", text: "", annotations: [] }],
      },
    },
    delta("Hel"),
  ]);
  transport.events(id, [delta("lo **there**")]);
  await nextFrame();
  const reply = $('.ckw-row[data-item-id="a1"]');
  assert.ok(reply, "the reply has a row");
  assert.match(reply.textContent ?? "", /Hello there/);
  assert.ok(reply.querySelector("strong"), "markdown is rendered");
  assert.deepEqual(threads, [THREAD], "the host hears of the new thread once");

  transport.end(id, "done");
  await settle();
  assert.equal(chat.root.dataset.busy, undefined, "idle once the stream ends");
  chat.dispose();
});

test("the transcript marks the last message row and a reply streaming at the log's end (no :has())", async () => {
  const { transport, chat, $ } = mount();
  type(chat, "hello");
  const [{ id, req }] = transport.streams;
  transport.start(id, req);
  const thread = { id: THREAD, title: null, created_at: AT, status: { type: "active" } };
  const user = (itemId: string) => ({
    id: itemId,
    thread_id: THREAD,
    created_at: AT,
    type: "user_message" as const,
    content: [{ type: "input_text" as const, text: "hello" }],
    attachments: [],
    inference_options: {},
  });
  const reply = {
    id: "a1",
    thread_id: THREAD,
    created_at: AT,
    type: "assistant_message" as const,
    content: [{ type: "output_text" as const, text: "", annotations: [] }],
  };
  transport.events(id, [
    { type: "thread.created", thread: { ...thread, items: { data: [], has_more: false } } },
    { type: "thread.item.done", item: user("u1") },
    { type: "thread.item.added", item: reply },
    delta("Hello"),
  ]);
  await nextFrame();
  const log = $(".ckw-log");
  const marked = () =>
    [...(log?.querySelectorAll("[data-last-message]") ?? [])].map(
      (row) => (row as HTMLElement).dataset.itemId,
    );
  assert.equal(log?.getAttribute("data-streaming-end"), "true", "the working line hides");
  assert.deepEqual(marked(), ["a1"], "the reply is the last message: it offers retry");

  const text = [{ type: "output_text" as const, text: "Hello", annotations: [] }];
  transport.events(id, [{ type: "thread.item.done", item: { ...reply, content: text } }]);
  await nextFrame();
  assert.equal(log?.hasAttribute("data-streaming-end"), false, "done: nothing streams");

  transport.events(id, [{ type: "thread.item.done", item: user("u2") }]);
  await nextFrame();
  assert.deepEqual(marked(), ["u2"], "a later message takes the mark: the reply's toolbar hovers");
  transport.end(id, "done");
  await settle();
  chat.dispose();
});

test("settings change live through update()", async () => {
  const { transport, chat, $ } = mount({ placeholder: "Ask the agent", greeting: "Hi there" });
  await nextFrame();
  assert.equal($<HTMLTextAreaElement>("textarea")?.placeholder, "Ask the agent");
  assert.match($(".ckw-start")?.textContent ?? "", /Hi there/);
  assert.equal(chat.root.style.height, "520px", "the default height");

  chat.update({
    placeholder: "",
    height: "300px",
    theme: "dark",
    greeting: "Welcome",
    prompts: [{ label: "Tasks", prompt: "list tasks" }],
  });
  await nextFrame();
  assert.equal($<HTMLTextAreaElement>("textarea")?.placeholder, "Message");
  assert.equal(chat.root.style.height, "300px");
  assert.equal(chat.root.dataset.theme, "dark");
  assert.match($(".ckw-start")?.textContent ?? "", /Welcome/);

  // The new starter prompt sends itself.
  const prompt = [...chat.root.querySelectorAll("button")].find((b) => b.textContent === "Tasks");
  assert.ok(prompt, "the new prompt is shown");
  prompt.click();
  assert.match(JSON.stringify(transport.streams.at(-1)?.req), /list tasks/);
  chat.dispose();
});

test("update({threadId}) opens a conversation; the host is not told its own change", () => {
  const { transport, threads, chat } = mount();
  chat.update({ threadId: "thr_other" });
  assert.deepEqual(
    transport.requests.map(({ req }) => req.type),
    ["threads.get_by_id", "items.list"],
    "the thread and its newest items are loaded, at once",
  );
  assert.deepEqual(threads, []);
  chat.root.querySelector<HTMLButtonElement>("[aria-label='New chat']")?.click();
  assert.deepEqual(threads, [null], "New chat is a thread change the host hears of");
  chat.dispose();
});

test("dispose leaves nothing behind: element, transport listeners, document observers", () => {
  const added: string[] = [];
  const removed: string[] = [];
  const originalAdd = document.addEventListener.bind(document);
  const originalRemove = document.removeEventListener.bind(document);
  const observe = window.MutationObserver.prototype.observe;
  const disconnect = window.MutationObserver.prototype.disconnect;
  let observing = 0;
  document.addEventListener = ((type: string, ...rest: unknown[]) => {
    added.push(type);
    (originalAdd as (...args: unknown[]) => void)(type, ...rest);
  }) as typeof document.addEventListener;
  document.removeEventListener = ((type: string, ...rest: unknown[]) => {
    removed.push(type);
    (originalRemove as (...args: unknown[]) => void)(type, ...rest);
  }) as typeof document.removeEventListener;
  window.MutationObserver.prototype.observe = function (...args) {
    observing++;
    return observe.apply(this, args);
  };
  window.MutationObserver.prototype.disconnect = function () {
    observing--;
    return disconnect.apply(this);
  };
  try {
    const { element, transport, chat } = mount();
    assert.ok(transport.listenerCount > 0, "the chat listens to its transport");
    assert.ok(observing > 0, "it watches the host's theme");
    const history = chat.root.querySelector<HTMLButtonElement>("[aria-label='History']");
    assert.ok(history, "the header has a History button");
    history.click(); // an open panel with a pending list request must close cleanly too
    assert.equal(transport.requests.at(-1)?.req.type, "threads.list");
    chat.dispose();
    assert.equal(element.childElementCount, 0, "the chat's element is gone");
    assert.equal(transport.listenerCount, 0, "no transport listener is left");
    assert.ok(transport.disposed, "the transport is disposed with the chat");
    assert.equal(observing, 0, "no observer is left");
    assert.deepEqual(added.sort(), removed.sort(), "every document listener was removed");
    chat.update({ height: "1px" }); // after dispose: ignored, no throw
    chat.dispose(); // twice: harmless
  } finally {
    document.addEventListener = originalAdd;
    document.removeEventListener = originalRemove;
    window.MutationObserver.prototype.observe = observe;
    window.MutationObserver.prototype.disconnect = disconnect;
  }
});

/** Open THREAD as loaded from the store: the user's message, then a call waiting for approval. */
async function openWaitingThread() {
  const mounted = mount();
  mounted.chat.update({ threadId: THREAD });
  await mounted.transport.answerOpen({
    id: THREAD,
    title: "Tasks",
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
          content: [{ type: "input_text", text: "add a task: buy milk" }],
          attachments: [],
          inference_options: {},
        },
        toolItem("tool_1", "approval", {}, THREAD),
      ],
      has_more: false,
    },
  });
  await nextFrame();
  return mounted;
}

function composerState(chat: ChatHandle) {
  const $ = <E extends HTMLElement>(selector: string) => {
    const el = chat.root.querySelector<E>(selector);
    assert.ok(el, selector);
    return el;
  };
  const working = $(".ckw-working");
  return {
    stopShown: !$(".ckw-stop").hidden,
    sendDisabled: $<HTMLButtonElement>(".ckw-send").disabled,
    working: working.hidden ? null : working.textContent,
    busy: chat.root.dataset.busy === "true",
  };
}

test("a turn waiting for approval keeps the composer busy until the call is decided and runs", async () => {
  const { transport, chat, $ } = await openWaitingThread();
  const box = $<HTMLTextAreaElement>("textarea");
  assert.ok(box);
  box.value = "a draft";
  box.dispatchEvent(new window.Event("input"));
  assert.deepEqual(composerState(chat), {
    stopShown: true,
    sendDisabled: true,
    working: "Waiting for your approval",
    busy: true,
  });
  assert.equal(box.value, "a draft", "the draft is kept");

  const approve = [...chat.root.querySelectorAll<HTMLButtonElement>(".ckw-tool button")].find(
    (b) => b.textContent === "Approve",
  );
  assert.ok(approve, "the waiting row offers Approve");
  approve.click();
  assert.equal(approve.disabled, true, "the decision is on its way");
  const stream = transport.streams.at(-1);
  assert.ok(stream);
  assert.deepEqual(stream.req, {
    type: "threads.custom_action",
    params: {
      thread_id: THREAD,
      item_id: null,
      action: {
        type: "chatkit_widget.approval",
        payload: { call_id: "call_1", decision: "approve" },
      },
    },
  });
  assert.equal(composerState(chat).working, "Working…", "the resumed run is working");

  transport.events(stream.id, [
    { type: "thread.item.done", item: toolItem("tool_1", "success", { output: "Added." }, THREAD) },
  ]);
  transport.end(stream.id, "done");
  await nextFrame();
  await settle();
  const row = $('.ckw-row[data-item-id="tool_1"]');
  assert.equal(row?.dataset.status, "success");
  assert.equal(row?.querySelector("button"), null, "no buttons once decided");
  assert.deepEqual(composerState(chat), {
    stopShown: false,
    sendDisabled: false,
    working: null,
    busy: false,
  });
  chat.dispose();
});

test("Escape (or Stop) while calls wait sends the stop action", async () => {
  const { transport, chat } = await openWaitingThread();
  chat.root
    .querySelector(".ckw-scroll")
    ?.dispatchEvent(new window.KeyboardEvent("keydown", { key: "Escape", bubbles: true }));
  assert.deepEqual(transport.streams.at(-1)?.req.params, {
    thread_id: THREAD,
    item_id: null,
    action: { type: "chatkit_widget.approval", payload: { decision: "stop" } },
  });
  chat.dispose();
});

test("code blocks offer the host's actions, which get the block's code", async () => {
  const element = document.createElement("div");
  document.body.append(element);
  const transport = new FakeTransport();
  const calls: Array<[string, string]> = [];
  const chat = createChat(element, {
    transport,
    settings: { codeActions: ["insert-below", "replace-cell"] },
    callbacks: {
      async codeAction(action, code) {
        calls.push([action, code]);
        if (action === "replace-cell") throw new Error("No notebook is open.");
      },
    },
  });
  assert.equal(chat.root.dataset.codeActions, "insert-below replace-cell");
  type(chat, "code please");
  const [{ id, req }] = transport.streams;
  transport.start(id, req);
  const thread = { id: THREAD, title: null, created_at: AT, status: { type: "active" } };
  transport.events(id, [
    { type: "thread.created", thread: { ...thread, items: { data: [], has_more: false } } },
    {
      type: "thread.item.done",
      item: {
        id: "a1",
        thread_id: THREAD,
        created_at: AT,
        type: "assistant_message",
        content: [{ type: "output_text", text: "```python\nx = 1\n```", annotations: [] }],
      },
    },
  ]);
  transport.end(id, "done");
  await settle();
  await nextFrame();
  const button = (label: string) =>
    chat.root.querySelector<HTMLButtonElement>(`.ckw-code-block button[aria-label="${label}"]`);
  const insert = button("Insert below");
  const replace = button("Replace cell");
  assert.ok(insert && replace && button("Copy code"), "Insert below and Replace cell beside Copy");
  insert.click();
  replace.click();
  await settle();
  assert.deepEqual(calls, [
    ["insert-below", "x = 1"],
    ["replace-cell", "x = 1"],
  ]);
  assert.equal(insert.textContent, "Inserted", "the button says it worked");
  assert.equal(replace.textContent, "No notebook is open.", "or what went wrong");
  assert.equal(replace.dataset.copied, "false");

  // A host without them (the cell widget without the lab extension) shows only Copy.
  chat.update({ codeActions: [] });
  assert.equal(chat.root.dataset.codeActions, undefined);
  chat.dispose();
});

test("History's notebook filter is there when the host knows the notebook and the backend can", () => {
  const { chat, $ } = mount({ notebook: "a.ipynb" });
  const scope = () => $<HTMLButtonElement>(".ckw-history-scope");
  assert.equal(scope()?.hidden, true, "a backend without the feature cannot filter");
  chat.update({ features: ["notebooks"] });
  assert.equal(scope()?.hidden, false);
  chat.update({ notebook: null });
  assert.equal(scope()?.hidden, true, "no notebook open");
  chat.dispose();
});

test("a chat whose kernel is gone says so, ends its reply as interrupted and keeps the draft", async () => {
  const { transport, chat, $ } = mount();
  type(chat, "hello");
  const [{ id, req }] = transport.streams;
  transport.start(id, req);
  transport.events(id, [
    {
      type: "thread.created",
      thread: { id: THREAD, title: null, created_at: AT, status: { type: "active" } },
    },
    {
      type: "thread.item.added",
      item: {
        id: "a1",
        thread_id: THREAD,
        created_at: AT,
        type: "assistant_message",
        content: [{ type: "output_text", text: "", annotations: [] }],
      },
    },
    delta("Half a rep"),
  ]);
  const box = $<HTMLTextAreaElement>("textarea");
  assert.ok(box);
  box.value = "my unsent draft";

  chat.disconnect("The kernel restarted: run the cell again.");
  await nextFrame();
  assert.equal(chat.root.dataset.disconnected, "true");
  assert.equal($(".ckw-composer-notice")?.textContent, "The kernel restarted: run the cell again.");
  assert.equal($(".ckw-composer-notice")?.hidden, false);
  assert.equal(box.readOnly, true, "read-only: the draft can still be selected and copied");
  assert.equal(box.getAttribute("aria-disabled"), "true");
  assert.equal(
    box.value,
    "my unsent draft\n\nhello",
    "nothing typed is lost: the draft, and the message the server never confirmed",
  );
  assert.equal(chat.root.dataset.busy, undefined, "no reply runs any more");
  assert.equal($(".ckw-stop")?.hidden, true, "nothing left to stop");
  assert.equal($(".ckw-working")?.hidden, true);
  assert.match(
    $('.ckw-row[data-item-id="a1"]')?.textContent ?? "",
    /Half a rep/,
    "what was said stays",
  );
  // Said as a reload will say it: interrupted, not stopped by the user, and no Retry row.
  assert.equal(
    $('.ckw-row[data-item-id="a1"] .ckw-incomplete-label')?.textContent,
    "Interrupted: the kernel or server running it stopped",
  );
  assert.equal($('.ckw-row[data-item-id="a1"]')?.getAttribute("data-stopped"), null);
  assert.equal($(".ckw-error"), null);
  const retry = $<HTMLButtonElement>('.ckw-row[data-item-id="a1"] .ckw-action-retry');
  assert.ok(retry, "hidden by CSS, but a click must do nothing either");
  retry.click();
  await nextFrame();
  assert.equal(transport.streams.length, 1, "Retry has nowhere to go");
  assert.ok($('.ckw-row[data-item-id="a1"]'), "and wipes nothing it cannot regenerate");
  assert.equal($<HTMLButtonElement>(".ckw-history-button")?.disabled, true);
  assert.equal($<HTMLButtonElement>(".ckw-new-chat")?.disabled, true);

  box.dispatchEvent(new window.KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
  assert.equal(transport.streams.length, 1, "nothing more is sent");
  assert.match(box.value, /^my unsent draft/);
  chat.dispose();
});

test("Retry in a chat whose kernel is gone keeps the interrupted reply it cannot regenerate", async () => {
  const { transport, chat, $ } = mount();
  type(chat, "hello");
  const [{ id, req }] = transport.streams;
  transport.start(id, req);
  const thread = { id: THREAD, title: null, created_at: AT, status: { type: "active" } };
  const item = { thread_id: THREAD, created_at: AT };
  transport.events(id, [
    { type: "thread.created", thread: { ...thread, items: { data: [], has_more: false } } },
    {
      type: "thread.item.done",
      item: {
        ...item,
        id: "u1",
        type: "user_message",
        content: [{ type: "input_text", text: "hello" }],
        attachments: [],
        inference_options: {},
      },
    },
    {
      type: "thread.item.added",
      item: { ...item, id: "a1", type: "assistant_message", content: [] },
    },
    delta("Half a rep"),
  ]);
  chat.disconnect("The kernel restarted: run the cell again.");
  await nextFrame();
  $<HTMLButtonElement>('.ckw-row[data-item-id="a1"] .ckw-action-retry')?.click();
  await nextFrame();
  assert.equal(transport.streams.length, 1, "nothing is sent");
  assert.match($('.ckw-row[data-item-id="a1"]')?.textContent ?? "", /Half a rep/);
  chat.dispose();
});

test("a chat mounted on no conversation offers to continue the latest one", async () => {
  const { transport, threads, chat, $ } = mount();
  await nextFrame();
  const [list] = transport.requests;
  assert.equal(list?.req.type, "threads.list");
  assert.deepEqual(list?.req.params, { limit: 20, order: "desc" });
  // Listed by creation; the one used last is offered, not the one created last.
  await transport.answer({
    data: [
      { id: "thr_new", title: "Started later", created_at: "2026-12-02T10:00:00Z" },
      {
        id: THREAD,
        title: "Plot rainfall",
        created_at: "2026-12-01T10:00:00Z",
        updated_at: "2026-12-03T10:00:00Z",
      },
    ].map((thread) => ({ ...thread, status: { type: "active" } })),
    has_more: true,
  });
  await nextFrame();
  const resume = $<HTMLButtonElement>(".ckw-resume");
  assert.equal(resume?.textContent, "Continue:Plot rainfall");
  assert.equal(resume?.getAttribute("aria-label"), "Continue: Plot rainfall");
  resume?.click();
  assert.deepEqual(threads, [THREAD]);
  assert.equal(transport.requests[0]?.req.type, "threads.get_by_id");
  assert.equal($(".ckw-resume"), null, "once chosen, it is no longer offered");
  chat.root.querySelector<HTMLButtonElement>("[aria-label='New chat']")?.click();
  await nextFrame();
  assert.equal($(".ckw-resume"), null, "New chat means a new chat");
  chat.dispose();
});

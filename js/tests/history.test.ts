import "./frames";
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Page, Thread, ThreadItem } from "../src/chatkit/types";
import type { ChatKitEvent, ChatKitRequest, EndReason } from "../src/protocol";
import { ChatSession } from "../src/session";
import type { StreamHandle, StreamStart, Transport } from "../src/transport/types";
import {
  HISTORY_PAGE_SIZE,
  HistoryPanel,
  relativeTime,
  SEARCH_DEPTH,
  SEARCH_PAGE_SIZE,
} from "../src/ui/history";
import { Transcript } from "../src/ui/transcript";

/** Let the stubbed frame (scheduled before this) run. */
const nextFrame = () => new Promise((resolve) => setTimeout(resolve, 0));

/** A ChatKit backend in memory, paging the way the SQLite store does (cursor = an id). */
class FakeBackend implements Transport {
  readonly requests: ChatKitRequest[] = [];
  /** Oldest first, like creation order. */
  threads: Thread[] = [];
  readonly items = new Map<string, ThreadItem[]>();
  resumes = 0;
  failing: string | null = null;

  request(req: ChatKitRequest): Promise<unknown> {
    this.requests.push(req);
    return Promise.resolve().then(() => this.answer(req));
  }
  stream(): StreamHandle {
    throw new Error("no streams here");
  }
  cancel(): void {}
  resume(): void {
    this.resumes++;
  }
  onStream(_cb: (start: StreamStart) => void): () => void {
    return () => {};
  }
  onEvents(_cb: (id: string, events: ChatKitEvent[]) => void): () => void {
    return () => {};
  }
  onEnd(_cb: (id: string, reason: EndReason) => void): () => void {
    return () => {};
  }
  dispose(): void {}

  sent(type: string): Array<Record<string, unknown>> {
    return this.requests.filter((req) => req.type === type).map((req) => req.params);
  }

  private answer(req: ChatKitRequest): unknown {
    if (req.type === this.failing) throw new Error("the store is read-only");
    const p = req.params as Record<string, string & number>;
    switch (req.type) {
      case "threads.list": {
        const notebook = req.metadata?.notebook;
        const listed = [...this.threads]
          .reverse()
          .filter((t) => notebook === undefined || t.metadata?.notebook === notebook);
        return page(listed, p.after, p.limit);
      }
      case "threads.update": {
        const thread = this.thread(p.thread_id);
        thread.title = p.title;
        return thread;
      }
      case "threads.delete":
        this.threads = this.threads.filter((t) => t.id !== p.thread_id);
        return {};
      case "threads.get_by_id": {
        const items = this.items.get(p.thread_id) ?? [];
        return { ...this.thread(p.thread_id), items: page(items, undefined, 20) };
      }
      case "items.list": {
        const items = this.items.get(p.thread_id) ?? [];
        return page(p.order === "desc" ? [...items].reverse() : items, p.after, p.limit);
      }
      default:
        throw new Error(`unexpected ${req.type}`);
    }
  }

  private thread(id: string): Thread {
    const thread = this.threads.find((t) => t.id === id);
    if (!thread) throw new Error(`Thread ${id} not found`);
    return thread;
  }
}

function page<T extends { id: string }>(all: T[], after: string | undefined, limit = 20): Page<T> {
  const start = after === undefined ? 0 : all.findIndex((x) => x.id === after) + 1;
  const data = all.slice(start, start + limit);
  const hasMore = start + limit < all.length;
  return { data, has_more: hasMore, after: hasMore ? data[data.length - 1]?.id : undefined };
}

function withThreads(count: number): FakeBackend {
  const backend = new FakeBackend();
  const now = Date.now();
  for (let i = 0; i < count; i++) {
    backend.threads.push({
      id: `thr_${i}`,
      title: `note ${i}`,
      created_at: new Date(now - (count - i) * 1000).toISOString(),
    });
  }
  return backend;
}

async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
}

interface Harness {
  backend: FakeBackend;
  session: ChatSession;
  panel: HistoryPanel;
  opened: string[];
  deleted: string[];
  historyButton: HTMLButtonElement;
  covered: HTMLElement;
}

function harness(backend: FakeBackend): Harness {
  const session = new ChatSession(backend, { threadCreated() {}, restoreText() {} });
  const opened: string[] = [];
  const deleted: string[] = [];
  const panel: HistoryPanel = new HistoryPanel({
    list: (after, limit, notebook) => session.listThreads(after, limit, notebook),
    rename: (id, title) => session.renameThread(id, title),
    remove: (id) => session.deleteThread(id),
    open: (id) => {
      opened.push(id);
      panel.close(false);
    },
    deleted: (id) => deleted.push(id),
    shown: (open) => historyButton.setAttribute("aria-expanded", String(open)),
  });
  const historyButton = document.createElement("button");
  const covered = document.createElement("div");
  document.body.replaceChildren(historyButton, covered, panel.el);
  return { backend, session, panel, opened, deleted, historyButton, covered };
}

async function openPanel(h: Harness): Promise<void> {
  h.panel.open({ below: h.historyButton, covered: [h.covered], returnFocus: h.historyButton });
  await settle();
}

function titles(panel: HistoryPanel): string[] {
  return [...panel.el.querySelectorAll(".ckw-history-title")].map((el) => el.textContent ?? "");
}

function button(root: Element, name: string): HTMLButtonElement {
  const found = [...root.querySelectorAll("button")].find(
    (b) => (b.getAttribute("aria-label") ?? b.textContent) === name,
  );
  assert.ok(found, `a button named ${name}`);
  return found;
}

function row(panel: HistoryPanel, threadId: string): HTMLElement {
  const found = panel.el.querySelector<HTMLElement>(`[data-thread-id="${threadId}"]`);
  assert.ok(found, `a row for ${threadId}`);
  return found;
}

function press(el: Element, key: string): KeyboardEvent {
  const event = new window.KeyboardEvent("keydown", { key, bubbles: true, cancelable: true });
  el.dispatchEvent(event);
  return event;
}

/** Give an element the scroll geometry jsdom lacks: fixed height, content from `height()`. */
function layOut(el: HTMLElement, clientHeight: number, height: () => number): void {
  let top = 0;
  Object.defineProperty(el, "clientHeight", { configurable: true, get: () => clientHeight });
  Object.defineProperty(el, "scrollHeight", { configurable: true, get: height });
  Object.defineProperty(el, "scrollTop", {
    configurable: true,
    get: () => top,
    set: (value: number) => {
      top = Math.max(0, Math.min(value, height() - clientHeight));
    },
  });
}

test("relative times: just now, minutes, hours today, yesterday, then a date", () => {
  const now = new Date(2026, 10, 26, 15, 0, 0);
  const ago = (ms: number) => new Date(now.getTime() - ms).toISOString();
  assert.equal(relativeTime(ago(20_000), now), "just now");
  assert.equal(relativeTime(ago(-5_000), now), "just now", "a clock a little ahead");
  assert.equal(relativeTime(ago(5 * 60_000), now), "5 min ago");
  assert.equal(relativeTime(ago(3 * 3_600_000), now), "3 h ago");
  assert.equal(relativeTime(new Date(2026, 10, 25, 23, 0).toISOString(), now), "yesterday");
  const older = relativeTime(new Date(2026, 10, 20, 9, 0).toISOString(), now);
  assert.match(older, /20/);
  assert.doesNotMatch(older, /2026/, "this year's dates leave the year out");
  assert.match(relativeTime(new Date(2025, 0, 5).toISOString(), now), /2025/);
  assert.equal(relativeTime(undefined, now), "");
});

test("the panel lists threads newest first and pages in more as it is scrolled", async () => {
  const h = harness(withThreads(65));
  const scroller = h.panel.el.querySelector(".ckw-history-scroll") as HTMLElement;
  layOut(scroller, 300, () => scroller.querySelectorAll("li").length * 44);
  await openPanel(h);
  assert.equal(h.historyButton.getAttribute("aria-expanded"), "true");
  assert.equal(h.covered.hasAttribute("inert"), true, "the transcript is out of reach meanwhile");
  assert.deepEqual(titles(h.panel).slice(0, 3), ["note 64", "note 63", "note 62"], "newest first");
  assert.equal(titles(h.panel).length, HISTORY_PAGE_SIZE);
  assert.deepEqual(h.backend.sent("threads.list"), [{ limit: HISTORY_PAGE_SIZE, order: "desc" }]);

  while (titles(h.panel).length < 65) {
    const before = titles(h.panel).length;
    scroller.scrollTop = scroller.scrollHeight; // the user reaches the end of the list
    scroller.dispatchEvent(new window.Event("scroll"));
    await settle();
    assert.ok(titles(h.panel).length > before, "scrolling to the end loads the next page");
  }
  const expected = Array.from({ length: 65 }, (_, i) => `note ${64 - i}`);
  assert.deepEqual(titles(h.panel), expected, "every thread once, newest first");
  assert.deepEqual(
    h.backend.sent("threads.list").map((p) => p.after),
    [undefined, "thr_45", "thr_25", "thr_5"],
    "each page continues after the last thread listed",
  );
  const more = h.panel.el.querySelector(".ckw-history-more") as HTMLButtonElement;
  assert.equal(more.hidden, true, "nothing more to load");
  scroller.dispatchEvent(new window.Event("scroll"));
  await settle();
  assert.equal(h.backend.sent("threads.list").length, 4, "no request past the last page");

  // Reopened later: listed afresh (a thread was deleted elsewhere), as deep, in one request.
  h.panel.close();
  h.backend.threads.pop();
  await openPanel(h);
  assert.deepEqual(h.backend.sent("threads.list").at(-1), { limit: 65, order: "desc" });
  assert.deepEqual(titles(h.panel), expected.slice(1));
});

test("without layout (keyboard, hidden views) Load more pages in", async () => {
  const h = harness(withThreads(25));
  await openPanel(h);
  assert.equal(titles(h.panel).length, 20);
  const more = button(h.panel.el, "Load more");
  assert.equal(more.hidden, false);
  more.click();
  await settle();
  assert.equal(titles(h.panel).length, 25);
  assert.equal(more.hidden, true);
});

test("opening a thread; the open one is marked; untitled threads say New chat", async () => {
  const backend = withThreads(3);
  backend.threads.push({ id: "thr_new", created_at: new Date().toISOString() });
  const h = harness(backend);
  h.panel.setCurrent("thr_1", "note 1");
  await openPanel(h);
  assert.equal(titles(h.panel)[0], "New chat");
  assert.equal(row(h.panel, "thr_new").querySelector("time")?.textContent, "just now");
  const current = h.panel.el.querySelectorAll("[aria-current=true]");
  assert.equal(current.length, 1);
  assert.equal(current[0]?.closest("li")?.dataset.threadId, "thr_1");
  assert.equal(document.activeElement, current[0], "focus starts on the open thread");

  (row(h.panel, "thr_0").querySelector(".ckw-history-open") as HTMLButtonElement).click();
  assert.deepEqual(h.opened, ["thr_0"]);
  assert.equal(h.panel.isOpen, false);
  h.panel.setCurrent("thr_0", "note 0");
  assert.equal(
    row(h.panel, "thr_0").querySelector(".ckw-history-open")?.getAttribute("aria-current"),
    "true",
  );
  assert.equal(
    row(h.panel, "thr_1").querySelector(".ckw-history-open")?.hasAttribute("aria-current"),
    false,
  );
});

test("rename saves on Enter with threads.update; Escape cancels; failures are put back", async () => {
  const h = harness(withThreads(3));
  h.session.openThread("thr_2");
  await settle();
  await openPanel(h);
  button(row(h.panel, "thr_2"), "Rename").click();
  const input = row(h.panel, "thr_2").querySelector("input") as HTMLInputElement;
  assert.equal(input.getAttribute("aria-label"), "Conversation title");
  assert.equal(document.activeElement, input);
  assert.equal(input.value, "note 2");
  input.value = "Groceries";
  press(input, "Enter");
  await settle();
  assert.deepEqual(h.backend.sent("threads.update"), [{ thread_id: "thr_2", title: "Groceries" }]);
  assert.equal(row(h.panel, "thr_2").querySelector(".ckw-history-title")?.textContent, "Groceries");
  assert.equal(h.session.state.title, "Groceries", "the open thread's header follows");
  assert.equal(h.panel.isOpen, true);

  button(row(h.panel, "thr_1"), "Rename").click();
  const other = row(h.panel, "thr_1").querySelector("input") as HTMLInputElement;
  other.value = "never saved";
  const cancelled = press(other, "Escape");
  assert.equal(cancelled.defaultPrevented, true);
  assert.equal(h.panel.isOpen, true, "Escape leaves the rename, not the panel");
  assert.equal(h.backend.sent("threads.update").length, 1);
  assert.equal(row(h.panel, "thr_1").querySelector(".ckw-history-title")?.textContent, "note 1");
  assert.equal(document.activeElement, button(row(h.panel, "thr_1"), "Rename"));

  h.backend.failing = "threads.update";
  button(row(h.panel, "thr_0"), "Rename").click();
  const failing = row(h.panel, "thr_0").querySelector("input") as HTMLInputElement;
  failing.value = "doomed";
  failing.dispatchEvent(new window.FocusEvent("blur")); // blur saves too
  await settle();
  assert.equal(row(h.panel, "thr_0").querySelector(".ckw-history-title")?.textContent, "note 0");
  assert.match(
    h.panel.el.querySelector("[role=status]")?.textContent ?? "",
    /Could not rename: the store is read-only/,
  );
});

test("delete asks first; confirming deletes the thread and drops its row", async () => {
  const h = harness(withThreads(3));
  h.session.openThread("thr_1");
  await settle();
  await openPanel(h);
  button(row(h.panel, "thr_1"), "Delete").click();
  const group = row(h.panel, "thr_1").querySelector("[role=group]") as HTMLElement;
  const labelId = group.getAttribute("aria-labelledby") ?? "";
  assert.equal(document.getElementById(labelId)?.textContent, "Delete “note 1”?");
  assert.equal(document.activeElement, button(group, "Cancel"), "the safe choice has focus");
  button(group, "Cancel").click();
  assert.equal(h.backend.sent("threads.delete").length, 0);
  assert.equal(document.activeElement, button(row(h.panel, "thr_1"), "Delete"));

  button(row(h.panel, "thr_1"), "Delete").click();
  press(document.activeElement as Element, "Escape");
  assert.equal(h.panel.isOpen, true, "Escape backs out of the confirmation only");
  assert.equal(row(h.panel, "thr_1").dataset.mode, "view");

  button(row(h.panel, "thr_1"), "Delete").click();
  button(row(h.panel, "thr_1"), "Yes, delete").click();
  await settle();
  assert.deepEqual(h.backend.sent("threads.delete"), [{ thread_id: "thr_1" }]);
  assert.deepEqual(titles(h.panel), ["note 2", "note 0"]);
  assert.deepEqual(h.deleted, ["thr_1"]);
  assert.equal(h.session.state.threadId, null, "the open thread gave way to a new chat");
  assert.equal(
    document.activeElement?.closest("li")?.dataset.threadId,
    "thr_0",
    "focus moves to the next thread",
  );
});

test("keyboard: arrows move between threads, Escape closes and focus goes back", async () => {
  const h = harness(withThreads(4));
  await openPanel(h);
  const first = document.activeElement as HTMLElement;
  assert.equal(first.closest("li")?.dataset.threadId, "thr_3", "focus is in the panel");
  press(first, "ArrowDown");
  assert.equal(document.activeElement?.closest("li")?.dataset.threadId, "thr_2");
  press(document.activeElement as Element, "End");
  assert.equal(document.activeElement?.closest("li")?.dataset.threadId, "thr_0");
  press(document.activeElement as Element, "ArrowDown");
  assert.equal(document.activeElement?.closest("li")?.dataset.threadId, "thr_0", "stays at end");
  press(document.activeElement as Element, "Home");
  assert.equal(document.activeElement?.closest("li")?.dataset.threadId, "thr_3");
  press(document.activeElement as Element, "Escape");
  assert.equal(h.panel.isOpen, false);
  assert.equal(document.activeElement, h.historyButton);
  assert.equal(h.historyButton.getAttribute("aria-expanded"), "false");
  assert.equal(h.covered.hasAttribute("inert"), false);
});

test("a thread created while the panel is open goes on top; titles follow the server", async () => {
  const h = harness(withThreads(2));
  await openPanel(h);
  h.panel.threadCreated("thr_fresh");
  assert.deepEqual(titles(h.panel), ["New chat", "note 1", "note 0"]);
  h.panel.setCurrent("thr_fresh", "What the user asked first");
  assert.equal(titles(h.panel)[0], "What the user asked first");
  assert.equal(
    row(h.panel, "thr_fresh").querySelector(".ckw-history-open")?.getAttribute("aria-current"),
    "true",
  );
  h.panel.close();
  h.panel.threadCreated("thr_other"); // closed: the next open lists afresh
  await openPanel(h);
  assert.deepEqual(titles(h.panel), ["note 1", "note 0"]);
});

test("a failed listing says so in the panel", async () => {
  const h = harness(withThreads(2));
  h.backend.failing = "threads.list";
  await openPanel(h);
  assert.match(
    h.panel.el.querySelector("[role=status]")?.textContent ?? "",
    /Could not list conversations/,
  );
});

// Long threads: the newest page first, older pages as the transcript is scrolled up.

function longThread(backend: FakeBackend, threadId: string, count: number): void {
  backend.threads.push({ id: threadId, title: "long", created_at: new Date().toISOString() });
  const items: ThreadItem[] = [];
  for (let i = 0; i < count; i++) {
    const user = i % 2 === 0;
    items.push({
      id: `msg_${String(i).padStart(3, "0")}`,
      thread_id: threadId,
      type: user ? "user_message" : "assistant_message",
      created_at: new Date().toISOString(),
      content: [{ type: user ? "input_text" : "output_text", text: `item ${i}`, annotations: [] }],
    });
  }
  backend.items.set(threadId, items);
}

const ids = (session: ChatSession) => session.state.items.map((item) => item.id);
const idRange = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, i) => `msg_${String(from + i).padStart(3, "0")}`);

test("a long thread opens at its newest page and pages older items in", async () => {
  const backend = new FakeBackend();
  longThread(backend, "thr_L", 130);
  const h = harness(backend);
  h.session.openThread("thr_L");
  await settle();
  const pages = backend.sent("items.list");
  assert.equal(pages.length, 1);
  assert.equal(pages[0]?.order, "desc");
  assert.equal(pages[0]?.after, undefined);
  assert.deepEqual(ids(h.session), idRange(80, 130), "the newest 50, oldest first");
  assert.equal(backend.resumes, 1, "running streams are asked for once the thread shows");
  assert.equal(h.session.state.title, "long");
  assert.equal(h.session.state.olderCursor, "msg_080");

  await h.session.loadOlder();
  assert.equal(backend.sent("items.list")[1]?.after, "msg_080");
  assert.deepEqual(ids(h.session), idRange(30, 130));
  await h.session.loadOlder();
  assert.deepEqual(ids(h.session), idRange(0, 130));
  assert.equal(h.session.state.olderCursor, null, "nothing older");
  await h.session.loadOlder();
  assert.equal(backend.sent("items.list").length, 3, "no request past the oldest item");
});

test("a thread opens with one round trip: the thread and its newest page are asked together", async () => {
  const backend = new FakeBackend();
  longThread(backend, "thr_S", 12);
  const h = harness(backend);
  h.session.openThread("thr_S");
  assert.deepEqual(
    backend.requests.map((req) => req.type),
    ["threads.get_by_id", "items.list"],
    "both before either is answered",
  );
  await settle();
  assert.deepEqual(ids(h.session), idRange(0, 12));
  assert.equal(h.session.state.olderCursor, null);
});

test("an older page that arrives after the user moved on is dropped", async () => {
  const backend = new FakeBackend();
  longThread(backend, "thr_L", 80);
  longThread(backend, "thr_M", 4);
  const h = harness(backend);
  h.session.openThread("thr_L");
  await settle();
  const loading = h.session.loadOlder();
  h.session.openThread("thr_M");
  await loading;
  await settle();
  assert.deepEqual(ids(h.session), idRange(0, 4));
  assert.equal(h.session.state.items[0]?.thread_id, "thr_M");
});

/** A wheel turn that scrolls `el` to `top` (a scroll with no gesture is the browser's own). */
function userScroll(el: HTMLElement, top: number): void {
  el.dispatchEvent(new window.WheelEvent("wheel", { deltaY: top - el.scrollTop }));
  el.scrollTop = top;
  el.dispatchEvent(new window.Event("scroll"));
}

/** A transcript 400px tall with 60px rows, open on a thread of `count` messages. */
async function openLongThread(count: number) {
  const backend = new FakeBackend();
  longThread(backend, "thr_L", count);
  const h = harness(backend);
  const transcript = new Transcript(
    h.session.state,
    { retry() {} },
    { loadOlder: () => void h.session.loadOlder(), sendPrompt() {} },
  );
  const el = transcript.el.querySelector(".ckw-scroll") as HTMLElement;
  const rows = () => el.querySelectorAll(".ckw-row").length;
  layOut(el, 400, () => rows() * 60);
  document.body.append(transcript.el);
  h.session.openThread("thr_L");
  await settle();
  return { transcript, el, rows };
}

test("scrolling the transcript to the top pages in older items and keeps the view still", async () => {
  const { transcript, el, rows } = await openLongThread(130);
  await nextFrame();
  assert.equal(rows(), 50);
  assert.equal(el.scrollTop, 50 * 60 - 400, "opens at the newest message");
  const older = el.querySelector(".ckw-older") as HTMLElement;
  assert.equal(older.hidden, false, "says there is more above");

  // The user reads the first loaded message at the top, then scrolls up to it.
  userScroll(el, 10);
  const fromBottom = el.scrollHeight - el.scrollTop;
  await settle();
  await nextFrame();
  assert.equal(rows(), 100);
  assert.equal(el.scrollHeight - el.scrollTop, fromBottom, "what was read stays in place");
  assert.equal(el.querySelector(".ckw-row")?.getAttribute("data-item-id"), "msg_030");

  userScroll(el, 0);
  await settle();
  await nextFrame();
  assert.equal(rows(), 130);
  assert.equal(older.hidden, true, "the oldest message is there");
  transcript.dispose();
});

test("only a user's scroll stops the transcript following the end", async () => {
  const { transcript, el } = await openLongThread(20);
  const jump = transcript.el.querySelector(".ckw-jump") as HTMLElement;
  await nextFrame();
  assert.equal(el.scrollTop, 20 * 60 - 400, "opens at the end");

  // The content shrinks and the browser clamps the view: it goes back to the end.
  layOut(el, 400, () => 20 * 60 - 100);
  el.scrollTop = 500;
  el.dispatchEvent(new window.Event("scroll"));
  await nextFrame();
  assert.equal(el.scrollTop, 700);
  assert.equal(jump.hidden, true);

  // Focus moved to a message above (Tab, find in page): the view stays there.
  el.scrollTop = 300;
  el.dispatchEvent(new window.Event("scroll"));
  await nextFrame();
  assert.equal(el.scrollTop, 300);
  assert.equal(jump.hidden, false);

  // The user scrolls with the wheel while rows resize: the view stays there too.
  layOut(el, 400, () => 20 * 60);
  userScroll(el, 500);
  await nextFrame();
  assert.equal(el.scrollTop, 500);
  assert.equal(jump.hidden, false);
  transcript.dispose();
});

test("History says where each conversation started and can list one notebook's", async () => {
  const backend = withThreads(4);
  const started = ["b.ipynb", "work/a.ipynb", undefined, "work/a.ipynb"];
  started.forEach((notebook, i) => {
    const thread = backend.threads[i];
    if (thread && notebook) thread.metadata = { notebook };
  });
  const h = harness(backend);
  const scope = button(h.panel.el, "This notebook");
  assert.equal(scope.hidden, true, "no filter where the host knows no notebook");
  h.panel.setNotebook("work/a.ipynb");
  assert.equal(scope.hidden, false);
  assert.equal(scope.getAttribute("aria-pressed"), "false");
  assert.match(scope.title, /work\/a\.ipynb/);
  await openPanel(h);
  assert.deepEqual(titles(h.panel), ["note 3", "note 2", "note 1", "note 0"]);
  const notebooks = (id: string) =>
    row(h.panel, id).querySelector(".ckw-history-notebook")?.textContent ?? null;
  assert.deepEqual(["thr_3", "thr_2", "thr_1", "thr_0"].map(notebooks), [
    "a.ipynb",
    null,
    "a.ipynb",
    "b.ipynb",
  ]);
  assert.equal(
    row(h.panel, "thr_3").querySelector(".ckw-history-notebook")?.getAttribute("title"),
    "work/a.ipynb",
  );

  scope.click();
  await settle();
  assert.equal(scope.getAttribute("aria-pressed"), "true");
  assert.deepEqual(titles(h.panel), ["note 3", "note 1"]);
  assert.deepEqual(backend.requests.at(-1)?.metadata, { notebook: "work/a.ipynb" });
  assert.equal(h.panel.el.querySelector(".ckw-history-notebook"), null, "all from this one");

  // The filter follows the notebook the user moves to.
  h.panel.setNotebook("b.ipynb");
  await settle();
  assert.deepEqual(titles(h.panel), ["note 0"]);
  h.panel.setNotebook("c.ipynb");
  await settle();
  assert.deepEqual(titles(h.panel), []);
  assert.equal(
    h.panel.el.querySelector(".ckw-history-status")?.textContent,
    "None started from c.ipynb.",
  );

  scope.click();
  await settle();
  assert.deepEqual(titles(h.panel), ["note 3", "note 2", "note 1", "note 0"]);
  assert.equal(backend.requests.at(-1)?.metadata, undefined);
});

// Date groups and search.

/** Local midnight `days` days ago, plus `hours`. */
function daysAgo(days: number, hours = 1): string {
  const now = new Date();
  return new Date(now.getFullYear(), now.getMonth(), now.getDate() - days, hours).toISOString();
}

function visibleTitles(panel: HistoryPanel): string[] {
  return [...panel.el.querySelectorAll<HTMLElement>(".ckw-history-row")]
    .filter((li) => !li.hidden && !(li.closest(".ckw-history-group") as HTMLElement).hidden)
    .map((li) => li.querySelector(".ckw-history-title")?.textContent ?? "");
}

/** The headings shown, each with the titles of the list it labels. */
function groupsShown(panel: HistoryPanel): Array<[string, string[]]> {
  return [...panel.el.querySelectorAll<HTMLElement>(".ckw-history-group")]
    .filter((group) => !group.hidden)
    .map((group) => {
      const heading = group.querySelector("h3") as HTMLElement;
      const list = group.querySelector("ul") as HTMLElement;
      assert.equal(list.getAttribute("aria-labelledby"), heading.id, "the list is named by it");
      const rows = [...list.querySelectorAll<HTMLElement>(".ckw-history-row")].filter(
        (li) => !li.hidden,
      );
      return [
        heading.textContent ?? "",
        rows.map((li) => li.querySelector(".ckw-history-title")?.textContent ?? ""),
      ];
    });
}

function typeSearch(panel: HistoryPanel, text: string): HTMLInputElement {
  const box = panel.el.querySelector<HTMLInputElement>("input[type=search]");
  assert.ok(box, "a search box");
  box.value = text;
  box.dispatchEvent(new window.Event("input", { bubbles: true }));
  return box;
}

function status(panel: HistoryPanel): string {
  return panel.el.querySelector("[role=status]")?.textContent ?? "";
}

test("threads are grouped under Today, Yesterday, Previous 7 days and Older by last activity", async () => {
  const backend = new FakeBackend();
  // Oldest created first, as the store lists them backwards.
  backend.threads = [
    { id: "thr_old", title: "Old", created_at: daysAgo(40) },
    {
      id: "thr_revived",
      title: "Revived",
      created_at: daysAgo(30),
      updated_at: new Date().toISOString(),
    },
    { id: "thr_week", title: "Monday", created_at: daysAgo(6) },
    { id: "thr_week2", title: "Wednesday", created_at: daysAgo(5), updated_at: daysAgo(2) },
    { id: "thr_yday", title: "Yesterday's", created_at: daysAgo(1) },
    { id: "thr_today", title: "This morning", created_at: daysAgo(0, 0) },
  ];
  const h = harness(backend);
  await openPanel(h);
  assert.deepEqual(groupsShown(h.panel), [
    ["Today", ["Revived", "This morning"]],
    ["Yesterday", ["Yesterday's"]],
    ["Previous 7 days", ["Wednesday", "Monday"]],
    ["Older", ["Old"]],
  ]);
  assert.equal(
    row(h.panel, "thr_revived").querySelector("time")?.textContent,
    "just now",
    "the time is the last activity, not the creation",
  );
  assert.equal(
    row(h.panel, "thr_old").querySelector("time")?.getAttribute("datetime"),
    daysAgo(40),
  );
  for (const heading of h.panel.el.querySelectorAll("h3")) {
    assert.equal(heading.hasAttribute("tabindex"), false, "headings are not focus stops");
  }

  // Arrows go from thread to thread across the groups, never to a heading.
  const order = ["thr_revived", "thr_today", "thr_yday", "thr_week2", "thr_week", "thr_old"];
  assert.equal(document.activeElement?.closest("li")?.dataset.threadId, order[0]);
  for (const id of order.slice(1)) {
    press(document.activeElement as Element, "ArrowDown");
    assert.equal(document.activeElement?.closest("li")?.dataset.threadId, id);
  }
  press(document.activeElement as Element, "Home");
  assert.equal(document.activeElement?.closest("li")?.dataset.threadId, "thr_revived");

  // Deleting the last thread of a group takes its heading too.
  button(row(h.panel, "thr_yday"), "Delete").click();
  button(row(h.panel, "thr_yday"), "Yes, delete").click();
  await settle();
  assert.deepEqual(
    groupsShown(h.panel).map(([heading]) => heading),
    ["Today", "Previous 7 days", "Older"],
  );
  assert.equal(document.activeElement?.closest("li")?.dataset.threadId, "thr_week2");
});

test("pages fill the groups they belong to and keep paging by the server's order", async () => {
  const backend = new FakeBackend();
  for (let i = 0; i < 45; i++) {
    backend.threads.push({ id: `thr_${i}`, title: `note ${i}`, created_at: daysAgo(40 - i / 2) });
  }
  // Created long ago (on the second page), continued today.
  const revived = backend.threads[10] as Thread;
  revived.updated_at = new Date().toISOString();
  const h = harness(backend);
  await openPanel(h);
  const before = groupsShown(h.panel);
  button(h.panel.el, "Load more").click();
  await settle();
  const after = groupsShown(h.panel);
  assert.deepEqual(after[0], ["Today", ["note 10"]], "it joins Today, on top");
  assert.equal(h.panel.el.querySelectorAll("h3").length, after.length, "one heading per group");
  assert.deepEqual(
    after.flatMap(([, rows]) => rows).slice(1, before.flatMap(([, r]) => r).length + 1),
    before.flatMap(([, rows]) => rows),
    "the rows already shown keep their order",
  );
  button(h.panel.el, "Load more").click();
  await settle();
  assert.deepEqual(
    backend.sent("threads.list").map((p) => p.after),
    [undefined, "thr_25", "thr_5"],
    "the cursor is the last thread the server listed, not the last row shown",
  );
  assert.equal(visibleTitles(h.panel).length, 45);
});

test("search filters titles as they are typed, reads further pages, and Escape clears it first", async () => {
  const backend = withThreads(250);
  (backend.threads[10] as Thread).title = "Résumé draft";
  (backend.threads[240] as Thread).title = "Resume the analysis";
  const h = harness(backend);
  await openPanel(h);
  const box = h.panel.el.querySelector("input[type=search]") as HTMLInputElement;
  assert.equal(box.getAttribute("aria-label"), "Search conversations");

  typeSearch(h.panel, "RÉSUMÉ");
  await settle();
  assert.deepEqual(visibleTitles(h.panel), ["Resume the analysis", "Résumé draft"]);
  assert.deepEqual(
    backend.sent("threads.list").map((p) => p.limit),
    [HISTORY_PAGE_SIZE, SEARCH_PAGE_SIZE, SEARCH_PAGE_SIZE, SEARCH_PAGE_SIZE],
    "older pages are read to find titles not listed yet",
  );
  assert.equal(status(h.panel), "");
  typeSearch(h.panel, "draft resume");
  assert.deepEqual(visibleTitles(h.panel), ["Résumé draft"], "every word, in any order");

  // Down from the box to the first match; back up and Enter opens the first match.
  press(box, "ArrowDown");
  assert.equal(document.activeElement?.closest("li")?.dataset.threadId, "thr_10");
  press(document.activeElement as Element, "ArrowDown");
  assert.equal(document.activeElement?.closest("li")?.dataset.threadId, "thr_10", "the only one");

  typeSearch(h.panel, "nothing like it");
  await settle();
  assert.deepEqual(visibleTitles(h.panel), []);
  assert.equal(h.panel.el.querySelector(".ckw-history-group:not([hidden])"), null);
  assert.equal(status(h.panel), "No conversations match “nothing like it”.");

  // Escape empties the box first (everything shows again), then closes the panel.
  box.focus();
  press(box, "Escape");
  assert.equal(h.panel.isOpen, true);
  assert.equal(box.value, "");
  assert.equal(visibleTitles(h.panel).length, 250);
  assert.equal(status(h.panel), "");
  press(box, "Escape");
  assert.equal(h.panel.isOpen, false);
  assert.equal(document.activeElement, h.historyButton);
});

test("a search reads a bounded number of threads, then Load more searches older ones", async () => {
  const backend = withThreads(500);
  (backend.threads[5] as Thread).title = "needle";
  const h = harness(backend);
  await openPanel(h);
  const box = typeSearch(h.panel, "needle");
  await settle();
  const listed = backend.sent("threads.list").length;
  const read = h.panel.el.querySelectorAll(".ckw-history-row").length;
  assert.ok(
    read >= SEARCH_DEPTH && read < SEARCH_DEPTH + SEARCH_PAGE_SIZE,
    "it stops at the bound",
  );
  assert.equal(read, 320);
  assert.equal(status(h.panel), "No conversations match “needle”. Load more to search older ones.");
  const more = button(h.panel.el, "Load more");
  assert.equal(more.hidden, false);
  more.click();
  await settle();
  assert.equal(backend.sent("threads.list").length, listed + 1, "one page per click");
  assert.equal(h.panel.el.querySelectorAll(".ckw-history-row").length, 340);

  // Enter in the box opens the first match once one is listed.
  for (let i = 0; i < 8; i++) {
    button(h.panel.el, "Load more").click();
    await settle();
  }
  assert.deepEqual(visibleTitles(h.panel), ["needle"]);
  assert.equal(status(h.panel), "");
  press(box, "Enter");
  assert.deepEqual(h.opened, ["thr_5"]);
});

test("a rename's or delete's message is not wiped by typing a search", async () => {
  const h = harness(withThreads(3));
  await openPanel(h);
  button(row(h.panel, "thr_2"), "Delete").click();
  button(row(h.panel, "thr_2"), "Yes, delete").click();
  await settle();
  typeSearch(h.panel, "note");
  await settle();
  assert.equal(status(h.panel), "Deleted “note 2”.");
  typeSearch(h.panel, "zzz");
  assert.equal(status(h.panel), "No conversations match “zzz”.");
  typeSearch(h.panel, "");
  assert.equal(status(h.panel), "");
});

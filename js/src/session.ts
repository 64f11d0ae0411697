import { isRecord, type Page, type Thread, type ThreadItem } from "./chatkit/types";
import type { ChatKitRequest } from "./protocol";
import { ThreadState } from "./state/thread-state";
import type { Transport } from "./transport/types";
import { Listeners } from "./util/listeners";

interface RunningStream {
  request: ChatKitRequest | null;
  allowCancel: boolean;
}

export interface SessionHooks {
  /** A stream created the open thread: make it the widget's `thread_id`. */
  threadCreated(threadId: string): void;
  /** A message the server never accepted: give its text back to the user. */
  restoreText(text: string): void;
}

const PAGE_SIZE = 50;

/** Conversation logic without DOM: sending, retry, stop, loading threads, tracking streams. */
export class ChatSession {
  readonly state = new ThreadState();
  private readonly running = new Map<string, RunningStream>();
  private readonly runningListeners = new Listeners<[]>();
  private readonly disposers: Array<() => void>;
  private loadSeq = 0;
  /** A thread is loading: it asks for the running streams (`resume`) once it has loaded. */
  private loadPending = false;

  constructor(
    private readonly transport: Transport,
    private readonly hooks: SessionHooks,
  ) {
    this.disposers = [
      transport.onStream(({ id, request, replay }) => {
        // A new thread started elsewhere (e.g. from Python): its turn replaces what is shown.
        const fresh = !this.running.has(id) && !replay;
        if (fresh && request.type === "threads.create") this.show(null);
        this.track(id, request, replay);
      }),
      transport.onEvents((id, events) => {
        this.track(id, null); // a view rendered mid-stream learns of it from its events
        const result = this.state.apply(id, events);
        const stream = this.running.get(id);
        if (
          stream &&
          result.allowCancel !== undefined &&
          stream.allowCancel !== result.allowCancel
        ) {
          stream.allowCancel = result.allowCancel;
          this.runningListeners.emit();
        }
        if (result.threadCreated) this.hooks.threadCreated(result.threadCreated);
      }),
      transport.onEnd((id, reason) => {
        this.running.delete(id);
        const unsent = this.state.endStream(id, reason);
        if (unsent) this.hooks.restoreText(unsent);
        this.runningListeners.emit();
      }),
    ];
  }

  /** Any stream is running, whoever started it. */
  get busy(): boolean {
    return this.running.size > 0;
  }

  get canStop(): boolean {
    return [...this.running.values()].some((stream) => stream.allowCancel);
  }

  onRunningChange(cb: () => void): () => void {
    return this.runningListeners.add(cb);
  }

  /** Send a user message; returns true once the transport has it. */
  send(text: string): boolean {
    if (this.busy) return false;
    const input = {
      content: [{ type: "input_text", text }],
      attachments: [],
      inference_options: {},
    };
    const threadId = this.state.threadId;
    const request: ChatKitRequest = threadId
      ? { type: "threads.add_user_message", params: { thread_id: threadId, input } }
      : { type: "threads.create", params: { input } };
    const id = this.startStream(request);
    if (id === null) return false;
    this.state.addOptimistic(id, text);
    return true;
  }

  /** Regenerate the reply to the last user message. */
  retry(): void {
    const threadId = this.state.threadId;
    if (this.busy || threadId === null) return;
    // The server deletes the later items without telling us: drop them here first.
    const itemId = this.state.prepareRetry();
    if (itemId === null) return;
    this.startStream({
      type: "threads.retry_after_item",
      params: { thread_id: threadId, item_id: itemId },
    });
  }

  stop(): void {
    for (const [id, stream] of this.running) {
      if (stream.allowCancel) this.transport.cancel(id);
    }
  }

  /** Show `threadId` (null: a new, empty chat). */
  openThread(threadId: string | null): void {
    if (threadId === this.state.threadId) return;
    if (threadId !== null && this.state.threadId === null && this.state.creates(threadId)) {
      // The thread a running stream is creating: its items are arriving already.
      this.state.adoptThread(threadId);
      return;
    }
    this.show(threadId);
  }

  /**
   * Join turns already running (a view displayed mid-turn, or re-rendered): the backend
   * replays them with the text streamed so far. A thread still loading asks once it has
   * loaded (every load does, so a thread left mid-reply and opened again gets the reply back).
   */
  attach(): void {
    if (!this.loadPending) this.transport.resume();
  }

  dispose(): void {
    this.loadSeq++;
    for (const dispose of this.disposers) dispose();
    this.runningListeners.clear();
  }

  private show(threadId: string | null): void {
    this.loadSeq++;
    this.state.reset(threadId);
    this.loadPending = threadId !== null;
    if (threadId !== null) void this.load(threadId, this.loadSeq);
  }

  private startStream(request: ChatKitRequest): string | null {
    try {
      const handle = this.transport.stream(request);
      this.track(handle.id, request);
      return handle.id;
    } catch (err) {
      this.state.addError(`Could not send: ${errorMessage(err)}`, false);
      return null;
    }
  }

  /** Follow a stream (`replay`: re-announced by `resume`, maybe one followed already). */
  private track(id: string, request: ChatKitRequest | null, replay = false): void {
    const threadId = requestThread(request);
    const known = this.running.get(id);
    if (known) {
      known.request ??= request;
      // Re-attach: its events show again if it runs on the open thread.
      this.state.beginStream(id, { threadId });
      return;
    }
    this.running.set(id, { request, allowCancel: true });
    // A threads.create sent or announced now makes the thread this view shows next; a replayed
    // one made its thread earlier (its items name it).
    const creating = request?.type === "threads.create" && !replay;
    this.state.beginStream(id, { threadId, creating });
    this.runningListeners.emit();
  }

  private async load(threadId: string, seq: number): Promise<void> {
    const current = () => seq === this.loadSeq;
    this.state.setLoading(true);
    try {
      const thread = (await this.transport.request({
        type: "threads.get_by_id",
        params: { thread_id: threadId },
      })) as Thread;
      if (!current()) return;
      if (!isRecord(thread) || typeof thread.id !== "string") throw new Error("malformed thread");
      this.state.loadThread(thread);
      let page: Page<ThreadItem> | undefined = thread.items;
      let anchor = lastId(page?.data) ?? null;
      while (page?.has_more && page.after) {
        page = (await this.transport.request({
          type: "items.list",
          params: { thread_id: threadId, after: page.after, order: "asc", limit: PAGE_SIZE },
        })) as Page<ThreadItem>;
        if (!current()) return;
        this.state.loadItems(page?.data ?? [], anchor);
        anchor = lastId(page?.data) ?? anchor;
      }
    } catch (err) {
      if (current())
        this.state.addError(`Could not load this conversation: ${errorMessage(err)}`, false);
    } finally {
      if (current()) {
        this.loadPending = false;
        this.state.setLoading(false);
        // Streams on this thread whose open items the store does not hold yet: replay them.
        this.transport.resume();
      }
    }
  }
}

function requestThread(request: ChatKitRequest | null): string | undefined {
  const threadId = request?.params?.thread_id;
  return typeof threadId === "string" ? threadId : undefined;
}

function lastId(items: ThreadItem[] | undefined): string | undefined {
  return items?.length ? items[items.length - 1]?.id : undefined;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

import { Approvals } from "./approvals";
import {
  isRecord,
  type Page,
  type StructuredInputSubmission,
  type Thread,
  type ThreadItem,
  type WidgetAction,
} from "./chatkit/types";
import { type ClientToolCall, ClientTools } from "./client-tools";
import { type MessageContext, messageInput, requestText } from "./context";
import { type ChatKitRequest, customAction, type EndReason } from "./protocol";
import { ThreadState } from "./state/thread-state";
import type { FeedbackKind } from "./state/types";
import type { Transport } from "./transport/types";
import type { Decision, DecisionOptions } from "./ui/items/tool-row";
import { Listeners } from "./util/listeners";

interface RunningStream {
  request: ChatKitRequest | null;
  allowCancel: boolean;
  /** This view started it (not another view, not a replay): it answers its client tools. */
  own: boolean;
}

export interface SessionHooks {
  /** A stream created the open thread: make it the widget's `thread_id`. */
  threadCreated(threadId: string): void;
  /** A message the server never accepted: give its text (and what it attached) back. */
  restoreText(text: string, contexts?: readonly MessageContext[]): void;
  /** That message is being sent again (Retry): take it back out of the composer. */
  withdrawText?(text: string, contexts?: readonly MessageContext[]): void;
  /** An edit the server never applied: give its text back, still editing `itemId`. */
  restoreEdit?(itemId: string, text: string): void;
  /**
   * Run a client tool a turn this view started ended on; its result continues the turn.
   * Absent: nothing is answered here (the cell widget's kernel answers its own).
   */
  clientTool?(call: ClientToolCall): Promise<unknown>;
}

/** An edit sent and not yet applied by the server. */
interface PendingEdit {
  threadId: string;
  itemId: string;
  text: string;
}

/** The custom action this widget's backend answers by rewriting a user message. */
export const EDIT_ACTION = "chatkit_widget.edit";
/** The custom action that shows another version of an edited message. */
export const VERSION_ACTION = "chatkit_widget.version";
/** The custom action that carries a person's decision on a tool call waiting for approval. */
export { APPROVAL_ACTION } from "./approvals";

const PAGE_SIZE = 50;

/** How many recent widget actions (and answers) a failure's Retry can still send again. */
const RESENDABLE_KEPT = 20;

/** Conversation logic without DOM: sending, retry, stop, loading threads, tracking streams. */
export class ChatSession {
  readonly state = new ThreadState();
  private readonly running = new Map<string, RunningStream>();
  private readonly runningListeners = new Listeners<[]>();
  private readonly edits = new Map<string, PendingEdit>();
  /** Widget actions and answers by stream: a failed one's Retry sends it again. */
  private readonly resendable = new Map<string, ChatKitRequest>();
  /** Streams someone waits on (a widget showing busy until its action's answer is in). */
  private readonly endWaiters = new Map<string, Array<() => void>>();
  private readonly approvals = new Approvals(this.state, {
    busy: () => this.anyRunning,
    stream: (request) => this.startStream(request),
  });
  private readonly clientTools: ClientTools;
  private readonly disposers: Array<() => void>;
  private loadSeq = 0;
  private disconnected = false;
  /** A thread is loading: it asks for the running streams (`resume`) once it has loaded. */
  private loadPending = false;

  constructor(
    private readonly transport: Transport,
    private readonly hooks: SessionHooks,
  ) {
    this.clientTools = new ClientTools(
      this.state,
      {
        stream: (request) => this.startStream(request),
        changed: () => this.runningListeners.emit(),
      },
      hooks.clientTool?.bind(hooks),
    );
    this.disposers = [
      transport.onStream(({ id, request, replay, own = false }) => {
        // A new thread started elsewhere (e.g. from Python): its turn replaces what is shown.
        const fresh = !this.running.has(id) && !replay;
        if (fresh && request.type === "threads.create") this.show(null);
        this.track(id, request, { replay, own });
      }),
      transport.onEvents((id, events) => {
        this.track(id, null); // a view rendered mid-stream learns of it from its events
        // The server took an edit once it rewrites the thread (removes, replaces or adds items).
        if (events.some((event) => event.type.startsWith("thread.item."))) this.edits.delete(id);
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
        if (stream?.own) this.clientTools.observe(id, events);
      }),
      transport.onEnd((id, reason) => this.ended(id, reason)),
      transport.onChanged?.((events) => this.state.applyChanges(events)) ?? (() => {}),
    ];
  }

  /**
   * The backend is gone for good (the kernel restarted): every stream ends as interrupted,
   * and nothing more is sent. What was said stays on screen.
   */
  disconnect(): void {
    this.disconnected = true;
    this.approvals.dropQueued();
    this.clientTools.stop();
    for (const id of [...this.running.keys()]) this.ended(id, "error", true);
    this.runningListeners.emit();
  }

  /**
   * A turn runs on the conversation shown (whoever started it), or the host runs a client
   * tool for one. Turns of other conversations go on meanwhile without making this one busy.
   */
  get busy(): boolean {
    return this.runningTool !== null || this.streamsHere().length > 0;
  }

  /** Any turn runs, in any conversation: queued approval decisions wait for all of them. */
  private get anyRunning(): boolean {
    return this.running.size > 0 || this.clientTools.running !== null;
  }

  /**
   * Stop would do something: cancel a running stream, drop a client tool's result, or end a
   * turn waiting for approval.
   */
  get canStop(): boolean {
    if (this.disconnected) return false;
    if (this.runningTool) return true;
    if (!this.busy) return this.waiting;
    return this.streamsHere().some(([, stream]) => stream.allowCancel);
  }

  /** The conversations with a turn running now (History marks them). */
  get answeringThreads(): Set<string> {
    return this.state.runningThreads();
  }

  /** The client tool call the host runs now for a turn of the conversation shown. */
  get runningTool(): ClientToolCall | null {
    const call = this.clientTools.running;
    return call !== null && call.threadId === this.state.threadId ? call : null;
  }

  /**
   * The open thread's tool calls waiting for a person's decision (call id -> item id). The
   * turn is paused, not over: nothing runs until they are decided or stopped.
   */
  get waitingCalls(): Map<string, string> {
    return this.approvals.waiting;
  }

  get waiting(): boolean {
    return !this.disconnected && this.waitingCalls.size > 0;
  }

  onRunningChange(cb: () => void): () => void {
    return this.runningListeners.add(cb);
  }

  /** Send a user message, with `contexts` attached; returns true once the transport has it. */
  send(text: string, contexts: readonly MessageContext[] = []): boolean {
    if (this.busy) return false;
    const input = messageInput(text, contexts);
    const threadId = this.state.threadId;
    const request: ChatKitRequest = threadId
      ? { type: "threads.add_user_message", params: { thread_id: threadId, input } }
      : { type: "threads.create", params: { input } };
    const id = this.startStream(request);
    if (id === null) return false;
    this.state.addOptimistic(id, text, contexts);
    return true;
  }

  /**
   * Regenerate the reply to the last user message; from error row `rowId` whose message the
   * server never received, send that message again instead.
   */
  retry(rowId?: string): void {
    if (this.busy || this.disconnected) return;
    // A failed widget action (or answer) is sent again; regenerating the last reply would
    // redo a turn the action never reached.
    const failed = rowId === undefined ? null : this.state.failedStream(rowId);
    const again = failed === null ? undefined : this.resendable.get(failed);
    if (rowId !== undefined && again !== undefined) {
      this.state.dismissError(rowId);
      void this.streamUntilEnd(again);
      return;
    }
    const resend = rowId === undefined ? null : this.state.resendText(rowId);
    if (rowId !== undefined && resend !== null) {
      // Sent first: if the transport refuses, the text stays in the composer and the row stays.
      const contexts = this.state.resendContexts(rowId);
      if (this.send(resend, contexts)) this.hooks.withdrawText?.(resend, contexts);
      return;
    }
    const threadId = this.state.threadId;
    if (threadId === null) return;
    // The server deletes the later items without telling us: drop them here first.
    const itemId = this.state.prepareRetry();
    if (itemId === null) return;
    this.startStream({
      type: "threads.retry_after_item",
      params: { thread_id: threadId, item_id: itemId },
    });
  }

  /**
   * Rewrite user message `itemId` and continue the thread from it: the server removes the
   * later items, replaces the message and streams a new reply. Shown at once; returns true
   * once the transport has it.
   */
  edit(itemId: string, text: string): boolean {
    const threadId = this.state.threadId;
    if (this.busy || threadId === null || !this.state.prepareEdit(itemId, text)) return false;
    const id = this.startStream(customAction(threadId, EDIT_ACTION, { item_id: itemId, text }));
    if (id === null) {
      this.editFailed({ threadId, itemId, text });
      return false;
    }
    this.edits.set(id, { threadId, itemId, text });
    return true;
  }

  /**
   * Show version `index` of edited message `itemId`: the server swaps the message and what
   * followed it for that version's (streamed as removals and replacements). Returns true
   * once the transport has it.
   */
  showVersion(itemId: string, index: number): boolean {
    const threadId = this.state.threadId;
    if (this.busy || threadId === null) return false;
    const request = customAction(threadId, VERSION_ACTION, { item_id: itemId, index });
    return this.startStream(request) !== null;
  }

  /**
   * Run widget item `itemId`'s server action (ChatKit's `threads.custom_action`): the
   * server's answer streams into the open thread like a reply. Resolves when that stream has
   * ended, or at once when nothing was sent (a turn is running, no thread is open).
   */
  customAction(itemId: string, action: WidgetAction): Promise<void> {
    return this.answerItem("threads.custom_action", { item_id: itemId, action });
  }

  /**
   * Answer or skip structured input item `itemId` (`threads.add_structured_input`); the turn
   * goes on in the stream. Resolves when that stream has ended, or at once when nothing was
   * sent.
   */
  submitStructuredInput(itemId: string, input: StructuredInputSubmission): Promise<void> {
    return this.answerItem("threads.add_structured_input", { item_id: itemId, input });
  }

  /** Stream request `type` about an item of the open thread, unless a turn runs there. */
  private answerItem(type: string, params: Record<string, unknown>): Promise<void> {
    const threadId = this.state.threadId;
    if (this.busy || threadId === null) return Promise.resolve();
    return this.streamUntilEnd({ type, params: { thread_id: threadId, ...params } });
  }

  private streamUntilEnd(request: ChatKitRequest): Promise<void> {
    const id = this.startStream(request);
    if (id === null) return Promise.resolve();
    this.resendable.set(id, request);
    // Only a recent failure's row offers Retry; older requests need not be kept.
    if (this.resendable.size > RESENDABLE_KEPT) {
      this.resendable.delete(this.resendable.keys().next().value as string);
    }
    return new Promise((resolve) => {
      // It may have ended already (a transport that fails at once).
      if (!this.running.has(id)) resolve();
      else this.endWaiters.set(id, [...(this.endWaiters.get(id) ?? []), resolve]);
    });
  }

  /** Rate a reply (shown at once, put back if the server refuses). */
  async feedback(itemId: string, kind: FeedbackKind): Promise<void> {
    const threadId = this.state.threadId;
    if (threadId === null) return;
    const previous = this.state.setFeedback(itemId, kind);
    try {
      await this.transport.request({
        type: "items.feedback",
        params: { thread_id: threadId, item_ids: [itemId], kind },
      });
    } catch (err) {
      if (this.state.threadId !== threadId) return;
      this.state.setFeedback(itemId, previous);
      this.state.addError(`Could not save feedback: ${errorMessage(err)}`, false);
    }
  }

  /**
   * Decide on tool call `callId` of the open thread, which waits for approval. Made while a
   * stream runs (another decision, most likely: they must not race on the paused run), it
   * is sent once none does. Returns false when it cannot be sent.
   */
  decide(callId: string, decision: Decision, options: DecisionOptions = {}): boolean {
    return this.approvals.decide(callId, decision, options);
  }

  /** A decision on `callId` is on its way (sent and not settled, or queued). */
  deciding(callId: string): boolean {
    return this.approvals.deciding(callId);
  }

  /**
   * Stop the running streams and the client tool the host runs (its result is not sent);
   * with neither, end the turn waiting for approval (its waiting calls never run). Its
   * decisions not sent yet are dropped either way.
   */
  stop(): void {
    this.approvals.dropQueued(this.state.threadId);
    // A client tool of another conversation runs on: Stop here is not about it.
    const toolStopped = this.runningTool !== null && this.clientTools.stop();
    if (toolStopped) this.runningListeners.emit();
    if (this.streamsHere().length === 0) {
      if (!toolStopped) this.approvals.stop();
      return;
    }
    for (const [id, stream] of this.streamsHere()) {
      if (stream.allowCancel) this.transport.cancel(id);
    }
  }

  /** Show `threadId` (null: a new, empty chat). */
  openThread(threadId: string | null): void {
    // New chat while this view's first message is still creating its thread: leave it too.
    const creatingHere = threadId === null && this.busy;
    if (threadId === this.state.threadId && !creatingHere) return;
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

  /** Page in the open thread's items before those shown (the user scrolled to the top). */
  async loadOlder(): Promise<void> {
    const { threadId, olderCursor } = this.state;
    if (threadId === null || olderCursor === null || this.state.loadingOlder) return;
    const seq = this.loadSeq;
    this.state.setOlder(olderCursor, true);
    try {
      const page = await this.itemsBefore(threadId, olderCursor);
      if (seq !== this.loadSeq) return;
      this.state.loadItems(page.data.reverse(), null);
      this.state.setOlder(page.has_more ? (page.after ?? null) : null, false);
    } catch (err) {
      if (seq !== this.loadSeq) return;
      this.state.setOlder(olderCursor, false);
      this.state.addError(`Could not load earlier messages: ${errorMessage(err)}`, false);
    }
  }

  /**
   * A page of conversations, newest first (`after`: the last one already listed; `notebook`:
   * only those started from it, for a backend with the "notebooks" feature).
   */
  async listThreads(
    after: string | null,
    limit: number,
    notebook: string | null = null,
  ): Promise<Page<Thread>> {
    const params: Record<string, unknown> = { limit, order: "desc" };
    if (after !== null) params.after = after;
    const request: ChatKitRequest = { type: "threads.list", params };
    if (notebook !== null) request.metadata = { notebook };
    const page = await this.transport.request(request);
    if (!isRecord(page) || !Array.isArray(page.data)) throw new Error("malformed thread list");
    return page as unknown as Page<Thread>;
  }

  async renameThread(threadId: string, title: string): Promise<void> {
    await this.transport.request({
      type: "threads.update",
      params: { thread_id: threadId, title },
    });
    if (this.state.threadId === threadId) this.state.setTitle(title);
  }

  /** Delete a conversation; the open one gives way to a new, empty chat. */
  async deleteThread(threadId: string): Promise<void> {
    await this.transport.request({ type: "threads.delete", params: { thread_id: threadId } });
    if (this.state.threadId === threadId) this.show(null);
  }

  dispose(): void {
    this.loadSeq++;
    for (const dispose of this.disposers) dispose();
    this.clientTools.dispose();
    this.runningListeners.clear();
    // Nothing will end those streams for this view now: let their buttons go.
    for (const waiters of this.endWaiters.values()) for (const resolve of waiters) resolve();
    this.endWaiters.clear();
  }

  /** The running streams of the conversation shown. */
  private streamsHere(): Array<[string, RunningStream]> {
    return [...this.running].filter(([id]) => this.state.runsHere(id));
  }

  /** A stream ended: settle its rows, give back what never reached the server. */
  private ended(id: string, reason: EndReason, gone = false): void {
    this.running.delete(id);
    const contexts = this.state.pendingContexts(id);
    const unsent = this.state.endStream(id, reason, gone);
    if (unsent) this.hooks.restoreText(unsent, contexts);
    const edit = this.edits.get(id);
    this.edits.delete(id);
    if (edit) this.editFailed(edit);
    // Before the approvals: a call that runs now keeps queued decisions waiting.
    this.clientTools.streamEnded(id, reason);
    this.approvals.streamEnded(id);
    this.runningListeners.emit();
    const waiters = this.endWaiters.get(id) ?? [];
    this.endWaiters.delete(id);
    for (const resolve of waiters) resolve();
  }

  /**
   * The server never applied an edit: the items dropped for it are still stored, so the
   * thread is loaded again as stored, and the new text goes back to the user.
   */
  private editFailed(edit: PendingEdit): void {
    if (this.state.threadId !== edit.threadId) {
      // The user has moved on to another thread: the text comes back as a plain draft.
      this.hooks.restoreText(edit.text);
      return;
    }
    this.show(edit.threadId);
    this.hooks.restoreEdit?.(edit.itemId, edit.text);
  }

  private show(threadId: string | null): void {
    this.loadSeq++;
    this.state.reset(threadId);
    this.loadPending = threadId !== null;
    if (threadId !== null) void this.load(threadId, this.loadSeq);
  }

  private startStream(request: ChatKitRequest): string | null {
    if (this.disconnected) return null;
    try {
      const handle = this.transport.stream(request);
      this.track(handle.id, request, { own: true });
      return handle.id;
    } catch (err) {
      this.state.addError(`Could not send: ${errorMessage(err)}`, false);
      return null;
    }
  }

  /**
   * Follow a stream (`replay`: re-announced by `resume`, maybe one followed already; `own`:
   * this view started it).
   */
  private track(
    id: string,
    request: ChatKitRequest | null,
    { replay = false, own = false } = {},
  ): void {
    const threadId = requestThread(request);
    // A message sent from elsewhere has no row here: an error names it (ThreadState).
    const message = own ? undefined : requestText(request);
    const known = this.running.get(id);
    if (known) {
      known.request ??= request;
      // The transport may announce a stream before `stream()` returns it.
      known.own ||= own;
      // Re-attach: its events show again if it runs on the open thread.
      this.state.beginStream(id, { threadId, ...(known.own ? {} : { message }) });
      return;
    }
    this.running.set(id, { request, allowCancel: true, own });
    // A threads.create sent or announced now makes the thread this view shows next; a replayed
    // one made its thread earlier (its items name it).
    const creating = request?.type === "threads.create" && !replay;
    this.state.beginStream(id, { threadId, creating, message });
    this.runningListeners.emit();
  }

  /** Items of a thread newest first, from before `cursor` (null: the newest). */
  private async itemsBefore(threadId: string, cursor: string | null): Promise<Page<ThreadItem>> {
    const params: Record<string, unknown> = {
      thread_id: threadId,
      order: "desc",
      limit: PAGE_SIZE,
    };
    if (cursor !== null) params.after = cursor;
    const page = await this.transport.request({ type: "items.list", params });
    if (!isRecord(page) || !Array.isArray(page.data)) throw new Error("malformed item page");
    return page as unknown as Page<ThreadItem>;
  }

  private async load(threadId: string, seq: number): Promise<void> {
    const current = () => seq === this.loadSeq;
    this.state.setLoading(true);
    try {
      // One round trip: the thread and its newest page at once. (get_by_id's own items are
      // the oldest ones: the newest page is what opens.)
      const [thread, page] = await Promise.all([
        this.transport.request({ type: "threads.get_by_id", params: { thread_id: threadId } }),
        this.itemsBefore(threadId, null),
      ]);
      if (!current()) return;
      if (!isRecord(thread) || typeof thread.id !== "string") throw new Error("malformed thread");
      const items = { data: page.data.reverse(), has_more: false };
      this.state.loadThread({ ...(thread as unknown as Thread), items });
      this.state.setOlder(page.has_more ? (page.after ?? null) : null, false);
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

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

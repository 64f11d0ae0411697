import {
  type ErrorRow,
  isRecord,
  isThreadItem,
  type Thread,
  type ThreadItem,
} from "../chatkit/types";
import { type MessageContext, messageContent, quotedText } from "../context";
import type { ChatKitEvent, EndReason } from "../protocol";
import { Listeners } from "../util/listeners";
import { ItemList } from "./item-list";
import { applyItemUpdate } from "./item-updates";
import { learnThread, type StreamInfo, Streams, type StreamTarget, shows } from "./streams";
import {
  type ApplyResult,
  type FeedbackKind,
  type ItemMeta,
  newMeta,
  type StateChange,
  type ThreadStatus,
} from "./types";

/** A message shown before the server confirmed it. */
interface Pending {
  itemId: string;
  text: string;
  contexts: readonly MessageContext[];
}

/**
 * The open thread and its ordered items, kept in step with ChatKit stream events.
 *
 * Streams are followed whatever thread is open; only the events of streams that run on the
 * open thread (or create it) reach the items, so a view that leaves a thread mid-reply and
 * comes back can pick the reply up again.
 */
export class ThreadState {
  threadId: string | null = null;
  title: string | null = null;
  status: ThreadStatus = "active";
  /** Why the thread is locked or closed, when the server says. */
  statusReason: string | null = null;
  progress: string | null = null;
  loading = false;
  /** Paging cursor of the items before those loaded (null: none; long threads open at the end). */
  olderCursor: string | null = null;
  loadingOlder = false;

  private readonly list = new ItemList();
  private readonly itemStream = new Map<string, string>();
  private readonly pendingByStream = new Map<string, Pending>();
  private readonly streamsWithError = new Set<string>();
  /** Error rows raised while the thread was locked or closed: they go when it reopens. */
  private readonly statusErrors = new Set<string>();
  private readonly streams = new Streams();
  private readonly listeners = new Listeners<[StateChange]>();
  private localSeq = 0;

  subscribe(cb: (change: StateChange) => void): () => void {
    return this.listeners.add(cb);
  }

  get items(): ThreadItem[] {
    return this.list.items;
  }

  item(id: string): ThreadItem | undefined {
    return this.list.item(id);
  }

  meta(id: string): ItemMeta {
    return this.list.storedMeta(id) ?? newMeta();
  }

  /** Draw an item's row again, unchanged (e.g. a decision on it did not go through). */
  redraw(id: string): void {
    if (!this.list.item(id)) return;
    this.list.touch(id);
    this.flush();
  }

  /** Switch to another thread (or none). Streams running on it are shown again when it opens. */
  reset(threadId: string | null): void {
    this.list.clear();
    this.statusErrors.clear();
    this.itemStream.clear();
    // A message not yet confirmed leaves the view, but its text is still given back if it fails.
    for (const pending of this.pendingByStream.values()) pending.itemId = "";
    this.streams.leave();
    this.threadId = threadId;
    this.title = null;
    this.status = "active";
    this.statusReason = null;
    this.progress = null;
    this.loading = false;
    this.olderCursor = null;
    this.loadingOlder = false;
    Object.assign(this.list.change, { order: true, thread: true, progress: true });
    this.flush();
  }

  /** Take on a thread id without reloading (the items are already here). */
  adoptThread(threadId: string): void {
    this.threadId = threadId;
    this.list.change.thread = true;
    this.flush();
  }

  setLoading(loading: boolean): void {
    this.loading = loading;
    this.list.change.thread = true;
    this.flush();
  }

  /** Whether older items remain to page in (their cursor), and whether a page is on its way. */
  setOlder(cursor: string | null, loading: boolean): void {
    this.olderCursor = cursor;
    this.loadingOlder = loading;
    this.list.change.thread = true;
    this.flush();
  }

  /** The open thread was renamed here (no thread.updated event follows a threads.update). */
  setTitle(title: string | null): void {
    this.title = title;
    this.list.change.thread = true;
    this.flush();
  }

  /** Merge a page of stored items after the previously loaded ones (the first page goes first). */
  loadThread(thread: Thread): void {
    this.setThreadInfo(thread);
    this.loadItems(thread.items?.data ?? [], null);
  }

  loadItems(items: ThreadItem[], after: string | null): void {
    let anchor = after;
    for (const item of items) {
      if (!isThreadItem(item)) continue;
      const meta = this.list.storedMeta(item.id);
      // A live stream may already hold a newer version of this item than the store had.
      if (!meta) this.list.insert(item, storedMeta(item), anchor);
      else if (meta.done) {
        this.list.replace(item);
        meta.stopped ||= item.stopped === true;
        meta.feedback = feedbackOf(item) ?? meta.feedback;
      }
      anchor = item.id;
    }
    this.flush();
  }

  /**
   * Follow a stream, or (for one already followed, e.g. replayed by `resume`) learn more
   * about it. Its events reach the items only while it runs on the open thread.
   */
  beginStream(streamId: string, target: StreamTarget = {}): void {
    this.streams.begin(streamId, target);
  }

  /** A stream followed here may be creating `threadId` for this view (its events show). */
  creates(threadId: string): boolean {
    return this.streams.creates(threadId);
  }

  apply(streamId: string, events: ChatKitEvent[]): ApplyResult {
    const result: ApplyResult = {};
    const stream = this.streams.get(streamId);
    for (const event of events) this.applyOne(streamId, stream, event, result);
    this.flush();
    return result;
  }

  /**
   * Apply what a JSON request changed (a rename, feedback; maybe from another view). Like a
   * stream's events, but nothing stays open: items keep their done state.
   */
  applyChanges(events: ChatKitEvent[]): void {
    const id = `changes_${++this.localSeq}`;
    this.apply(id, events);
    this.streams.end(id);
    for (const [itemId, owner] of this.itemStream) {
      if (owner === id) this.itemStream.delete(itemId);
    }
  }

  /**
   * Settle what the stream left open. Returns the text of an optimistic message the server
   * never confirmed (the caller gives it back to the user), or null. `gone`: the backend died
   * (a restarted kernel): a partial reply says it was interrupted, as it will when reloaded,
   * and no error row offers a Retry that has nowhere to go.
   */
  endStream(streamId: string, reason: EndReason, gone = false): string | null {
    const stream = this.streams.end(streamId) ?? { threadId: undefined, creating: false };
    const pending = this.pendingByStream.get(streamId);
    this.pendingByStream.delete(streamId);
    let unconfirmed: string | null = null;
    if (pending && reason !== "done") {
      unconfirmed = pending.text;
      if (pending.itemId) this.remove(pending.itemId);
    }
    if (!shows(stream, this.threadId)) {
      // A stream of another thread: nothing of it is on screen to settle.
      this.streamsWithError.delete(streamId);
      this.flush();
      return unconfirmed;
    }
    if (this.progress !== null) this.setProgress(null);
    for (const [itemId, owner] of this.itemStream) {
      if (owner !== streamId) continue;
      const meta = this.meta(itemId);
      const item = this.list.item(itemId);
      if (reason !== "done") {
        meta.interrupted = true;
        if (gone && !meta.done && item?.type === "assistant_message") {
          this.list.replace({ ...item, incomplete: true, interrupted: true } as ThreadItem);
        } else if (!meta.done) meta.stopped = true;
      }
      meta.done = true;
      this.itemStream.delete(itemId);
      this.list.touch(itemId);
    }
    if (reason === "error" && !gone && !this.streamsWithError.has(streamId)) {
      // Retrying only makes sense once the server holds this turn's user message.
      this.addError("The reply was interrupted.", unconfirmed === null);
    }
    this.streamsWithError.delete(streamId);
    this.flush();
    return unconfirmed;
  }

  /**
   * What an error event's Retry does. A backend marks an error `unsent` when the server
   * refused the request before taking it: the view that sent the message sends it again. A
   * turn whose message is unconfirmed otherwise may or may not be held by the server, and
   * another view does not have the text: neither retries (the text is back in the composer).
   */
  private retryOf(
    streamId: string,
    event: ChatKitEvent,
  ): [boolean, string?, (readonly MessageContext[])?] {
    const pending = this.pendingByStream.get(streamId);
    if (event.unsent === true) {
      return pending ? [event.allow_retry === true, pending.text, pending.contexts] : [false];
    }
    return [event.allow_retry === true && !pending];
  }

  addOptimistic(streamId: string, text: string, contexts: readonly MessageContext[] = []): string {
    // A new message moves the conversation on: earlier error rows (and their Retry) are stale.
    for (const itemId of [...this.list.ids]) {
      if (this.list.item(itemId)?.type === "error") this.remove(itemId);
    }
    const id = `pending_${++this.localSeq}`;
    this.pendingByStream.set(streamId, { itemId: id, text, contexts });
    // Sent from this view: the stream runs on the open thread, or creates the one shown next.
    if (this.threadId === null) this.beginStream(streamId, { creating: true });
    else this.beginStream(streamId, { threadId: this.threadId });
    const quoted = quotedText(contexts);
    this.list.insert(
      {
        id,
        type: "user_message",
        thread_id: this.threadId ?? undefined,
        content: messageContent(text, contexts),
        ...(quoted === null ? {} : { quoted_text: quoted }),
      },
      { ...newMeta(), optimistic: true },
    );
    this.flush();
    return id;
  }

  /** What stream `streamId`'s unconfirmed message had attached (given back with its text). */
  pendingContexts(streamId: string): readonly MessageContext[] {
    return this.pendingByStream.get(streamId)?.contexts ?? [];
  }

  /**
   * Show an error row. With `resend`, the text of a message the server never received (and
   * what it had attached), its Retry sends that message again (retrying the previous turn
   * would regenerate the wrong reply).
   */
  addError(
    message: string,
    allowRetry: boolean,
    resend?: string,
    resendContexts: readonly MessageContext[] = [],
    streamId?: string,
  ): void {
    const canRetry = allowRetry && (resend !== undefined || this.lastUserMessageId() !== null);
    const id = `local_error_${++this.localSeq}`;
    if (this.status !== "active") this.statusErrors.add(id);
    this.list.insert({
      id,
      type: "error",
      // Its text is back in the composer; say why it is not in the transcript.
      message: resend === undefined ? message : `${message} Your message was not sent.`,
      allow_retry: canRetry,
      ...(canRetry && resend !== undefined ? { resend_text: resend } : {}),
      ...(canRetry && resendContexts.length > 0 ? { resend_contexts: resendContexts } : {}),
      ...(canRetry && streamId !== undefined ? { stream_id: streamId } : {}),
    });
    this.flush();
  }

  /** The message error row `rowId` sends again on Retry, or null (it regenerates instead). */
  resendText(rowId: string): string | null {
    const row = this.list.item(rowId);
    return row?.type === "error" ? ((row as ErrorRow).resend_text ?? null) : null;
  }

  /** The stream whose failure error row `rowId` shows, if it says so. */
  failedStream(rowId: string): string | null {
    const row = this.list.item(rowId);
    return row?.type === "error" && typeof row.stream_id === "string" ? row.stream_id : null;
  }

  /** Take error row `rowId` away (its Retry is under way). */
  dismissError(rowId: string): void {
    if (this.list.item(rowId)?.type !== "error") return;
    this.remove(rowId);
    this.flush();
  }

  /** What the message error row `rowId` sends again had attached. */
  resendContexts(rowId: string): readonly MessageContext[] {
    const contexts = this.list.item(rowId)?.resend_contexts;
    return Array.isArray(contexts) ? (contexts as MessageContext[]) : [];
  }

  lastUserMessageId(): string | null {
    const ids = this.list.ids;
    for (let i = ids.length - 1; i >= 0; i--) {
      const id = ids[i] as string;
      if (this.list.item(id)?.type === "user_message" && !this.meta(id).optimistic) return id;
    }
    return null;
  }

  /** Drop what a retry regenerates: every item after the last user message, and error rows. */
  prepareRetry(): string | null {
    const userId = this.lastUserMessageId();
    if (userId === null) return null;
    const ids = [...this.list.ids];
    const keep = ids.slice(0, ids.indexOf(userId) + 1);
    for (const id of ids) {
      if (!keep.includes(id) || this.list.item(id)?.type === "error") this.remove(id);
    }
    this.flush();
    return userId;
  }

  /**
   * Show an edit before the server confirms it: the user message takes the new text and
   * everything after it (the turns it led to) is dropped. False if there is no such message.
   */
  prepareEdit(itemId: string, text: string): boolean {
    const item = this.list.item(itemId);
    if (item?.type !== "user_message" || this.meta(itemId).optimistic) return false;
    const ids = [...this.list.ids];
    const after = ids.slice(ids.indexOf(itemId) + 1);
    for (const id of ids) {
      if (after.includes(id) || this.list.item(id)?.type === "error") this.remove(id);
    }
    this.list.replace({ ...item, content: [{ type: "input_text", text }] });
    this.flush();
    return true;
  }

  /**
   * Client tool call `itemId` was answered here: ChatKit stores the result without telling
   * the client, so it shows what the store now holds.
   */
  completeCall(itemId: string, output: unknown): void {
    const item = this.list.item(itemId);
    if (item?.type !== "client_tool_call") return;
    this.list.replace({ ...item, status: "completed", output });
    this.flush();
  }

  /** Client tool call `itemId` will never get its result (stopped): its row stops spinning. */
  abandonCall(itemId: string): void {
    const meta = this.list.storedMeta(itemId);
    if (!meta) return;
    meta.interrupted = true;
    this.list.touch(itemId);
    this.flush();
  }

  /** Record a reply's rating; returns the one it had (to put back if the server refuses). */
  setFeedback(itemId: string, kind: FeedbackKind | null): FeedbackKind | null {
    const meta = this.list.storedMeta(itemId);
    if (!meta) return null;
    const previous = meta.feedback;
    meta.feedback = kind;
    this.list.touch(itemId);
    this.flush();
    return previous;
  }

  private applyOne(
    streamId: string,
    stream: StreamInfo,
    event: ChatKitEvent,
    result: ApplyResult,
  ): void {
    // First what holds whichever thread the stream runs on: the Stop button, the thread the
    // stream turns out to run on, and whether the server took the message sent.
    if (event.type === "stream_options") {
      if (isRecord(event.stream_options))
        result.allowCancel = event.stream_options.allow_cancel !== false;
      return;
    }
    learnThread(stream, event);
    if (isThreadItem(event.item) && event.item.type === "user_message") {
      stream.confirmed = true;
      this.confirm(streamId);
    }
    if (!shows(stream, this.threadId)) return;
    switch (event.type) {
      case "thread.created":
      case "thread.updated": {
        const thread = isRecord(event.thread) ? event.thread : undefined;
        if (!thread || typeof thread.id !== "string") return;
        if (event.type === "thread.created") result.threadCreated = thread.id;
        this.setThreadInfo(thread as unknown as Thread);
        return;
      }
      case "thread.item.added":
      case "thread.item.done":
      case "thread.item.replaced":
        this.upsert(streamId, event.item, event.type);
        return;
      case "thread.item.updated": {
        const item = typeof event.item_id === "string" ? this.list.item(event.item_id) : undefined;
        if (!item || !isRecord(event.update)) {
          console.debug("chatkit-widget: update for unknown item", event);
          return;
        }
        if (applyItemUpdate(item, event.update)) this.list.touch(item.id);
        else console.debug("chatkit-widget: ignored item update", event.update.type);
        return;
      }
      case "thread.item.removed":
        if (typeof event.item_id === "string") this.remove(event.item_id);
        return;
      case "progress_update":
        this.setProgress(typeof event.text === "string" ? event.text : null);
        return;
      case "notice":
        this.list.insert({ ...event, id: `local_notice_${++this.localSeq}`, type: "notice" });
        return;
      case "error": {
        this.streamsWithError.add(streamId);
        const text =
          typeof event.message === "string" && event.message
            ? event.message
            : "Something went wrong.";
        // Sent from elsewhere and refused: say which message, since no row of it is shown.
        const refused =
          stream.message && !stream.confirmed && !this.pendingByStream.has(streamId)
            ? ` The message “${clip(stream.message)}” was not sent.`
            : "";
        const [allowRetry, resend, contexts] = this.retryOf(streamId, event);
        this.addError(text + refused, allowRetry, resend, contexts, streamId);
        return;
      }
      case "client_effect":
        return;
      default:
        console.debug("chatkit-widget: ignored event", event.type);
    }
  }

  /** Stream `streamId` runs on the thread shown (or creates it): its turn is this view's. */
  runsHere(streamId: string): boolean {
    return this.streams.runsOn(streamId, this.threadId);
  }

  /** The threads (known so far) that streams followed here run on. */
  runningThreads(): Set<string> {
    return this.streams.threads();
  }

  /** The server has the message this stream sent: its optimistic row gives way. */
  private confirm(streamId: string): void {
    const pending = this.pendingByStream.get(streamId);
    if (!pending) return;
    this.pendingByStream.delete(streamId);
    if (pending.itemId) this.remove(pending.itemId);
  }

  private upsert(streamId: string, shared: unknown, kind: string): void {
    if (!isThreadItem(shared)) return;
    // Every view of a widget gets the same message object, and deltas are applied to items in
    // place: each view needs its own copy (once per item event, not per delta).
    const raw = structuredClone(shared);
    // An item of a thread this view is not showing.
    if (raw.thread_id && raw.thread_id !== this.threadId) return;
    const existing = this.list.storedMeta(raw.id);
    const done =
      kind === "thread.item.added"
        ? false
        : kind === "thread.item.done"
          ? true
          : (existing?.done ?? true);
    if (existing) {
      this.list.replace(raw);
      existing.done = done;
      existing.stopped ||= raw.stopped === true;
      existing.feedback = feedbackOf(raw) ?? existing.feedback;
      this.list.touch(raw.id);
    } else {
      this.list.insert(raw, { ...storedMeta(raw), done });
      if (this.progress !== null) this.setProgress(null);
    }
    this.itemStream.set(raw.id, streamId);
  }

  private remove(id: string): void {
    if (this.list.remove(id)) this.itemStream.delete(id);
  }

  private setThreadInfo(thread: Thread): void {
    this.threadId = thread.id;
    if (typeof thread.title === "string") this.title = thread.title;
    if (isRecord(thread.status) && typeof thread.status.type === "string") {
      this.status = thread.status.type;
      const reason = thread.status.reason;
      this.statusReason = typeof reason === "string" && reason ? reason : null;
    }
    if (this.status === "active") {
      // Refusals of a locked or closed thread no longer apply once it is open again.
      for (const id of this.statusErrors) this.remove(id);
      this.statusErrors.clear();
    }
    this.list.change.thread = true;
  }

  private setProgress(text: string | null): void {
    this.progress = text;
    this.list.change.progress = true;
  }

  private flush(): void {
    const change = this.list.takeChange();
    if (change) this.listeners.emit(change);
  }
}

/** A message quoted in a sentence: its first line, shortened. */
function clip(text: string): string {
  const line = text.trim().split("\n")[0] ?? "";
  return line.length > 80 ? `${line.slice(0, 79)}…` : line;
}

/** The UI state of an item as the store holds it (a reply the user stopped says so). */
function storedMeta(item: ThreadItem): ItemMeta {
  return { ...newMeta(), stopped: item.stopped === true, feedback: feedbackOf(item) };
}

/** This backend's extension: a stored reply carries the user's rating as `feedback`. */
function feedbackOf(item: ThreadItem): FeedbackKind | null {
  return item.feedback === "positive" || item.feedback === "negative" ? item.feedback : null;
}

import { isRecord, isThreadItem, type Thread, type ThreadItem } from "../chatkit/types";
import type { ChatKitEvent, EndReason } from "../protocol";
import { Listeners } from "../util/listeners";
import { ItemList } from "./item-list";
import { applyItemUpdate } from "./item-updates";
import {
  type ApplyResult,
  type ItemMeta,
  newMeta,
  type StateChange,
  type ThreadStatus,
  userText,
} from "./types";

/** The open thread and its ordered items, kept in step with ChatKit stream events. */
export class ThreadState {
  threadId: string | null = null;
  title: string | null = null;
  status: ThreadStatus = "active";
  progress: string | null = null;
  loading = false;

  private readonly list = new ItemList();
  private readonly itemStream = new Map<string, string>();
  private readonly optimisticByStream = new Map<string, string>();
  private readonly streamsWithError = new Set<string>();
  private readonly live = new Set<string>();
  private readonly detached = new Set<string>();
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

  /** Switch to another thread (or none): streams still running belong to the old one. */
  reset(threadId: string | null): void {
    for (const id of this.live) this.detached.add(id);
    this.live.clear();
    this.list.clear();
    this.itemStream.clear();
    this.optimisticByStream.clear();
    this.threadId = threadId;
    this.title = null;
    this.status = "active";
    this.progress = null;
    this.loading = false;
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
      if (!meta) this.list.insert(item, newMeta(), anchor);
      else if (meta.done) this.list.replace(item);
      anchor = item.id;
    }
    this.flush();
  }

  beginStream(streamId: string): void {
    this.detached.delete(streamId);
    this.live.add(streamId);
  }

  apply(streamId: string, events: ChatKitEvent[]): ApplyResult {
    const result: ApplyResult = {};
    if (this.detached.has(streamId)) return result;
    this.live.add(streamId);
    for (const event of events) this.applyOne(streamId, event, result);
    this.flush();
    return result;
  }

  /**
   * Settle what the stream left open. Returns the text of an optimistic message the server
   * never confirmed (the caller gives it back to the user), or null.
   */
  endStream(streamId: string, reason: EndReason): string | null {
    this.live.delete(streamId);
    if (this.detached.delete(streamId)) return null;
    if (this.progress !== null) this.setProgress(null);
    for (const [itemId, owner] of this.itemStream) {
      if (owner !== streamId) continue;
      const meta = this.meta(itemId);
      if (reason !== "done") {
        meta.interrupted = true;
        if (!meta.done) meta.stopped = true;
      }
      meta.done = true;
      this.itemStream.delete(itemId);
      this.list.touch(itemId);
    }
    let unconfirmed: string | null = null;
    const pendingId = this.optimisticByStream.get(streamId);
    this.optimisticByStream.delete(streamId);
    if (pendingId && reason !== "done") {
      unconfirmed = userText(this.list.item(pendingId));
      this.remove(pendingId);
    }
    if (reason === "error" && !this.streamsWithError.has(streamId)) {
      // Retrying only makes sense once the server holds this turn's user message.
      this.addError("The reply was interrupted.", unconfirmed === null);
    }
    this.streamsWithError.delete(streamId);
    this.flush();
    return unconfirmed;
  }

  addOptimistic(streamId: string, text: string): string {
    const id = `pending_${++this.localSeq}`;
    this.optimisticByStream.set(streamId, id);
    this.list.insert(
      {
        id,
        type: "user_message",
        thread_id: this.threadId ?? undefined,
        content: [{ type: "input_text", text }],
      },
      { ...newMeta(), optimistic: true },
    );
    this.flush();
    return id;
  }

  addError(message: string, allowRetry: boolean): void {
    const canRetry = allowRetry && this.lastUserMessageId() !== null;
    this.list.insert({
      id: `local_error_${++this.localSeq}`,
      type: "error",
      message,
      allow_retry: canRetry,
    });
    this.flush();
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

  private applyOne(streamId: string, event: ChatKitEvent, result: ApplyResult): void {
    switch (event.type) {
      case "thread.created":
      case "thread.updated":
        if (!isRecord(event.thread) || typeof event.thread.id !== "string") return;
        if (event.type === "thread.created") result.threadCreated = event.thread.id;
        this.setThreadInfo(event.thread as unknown as Thread);
        return;
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
      case "error":
        this.streamsWithError.add(streamId);
        this.addError(
          typeof event.message === "string" && event.message
            ? event.message
            : "Something went wrong.",
          event.allow_retry === true,
        );
        return;
      case "stream_options":
        if (isRecord(event.stream_options))
          result.allowCancel = event.stream_options.allow_cancel !== false;
        return;
      case "client_effect":
        return;
      default:
        console.debug("chatkit-widget: ignored event", event.type);
    }
  }

  private upsert(streamId: string, raw: unknown, kind: string): void {
    if (!isThreadItem(raw)) return;
    // Events of a thread this view is not showing (e.g. a turn Python runs elsewhere).
    if (raw.thread_id && this.threadId && raw.thread_id !== this.threadId) return;
    const existing = this.list.storedMeta(raw.id);
    const done =
      kind === "thread.item.added"
        ? false
        : kind === "thread.item.done"
          ? true
          : (existing?.done ?? true);
    if (raw.type === "user_message") {
      const pendingId = this.optimisticByStream.get(streamId);
      if (pendingId) this.remove(pendingId);
      this.optimisticByStream.delete(streamId);
    }
    if (existing) {
      this.list.replace(raw);
      existing.done = done;
      this.list.touch(raw.id);
    } else {
      this.list.insert(raw, { ...newMeta(), done });
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

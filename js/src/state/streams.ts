import { isRecord, isThreadItem } from "../chatkit/types";
import type { ChatKitEvent } from "../protocol";

/** What the state knows of a running stream. */
export interface StreamInfo {
  /** The thread it runs on (undefined: not known yet). */
  threadId: string | undefined;
  /** It creates a thread this view shows: a threads.create started or announced here. */
  creating: boolean;
  /** The text it sends, when another view or Python sent it (no optimistic row here). */
  message?: string | undefined;
  /** The server took that message (its item arrived). */
  confirmed?: boolean;
  /** It was creating the thread shown when the user moved on (New chat): it never shows again. */
  leftBehind?: boolean;
}

/** How a stream is known when it begins. */
export interface StreamTarget {
  /** The thread it runs on, when its request names one. */
  threadId?: string | undefined;
  /** It creates the thread this view shows next (threads.create, not a replay). */
  creating?: boolean;
  /** The text of the message it sends, when another view or Python sent it. */
  message?: string | undefined;
}

/**
 * The streams a view follows, whatever thread it shows, and which thread each runs on: a
 * stream's events reach the items only while it runs on the open thread (or creates it).
 */
export class Streams {
  private readonly byId = new Map<string, StreamInfo>();

  /** Stream `id`, followed from now on if it was not yet. */
  get(id: string): StreamInfo {
    let stream = this.byId.get(id);
    if (!stream) {
      stream = { threadId: undefined, creating: false };
      this.byId.set(id, stream);
    }
    return stream;
  }

  /** Follow a stream, or learn more about one already followed. */
  begin(id: string, target: StreamTarget): void {
    const stream = this.get(id);
    stream.threadId ??= target.threadId;
    stream.message ??= target.message;
    if (target.creating) stream.creating = true;
  }

  /** Stop following stream `id`; what was known of it (if anything). */
  end(id: string): StreamInfo | undefined {
    const stream = this.byId.get(id);
    this.byId.delete(id);
    return stream;
  }

  /** The view moved to another thread: a create not yet answered is left behind for good. */
  leave(): void {
    for (const stream of this.byId.values()) {
      if (stream.creating && stream.threadId === undefined) stream.leftBehind = true;
      stream.creating = false;
    }
  }

  /** A stream may be creating `threadId` for this view (its events show). */
  creates(threadId: string): boolean {
    for (const stream of this.byId.values()) {
      if (stream.creating && (stream.threadId ?? threadId) === threadId) return true;
    }
    return false;
  }

  /** Stream `id` runs on thread `open` (or creates it), or is not followed here. */
  runsOn(id: string, open: string | null): boolean {
    const stream = this.byId.get(id);
    return stream === undefined || shows(stream, open);
  }

  /** The threads (known so far) that followed streams run on. */
  threads(): Set<string> {
    const threads = new Set<string>();
    for (const stream of this.byId.values()) if (stream.threadId) threads.add(stream.threadId);
    return threads;
  }
}

/** Whether a stream's events belong on a view showing thread `open`. */
export function shows(stream: StreamInfo, open: string | null): boolean {
  if (stream.creating && (open === null || stream.threadId === undefined)) return true;
  if (stream.threadId !== undefined) return stream.threadId === open;
  // Not known yet (a stream met mid-way): its items tell, one by one.
  return open !== null;
}

/** Learn from an event which thread its stream runs on (whatever thread is open). */
export function learnThread(stream: StreamInfo, event: ChatKitEvent): void {
  const thread = isRecord(event.thread) ? event.thread : undefined;
  if (thread && typeof thread.id === "string" && stream.threadId === undefined) {
    stream.threadId = thread.id;
    if (event.type === "thread.created" && !stream.leftBehind) stream.creating = true;
  }
  const item = isThreadItem(event.item) ? event.item : undefined;
  if (item && typeof item.thread_id === "string") stream.threadId ??= item.thread_id;
}

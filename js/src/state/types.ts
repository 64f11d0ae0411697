export interface ItemMeta {
  /** False while the item streams (added, not yet done). */
  done: boolean;
  /** Its stream was cancelled or failed before the item was done. */
  stopped: boolean;
  /** Its stream ended early: whatever it left pending will never finish. */
  interrupted: boolean;
  /** Shown locally before the server confirmed it. */
  optimistic: boolean;
  /** The user's rating of a reply (stored items carry it as `feedback`). */
  feedback: FeedbackKind | null;
}

export type FeedbackKind = "positive" | "negative";

/** Where a task or tool row is: running, done, or failed. */
export type Status = "pending" | "success" | "error";

/**
 * Where a kernel tool row is. Beyond a task's statuses, a call can wait for a person's
 * decision ("approval", nothing ran yet) or have been refused by one ("denied").
 */
export type ToolStatus = Status | "approval" | "denied";

export interface StateChange {
  /** Ids of the items whose content changed (or that were added). */
  items: ReadonlySet<string>;
  /** Items were added, removed or reordered. */
  order: boolean;
  /** Thread id, title, status or loading changed. */
  thread: boolean;
  progress: boolean;
}

export interface ApplyResult {
  threadCreated?: string;
  allowCancel?: boolean;
}

export type ThreadStatus = "active" | "locked" | "closed";

export function newMeta(): ItemMeta {
  return { done: true, stopped: false, interrupted: false, optimistic: false, feedback: null };
}

export function emptyChange(): StateChange {
  return { items: new Set<string>(), order: false, thread: false, progress: false };
}

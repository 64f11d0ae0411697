// Which notebook each conversation's turn started in: the agent's notebook tools act on that
// notebook, never on whichever one is current by the time a call arrives.
import type { NotebookPanel } from "@jupyterlab/notebook";
import type { TabStorage } from "../../lib/library.js";

interface TurnRequest {
  type: string;
  params: Record<string, unknown>;
  metadata?: Record<string, unknown>;
}

/** Requests that start a turn (an edit resends a message: a new turn too). */
function startsTurn(req: TurnRequest): boolean {
  if (req.type === "threads.custom_action") {
    const action = req.params.action as { type?: unknown } | undefined;
    return action?.type === "chatkit_widget.edit";
  }
  return ["threads.create", "threads.add_user_message", "threads.retry_after_item"].includes(
    req.type,
  );
}

/** Conversations a tab remembers the notebook of; older ones have no running turn left. */
const REMEMBERED = 50;

export class TurnNotebooks {
  private readonly byThread: Map<string, string>; // thread id -> notebook path
  private forNewThread: string | null | undefined; // a threads.create waiting for its id

  /**
   * @param storage Where the map outlives a reload, so that a turn reattached after one still
   *   acts on its own notebook.
   */
  constructor(
    private readonly current: () => NotebookPanel | null,
    private readonly find: (path: string) => NotebookPanel | null,
    private readonly storage?: { tab: TabStorage; key: string },
  ) {
    this.byThread = new Map(this.load());
  }

  /**
   * A request goes out: a turn that starts now belongs to the notebook the user is in. The
   * request names it too (ChatKit's `metadata`), so the conversation records where it started.
   */
  requestSent<R extends TurnRequest>(req: R): R {
    if (!startsTurn(req)) return req;
    const path = this.current()?.context.path ?? null;
    const threadId = req.params.thread_id;
    if (typeof threadId !== "string") {
      this.forNewThread = path; // its id comes with thread.created (threadChanged)
    } else {
      this.set(threadId, path);
    }
    return path === null ? req : { ...req, metadata: { ...req.metadata, notebook: path } };
  }

  /** The chat moved to a conversation: a new one created by this tab's turn gets its notebook. */
  threadChanged(threadId: string | null): void {
    if (threadId === null || this.forNewThread === undefined) return;
    this.set(threadId, this.forNewThread);
    this.forNewThread = undefined;
  }

  /** The notebook a call of `threadId`'s turn acts on; throws when it was closed. */
  notebookFor(threadId: string): NotebookPanel | null {
    const path = this.byThread.get(threadId);
    if (path === undefined) return this.current(); // a turn from another tab
    const notebook = this.find(path);
    if (!notebook) throw new Error(`The notebook this turn started in (${path}) was closed.`);
    return notebook;
  }

  /** A notebook was renamed (or moved): its turns follow it. */
  renamed(oldPath: string, newPath: string): void {
    for (const [threadId, path] of this.byThread) {
      if (path === oldPath) this.byThread.set(threadId, newPath);
    }
    if (this.forNewThread === oldPath) this.forNewThread = newPath;
    this.save();
  }

  private set(threadId: string, path: string | null): void {
    this.byThread.delete(threadId); // re-added last: the most recent are kept
    if (path !== null) this.byThread.set(threadId, path);
    this.save();
  }

  private save(): void {
    if (!this.storage) return;
    const entries = [...this.byThread].slice(-REMEMBERED);
    try {
      this.storage.tab.setItem(this.storage.key, JSON.stringify(entries));
    } catch {
      // Storage full or disabled: after a reload, tools act on the current notebook.
    }
  }

  private load(): Array<[string, string]> {
    if (!this.storage) return [];
    try {
      const entries: unknown = JSON.parse(this.storage.tab.getItem(this.storage.key) ?? "[]");
      if (!Array.isArray(entries)) return [];
      return entries.filter(
        (entry): entry is [string, string] =>
          Array.isArray(entry) && typeof entry[0] === "string" && typeof entry[1] === "string",
      );
    } catch {
      return [];
    }
  }
}

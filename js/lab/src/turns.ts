// Which notebook each conversation's turn started in: the agent's notebook tools act on that
// notebook, never on whichever one is current by the time a call arrives.
import type { NotebookPanel } from "@jupyterlab/notebook";

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

export class TurnNotebooks {
  private readonly byThread = new Map<string, string>(); // thread id -> notebook path
  private forNewThread: string | null | undefined; // a threads.create waiting for its id

  constructor(
    private readonly current: () => NotebookPanel | null,
    private readonly find: (path: string) => NotebookPanel | null,
  ) {}

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
    } else if (path) {
      this.byThread.set(threadId, path);
    } else {
      this.byThread.delete(threadId);
    }
    return path === null ? req : { ...req, metadata: { ...req.metadata, notebook: path } };
  }

  /** The chat moved to a conversation: a new one created by this tab's turn gets its notebook. */
  threadChanged(threadId: string | null): void {
    if (threadId === null || this.forNewThread === undefined) return;
    if (this.forNewThread !== null) this.byThread.set(threadId, this.forNewThread);
    this.forNewThread = undefined;
  }

  /** The notebook a call of `threadId`'s turn acts on; throws when it was closed. */
  notebookFor(threadId: string): NotebookPanel | null {
    const path = this.byThread.get(threadId);
    if (path === undefined) return this.current(); // a turn from before a reload
    const notebook = this.find(path);
    if (!notebook) throw new Error(`The notebook this turn started in (${path}) was closed.`);
    return notebook;
  }
}

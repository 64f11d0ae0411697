// Client tools the host answers: a turn ends with a pending `client_tool_call`, the host runs
// it, and `threads.add_client_tool_output` with the result continues the turn as a new stream.
// Only the view that started the stream answers, once; other views (tabs, replays) watch.
import { isRecord, isThreadItem } from "./chatkit/types";
import type { ChatKitEvent, ChatKitRequest, EndReason } from "./protocol";
import type { ThreadState } from "./state/thread-state";

/** A call the agent made to a tool the host runs. */
export interface ClientToolCall {
  threadId: string;
  callId: string;
  name: string;
  arguments: Record<string, unknown>;
}

/** Runs a call; resolves with its result (JSON), rejects with what went wrong. */
export type ClientToolRunner = (call: ClientToolCall) => Promise<unknown>;

/** What the calls need from the session. */
export interface ClientToolHost {
  /** Start a stream this view owns; its id, or null when the transport refused it. */
  stream(request: ChatKitRequest): string | null;
  /** A call started or stopped running (the chat is busy while one runs). */
  changed(): void;
}

interface Call extends ClientToolCall {
  itemId: string;
}

interface Run {
  call: Call;
  stopped: boolean;
}

export class ClientTools {
  /** The pending call each of this view's streams has left last, by stream id. */
  private readonly pending = new Map<string, Call>();
  private current: Run | null = null;

  constructor(
    private readonly state: ThreadState,
    private readonly host: ClientToolHost,
    private readonly runner?: ClientToolRunner,
  ) {}

  /** The call the host runs now, if any. */
  get running(): ClientToolCall | null {
    return this.current?.call ?? null;
  }

  /** Events of a stream this view started: does it end on a pending call? */
  observe(streamId: string, events: readonly ChatKitEvent[]): void {
    if (!this.runner) return;
    for (const event of events) {
      const call = pendingCall(event, this.state.threadId);
      if (call) this.pending.set(streamId, call);
      // Anything after it (more items, an error) means the turn did not end on it.
      else if (isThreadItem(event.item) || event.type === "error") this.pending.delete(streamId);
      else if (event.type === "thread.item.removed" && this.pendingItem(streamId, event.item_id))
        this.pending.delete(streamId);
    }
  }

  /** Stream `streamId` ended: run the call it ended on. True when one started. */
  streamEnded(streamId: string, reason: EndReason): boolean {
    const call = this.pending.get(streamId);
    this.pending.delete(streamId);
    if (!call || reason !== "done" || !this.runner || this.current) return false;
    const run: Run = { call, stopped: false };
    this.current = run;
    void this.answer(run, this.runner);
    return true;
  }

  /**
   * Stop the running call: its result, whenever it comes, is dropped, and its row shows it
   * stopped (the server still holds it pending: the next message settles it). False if none.
   */
  stop(): boolean {
    const run = this.current;
    if (!run) return false;
    run.stopped = true;
    this.current = null;
    this.state.abandonCall(run.call.itemId);
    return true;
  }

  dispose(): void {
    if (this.current) this.current.stopped = true;
    this.current = null;
    this.pending.clear();
  }

  private async answer(run: Run, runner: ClientToolRunner): Promise<void> {
    const { threadId, callId, name, arguments: args } = run.call;
    const call: ClientToolCall = { threadId, callId, name, arguments: args };
    let result: unknown;
    try {
      // JSON has no undefined: a tool that returns nothing answers null.
      result = (await runner(call)) ?? null;
    } catch (err) {
      // The model sees the failure and can recover.
      result = { error: err instanceof Error ? err.message : String(err) };
    }
    if (run.stopped) return;
    this.current = null;
    const id = this.host.stream({
      type: "threads.add_client_tool_output",
      params: { thread_id: call.threadId, result },
    });
    // ChatKit stores the result without an event for it: show what it now holds.
    if (id !== null) this.state.completeCall(run.call.itemId, result);
    this.host.changed();
  }

  private pendingItem(streamId: string, itemId: unknown): boolean {
    return this.pending.get(streamId)?.itemId === itemId;
  }
}

/** The call a `thread.item.done` leaves for the client to run, if it is one. */
function pendingCall(event: ChatKitEvent, openThread: string | null): Call | null {
  const item = event.item;
  if (event.type !== "thread.item.done" || !isThreadItem(item)) return null;
  if (item.type !== "client_tool_call" || item.status !== "pending") return null;
  const threadId = typeof item.thread_id === "string" ? item.thread_id : openThread;
  if (threadId === null || typeof item.call_id !== "string" || typeof item.name !== "string")
    return null;
  return {
    threadId,
    callId: item.call_id,
    name: item.name,
    arguments: isRecord(item.arguments) ? item.arguments : {},
    itemId: item.id,
  };
}

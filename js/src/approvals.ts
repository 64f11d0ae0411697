// Human approval of tool calls, the browser's half: a turn pauses with tool rows in status
// "approval", and the person's decisions go back as the custom action below. The kernel keeps
// the paused run; it resumes once no call waits.
import { type ChatKitRequest, customAction } from "./protocol";
import type { ThreadState } from "./state/thread-state";
import { type Decision, type DecisionOptions, waitingCalls } from "./ui/items/tool-row";

/**
 * The custom action that carries a person's decision on a tool call waiting for approval:
 * `{call_id, decision: "approve" | "deny", always?, reason?}`, or `{decision: "stop"}` (the
 * waiting calls never run and the turn ends).
 */
export const APPROVAL_ACTION = "chatkit_widget.approval";

/** What decisions need from the session. */
export interface ApprovalHost {
  /** Any stream runs. */
  busy(): boolean;
  /** Start a stream; its id, or null when the transport refused it. */
  stream(request: ChatKitRequest): string | null;
}

/** A decision made while a stream ran: sent once none does. */
interface Queued {
  threadId: string;
  callId: string;
  payload: Record<string, unknown>;
}

/**
 * Sends decisions one at a time: two decision streams would race on the kernel's paused run,
 * so one made while any stream runs waits for it to end.
 */
export class Approvals {
  /** Decision streams by stream id: the call each decides (null: "stop"). */
  private readonly sent = new Map<string, string | null>();
  private readonly queued: Queued[] = [];

  constructor(
    private readonly state: ThreadState,
    private readonly host: ApprovalHost,
  ) {}

  /** The open thread's calls waiting for a decision: call id -> item id. */
  get waiting(): Map<string, string> {
    return waitingCalls(this.state.items);
  }

  /** Decide on waiting call `callId` (sent now, or queued); false when it cannot be sent. */
  decide(callId: string, decision: Decision, options: DecisionOptions = {}): boolean {
    const threadId = this.state.threadId;
    if (threadId === null || !this.waiting.has(callId)) return false;
    const payload: Record<string, unknown> = { call_id: callId, decision };
    if (options.always) payload.always = true;
    if (options.reason) payload.reason = options.reason;
    if (this.host.busy()) {
      this.queued.push({ threadId, callId, payload });
      return true;
    }
    return this.send(threadId, callId, payload);
  }

  /** A decision on `callId` is sent and not settled, or queued; or a stop is on its way. */
  deciding(callId: string): boolean {
    const sent = [...this.sent.values()];
    return (
      sent.includes(callId) ||
      sent.includes(null) ||
      this.queued.some((queued) => queued.callId === callId)
    );
  }

  /** End the paused turn: its waiting calls never run. False when none waits. */
  stop(): boolean {
    const threadId = this.state.threadId;
    if (threadId === null || this.waiting.size === 0) return false;
    return this.send(threadId, null, { decision: "stop" });
  }

  /**
   * Forget the decisions not sent yet: of conversation `threadId` (the user pressed Stop
   * there), or of every conversation.
   */
  dropQueued(threadId?: string | null): void {
    const kept = this.queued.filter((q) => threadId !== undefined && q.threadId !== threadId);
    const dropped = this.queued.filter((q) => !kept.includes(q));
    this.queued.splice(0, this.queued.length, ...kept);
    for (const { callId } of dropped) this.redraw(callId);
  }

  /** A stream ended (the session no longer counts it as running). */
  streamEnded(streamId: string): void {
    const decided = this.sent.get(streamId);
    if (decided !== undefined) {
      this.sent.delete(streamId);
      this.redraw(decided);
    }
    if (this.host.busy()) return;
    const waiting = this.waiting;
    for (let next = this.queued.shift(); next; next = this.queued.shift()) {
      // Decided meanwhile (Always allow answers the tool's other calls): skip it. One for a
      // conversation no longer on screen goes anyway (the kernel checks that its call waits).
      if (next.threadId === this.state.threadId && !waiting.has(next.callId)) continue;
      if (this.send(next.threadId, next.callId, next.payload)) return;
    }
  }

  private send(threadId: string, callId: string | null, payload: Record<string, unknown>): boolean {
    const id = this.host.stream(customAction(threadId, APPROVAL_ACTION, payload));
    if (id === null) {
      this.redraw(callId);
      return false;
    }
    this.sent.set(id, callId);
    return true;
  }

  /**
   * A decision on `callId` (null: a stop) is settled or dropped: a row that still waits is
   * drawn again, so its buttons, disabled by the click, work again.
   */
  private redraw(callId: string | null): void {
    const waiting = this.waiting;
    const ids = callId === null ? [...waiting.values()] : [waiting.get(callId)];
    for (const itemId of ids) if (itemId !== undefined) this.state.redraw(itemId);
  }
}

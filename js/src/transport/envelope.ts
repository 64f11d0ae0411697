import {
  type ChatKitEvent,
  type ChatKitRequest,
  type EndReason,
  expandText,
  type IncomingMsg,
  type OutgoingMsg,
} from "../protocol";
import { Listeners } from "../util/listeners";
import { newId, type StreamHandle, type StreamStart, type Transport } from "./types";

interface PendingRequest {
  resolve(result: unknown): void;
  reject(err: Error): void;
}

const KINDS = new Set(["start", "event", "text", "end", "response", "error", "changed"]);

function asIncoming(raw: unknown): IncomingMsg | null {
  if (typeof raw !== "object" || raw === null) return null;
  const msg = raw as Record<string, unknown>;
  if (typeof msg.kind !== "string" || !KINDS.has(msg.kind) || typeof msg.id !== "string") {
    return null;
  }
  return msg as unknown as IncomingMsg;
}

/** A two-way message pipe that carries the envelope: the anywidget comm, or a test's fake. */
export interface EnvelopeChannel {
  send(msg: OutgoingMsg): void;
  /** Every message that arrives, envelope or not; returns the unsubscribe function. */
  subscribe(cb: (raw: unknown) => void): () => void;
}

/** The ChatKit transport over an envelope channel (envelope in ../protocol.ts). */
export class EnvelopeTransport implements Transport {
  private readonly pending = new Map<string, PendingRequest>();
  private readonly ownStreams = new Map<string, (reason: EndReason) => void>();
  private readonly streamListeners = new Listeners<[StreamStart]>();
  private readonly eventListeners = new Listeners<[string, ChatKitEvent[]]>();
  private readonly endListeners = new Listeners<[string, EndReason]>();
  private readonly changedListeners = new Listeners<[ChatKitEvent[]]>();
  private readonly unsubscribe: () => void;
  private disposed = false;

  constructor(private readonly channel: EnvelopeChannel) {
    this.unsubscribe = channel.subscribe((raw) => this.handle(raw));
  }

  request(req: ChatKitRequest): Promise<unknown> {
    const id = newId();
    return new Promise((resolve, reject) => {
      if (this.disposed) {
        reject(new Error("The chat widget was closed."));
        return;
      }
      this.pending.set(id, { resolve, reject });
      this.send({ kind: "request", id, request: req });
    });
  }

  stream(req: ChatKitRequest): StreamHandle {
    const id = newId();
    const done = new Promise<EndReason>((resolve) => this.ownStreams.set(id, resolve));
    this.send({ kind: "request", id, request: req });
    return { id, done, cancel: () => this.cancel(id) };
  }

  cancel(id: string): void {
    this.send({ kind: "cancel", id });
  }

  resume(): void {
    this.send({ kind: "resume", id: newId() });
  }

  onStream(cb: (start: StreamStart) => void): () => void {
    return this.streamListeners.add(cb);
  }

  onEvents(cb: (id: string, events: ChatKitEvent[]) => void): () => void {
    return this.eventListeners.add(cb);
  }

  onEnd(cb: (id: string, reason: EndReason) => void): () => void {
    return this.endListeners.add(cb);
  }

  onChanged(cb: (events: ChatKitEvent[]) => void): () => void {
    return this.changedListeners.add(cb);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.unsubscribe();
    for (const { reject } of this.pending.values()) {
      reject(new Error("The chat widget was closed."));
    }
    this.pending.clear();
    for (const resolve of this.ownStreams.values()) resolve("cancelled");
    this.ownStreams.clear();
    this.streamListeners.clear();
    this.eventListeners.clear();
    this.endListeners.clear();
    this.changedListeners.clear();
  }

  private send(msg: OutgoingMsg): void {
    if (!this.disposed) this.channel.send(msg);
  }

  private handle(raw: unknown): void {
    const msg = asIncoming(raw);
    if (!msg) return; // Other messages on this channel are none of our business.
    switch (msg.kind) {
      case "start":
        this.streamListeners.emit({
          id: msg.id,
          request: msg.request,
          replay: msg.replay === true,
        });
        break;
      case "event":
        if (Array.isArray(msg.events)) this.eventListeners.emit(msg.id, msg.events);
        break;
      case "text":
        if (typeof msg.delta === "string" && typeof msg.item_id === "string") {
          this.eventListeners.emit(msg.id, [expandText(msg)]);
        }
        break;
      case "end":
        this.finish(msg.id, msg.reason);
        break;
      case "response":
        this.settle(msg.id)?.resolve(msg.result);
        break;
      case "error":
        this.fail(msg.id, msg.message);
        break;
      case "changed":
        if (Array.isArray(msg.events)) this.changedListeners.emit(msg.events);
        break;
    }
  }

  private settle(id: string): PendingRequest | undefined {
    const pending = this.pending.get(id);
    this.pending.delete(id);
    return pending;
  }

  private fail(id: string, message: string): void {
    const text = message || "The request failed.";
    const pending = this.settle(id);
    if (pending) {
      pending.reject(new Error(text));
      return;
    }
    if (this.ownStreams.has(id)) {
      // A stream refused before it started still has to end like one, with its reason visible.
      this.eventListeners.emit(id, [
        { type: "error", code: "custom", message: text, allow_retry: false },
      ]);
      this.finish(id, "error");
    }
  }

  private finish(id: string, reason: EndReason): void {
    this.endListeners.emit(id, reason);
    const resolve = this.ownStreams.get(id);
    this.ownStreams.delete(id);
    resolve?.(reason);
  }
}

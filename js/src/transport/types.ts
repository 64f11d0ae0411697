import type { ChatKitEvent, ChatKitRequest, EndReason } from "../protocol";

export interface StreamHandle {
  id: string;
  cancel(): void;
  done: Promise<EndReason>;
}

export interface StreamStart {
  id: string;
  request: ChatKitRequest;
  /** Re-announced for `resume()`: the stream was already running when this view asked. */
  replay: boolean;
  /** A replayed stream this tab started before a reload: it still answers its client tools. */
  own?: boolean;
}

/** How the UI reaches a ChatKit backend; the UI never sees what carries the messages. */
export interface Transport {
  /** A non-streaming op: resolves with its JSON result, rejects with the backend's message. */
  request(req: ChatKitRequest): Promise<unknown>;
  /** A streaming op: its events arrive through `onEvents` like any other stream's. */
  stream(req: ChatKitRequest): StreamHandle;
  /** Stop a stream by id, whoever started it. */
  cancel(id: string): void;
  /** Ask for the streams running now: each comes back as a replayed start + a snapshot. */
  resume(): void;
  onStream(cb: (start: StreamStart) => void): () => void;
  onEvents(cb: (id: string, events: ChatKitEvent[]) => void): () => void;
  onEnd(cb: (id: string, reason: EndReason) => void): () => void;
  /** State a JSON request changed (a rename, feedback): every view applies it. */
  onChanged?(cb: (events: ChatKitEvent[]) => void): () => void;
  dispose(): void;
}

/** A fresh envelope id: 48 random bits, short because a streaming reply carries it in every
 * message (`getRandomValues`, unlike `randomUUID`, also works on plain-http notebook servers). */
export function newId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(6));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

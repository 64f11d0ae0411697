import assert from "node:assert/strict";
import type { ChatKitEvent, ChatKitRequest, EndReason } from "../src/protocol";
import type { StreamHandle, StreamStart, Transport } from "../src/transport/types";
import { Listeners } from "../src/util/listeners";

/** A transport driven by the test: it records what the UI asks and plays the backend. */
export class FakeTransport implements Transport {
  readonly requests: Array<{ req: ChatKitRequest; resolve(result: unknown): void }> = [];
  readonly streams: Array<{ id: string; req: ChatKitRequest }> = [];
  readonly cancelled: string[] = [];
  resumes = 0;
  disposed = false;
  private seq = 0;
  private readonly starts = new Listeners<[StreamStart]>();
  private readonly eventLists = new Listeners<[string, ChatKitEvent[]]>();
  private readonly ends = new Listeners<[string, EndReason]>();
  private readonly changes = new Listeners<[ChatKitEvent[]]>();

  request(req: ChatKitRequest): Promise<unknown> {
    return new Promise((resolve) => this.requests.push({ req, resolve }));
  }
  stream(req: ChatKitRequest): StreamHandle {
    const id = `own_${++this.seq}`;
    this.streams.push({ id, req });
    return { id, cancel: () => this.cancel(id), done: new Promise<EndReason>(() => {}) };
  }
  cancel(id: string): void {
    this.cancelled.push(id);
  }
  resume(): void {
    this.resumes++;
  }
  onStream(cb: (start: StreamStart) => void): () => void {
    return this.starts.add(cb);
  }
  onEvents(cb: (id: string, events: ChatKitEvent[]) => void): () => void {
    return this.eventLists.add(cb);
  }
  onEnd(cb: (id: string, reason: EndReason) => void): () => void {
    return this.ends.add(cb);
  }
  onChanged(cb: (events: ChatKitEvent[]) => void): () => void {
    return this.changes.add(cb);
  }
  dispose(): void {
    this.disposed = true;
  }

  /** Listeners the UI still holds on this transport. */
  get listenerCount(): number {
    return this.starts.size + this.eventLists.size + this.ends.size + this.changes.size;
  }
  start(id: string, request: ChatKitRequest, replay = false, own = false): void {
    this.starts.emit({ id, request, replay, ...(own ? { own } : {}) });
  }
  events(id: string, events: ChatKitEvent[]): void {
    this.eventLists.emit(id, events);
  }
  end(id: string, reason: EndReason): void {
    this.ends.emit(id, reason);
  }
  /** What a JSON request changed, as the backend tells every view. */
  changed(events: ChatKitEvent[]): void {
    this.changes.emit(events);
  }
  /**
   * Answer what opening a thread asks (threads.get_by_id and the newest items.list page, sent
   * together) with `thread` and its items.
   */
  async answerOpen(thread: {
    items?: { data: unknown[]; has_more?: boolean };
    [key: string]: unknown;
  }): Promise<void> {
    const take = (type: string) => {
      const index = this.requests.findIndex(({ req }) => req.type === type);
      assert.ok(index >= 0, `a ${type} request is open`);
      return this.requests.splice(index, 1)[0];
    };
    const data = [...(thread.items?.data ?? [])].reverse();
    take("threads.get_by_id")?.resolve(thread);
    take("items.list")?.resolve({ data, has_more: false, after: null });
    await settle();
  }

  /** Answer the oldest request still open. */
  async answer(result: unknown): Promise<void> {
    const next = this.requests.shift();
    assert.ok(next, "a request is open");
    next.resolve(result);
    await settle();
  }
}

/** Let pending awaits run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}

import { isRecord } from "../chatkit/types";
import type { ChatKitEvent, ChatKitRequest, EndReason } from "../protocol";
import { Listeners } from "../util/listeners";
import { OpenItems } from "./open-items";
import { readEvents } from "./sse";
import { newId, type StreamHandle, type StreamStart, type Transport } from "./types";

/** `fetch`, or a host's wrapper of it (JupyterLab's `ServerConnection.makeRequest` adds auth). */
export type FetchLike = (url: string, init?: RequestInit) => Promise<Response>;

export interface HttpTransportOptions {
  /** The server extension's root, ending with "/": e.g. "/user/x/chatkit-widget/". */
  baseUrl: string;
  fetch: FetchLike;
  /** How long a stopped stream may take to end on the server before it is ended here (ms). */
  cancelTimeoutMs?: number;
  /**
   * Where the tab keeps the ids of the streams it started (the browser's `sessionStorage`):
   * after a reload, the turns it reattaches to are still its own.
   */
  tabStorage?: TabStorage;
}

export type TabStorage = Pick<Storage, "getItem" | "setItem">;

/** Enough for every turn a tab can have running; older ids have long ended. */
const REMEMBERED_STREAMS = 50;

const CLOSED = "The chat widget was closed.";
const REASONS: ReadonlySet<string> = new Set<EndReason>(["done", "cancelled", "error"]);

/** A stream this transport reads: one it started, or one it reattached to. */
interface Followed {
  readonly id: string;
  readonly request: ChatKitRequest;
  readonly controller: AbortController;
  readonly open: OpenItems;
  /** Settles an own stream's `done`. */
  readonly settle?: (reason: EndReason) => void;
  cancelTimer?: ReturnType<typeof setTimeout>;
}

interface Failure {
  allowRetry: boolean;
  /** Refused before the server took the request: the message was never received. */
  unsent?: boolean;
}

/**
 * The ChatKit transport over the Jupyter server extension's HTTP + SSE API: a turn is a POST
 * whose answer streams; a reloaded page reattaches to the turns still running.
 */
export class HttpTransport implements Transport {
  private readonly baseUrl: string;
  private readonly fetch: FetchLike;
  private readonly cancelTimeoutMs: number;
  private readonly started: StartedHere;
  private readonly streams = new Map<string, Followed>();
  private readonly requests = new Set<AbortController>();
  private readonly streamListeners = new Listeners<[StreamStart]>();
  private readonly eventListeners = new Listeners<[string, ChatKitEvent[]]>();
  private readonly endListeners = new Listeners<[string, EndReason]>();
  private readonly changedListeners = new Listeners<[ChatKitEvent[]]>();
  private disposed = false;

  constructor(options: HttpTransportOptions) {
    this.baseUrl = options.baseUrl.endsWith("/") ? options.baseUrl : `${options.baseUrl}/`;
    const { fetch } = options;
    // Called unbound: the browser's fetch refuses any other `this`.
    this.fetch = (url, init) => fetch(url, init);
    this.cancelTimeoutMs = options.cancelTimeoutMs ?? 3000;
    this.started = new StartedHere(options.tabStorage, `chatkit-widget:streams:${this.baseUrl}`);
  }

  async request(req: ChatKitRequest): Promise<unknown> {
    const result = await this.json(`${this.baseUrl}chatkit`, post(req));
    if (req.type === "threads.update" && isRecord(result)) {
      // The comm's server tells every view, the one that asked included; here only it knows.
      this.changedListeners.emit([{ type: "thread.updated", thread: result }]);
    }
    return result;
  }

  stream(req: ChatKitRequest): StreamHandle {
    const id = newId();
    let settle: (reason: EndReason) => void = () => {};
    const done = new Promise<EndReason>((resolve) => {
      settle = resolve;
    });
    if (this.disposed) {
      settle("cancelled");
      return { id, done, cancel: () => {} };
    }
    const stream = this.follow(id, req, settle);
    this.started.add(id);
    void this.read(stream, `${this.baseUrl}chatkit?stream=${encodeURIComponent(id)}`, post(req));
    return { id, done, cancel: () => this.cancel(id) };
  }

  cancel(id: string): void {
    if (this.disposed) return;
    const stream = this.streams.get(id);
    if (stream) {
      if (stream.cancelTimer !== undefined) return; // asked once: the server is saving the reply
      // The server ends the stream ("cancelled") once ChatKit has saved the partial reply;
      // a server that does not is cut off here.
      stream.cancelTimer = setTimeout(() => this.stop(stream), this.cancelTimeoutMs);
    }
    this.fetch(`${this.baseUrl}streams/${encodeURIComponent(id)}/cancel`, { method: "POST" }).then(
      (response) => {
        // 404: it had ended already, its end frame is on the way.
        if (!response.ok && response.status !== 404) {
          console.warn(`chatkit-widget: stopping stream ${id} failed (${response.status})`);
        }
      },
      (err: unknown) => {
        // The server is gone: nothing but this view can end the stream.
        console.warn(`chatkit-widget: could not stop stream ${id}:`, err);
        if (stream) this.stop(stream);
      },
    );
  }

  resume(): void {
    if (!this.disposed) void this.reattach();
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

  /** Stops reading, not the server's runs: a reloaded page reattaches to them. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const stream of this.streams.values()) {
      clearTimeout(stream.cancelTimer);
      stream.controller.abort();
      stream.settle?.("cancelled");
    }
    this.streams.clear();
    for (const controller of this.requests) controller.abort();
    this.requests.clear();
    this.streamListeners.clear();
    this.eventListeners.clear();
    this.endListeners.clear();
    this.changedListeners.clear();
  }

  /** A JSON request; rejects with the server's message, or says the server is unreachable. */
  private async json(url: string, init: RequestInit = {}): Promise<unknown> {
    if (this.disposed) throw new Error(CLOSED);
    const controller = new AbortController();
    this.requests.add(controller);
    try {
      let response: Response;
      try {
        response = await this.fetch(url, { ...init, signal: controller.signal });
      } catch (err) {
        throw new Error(unreachable(err));
      }
      const result = await readJson(response);
      if (this.disposed) throw new Error(CLOSED); // never resolve after dispose
      return result;
    } catch (err) {
      throw this.disposed ? new Error(CLOSED) : err;
    } finally {
      this.requests.delete(controller);
    }
  }

  private follow(
    id: string,
    request: ChatKitRequest,
    settle?: (reason: EndReason) => void,
  ): Followed {
    const stream: Followed = {
      id,
      request,
      controller: new AbortController(),
      open: new OpenItems(),
      ...(settle ? { settle } : {}),
    };
    this.streams.set(id, stream);
    return stream;
  }

  /** Ask for the running streams: replay those followed here, reattach to the others. */
  private async reattach(): Promise<void> {
    let running: StreamStart[];
    try {
      running = runningStreams(await this.json(`${this.baseUrl}streams`));
    } catch (err) {
      if (!this.disposed) console.warn("chatkit-widget: could not list the running streams:", err);
      return;
    }
    for (const { id, request } of running) {
      if (this.disposed) return;
      const known = this.streams.get(id);
      if (known) {
        // Like the kernel's replay: a view that left the thread and came back has lost the
        // open items, and this one reader cannot be read twice.
        this.streamListeners.emit({ id, request: known.request, replay: true });
        const snapshot = known.open.snapshot();
        if (snapshot.length > 0) this.eventListeners.emit(id, snapshot);
        continue;
      }
      const stream = this.follow(id, request);
      const own = this.started.has(id);
      this.streamListeners.emit({ id, request, replay: true, ...(own ? { own } : {}) });
      void this.read(stream, `${this.baseUrl}streams/${encodeURIComponent(id)}`, {});
    }
  }

  /** Read a stream's SSE answer up to its end frame; however else it stops, it ends here. */
  private async read(stream: Followed, url: string, init: RequestInit): Promise<void> {
    const own = stream.settle !== undefined;
    const { signal } = stream.controller;
    let response: Response;
    try {
      response = await this.fetch(url, { ...init, signal });
    } catch (err) {
      this.fail(stream, unreachable(err), { allowRetry: true, unsent: own });
      return;
    }
    if (!response.ok) {
      if (!own && response.status === 404) {
        this.finish(stream, "done"); // it ended between the list and this request
        return;
      }
      const text = await response.text().catch(() => "");
      this.fail(stream, refusal(text, response), {
        allowRetry: retryable(response.status),
        unsent: own,
      });
      return;
    }
    // Like the kernel's `start`: only a stream the server took is announced.
    if (own && this.live(stream)) {
      this.streamListeners.emit({ id: stream.id, request: stream.request, replay: false });
    }
    if (!response.body) {
      this.fail(stream, "The Jupyter server's answer has no body.", { allowRetry: true });
      return;
    }
    try {
      for await (const batch of readEvents(response.body, signal)) {
        const events: ChatKitEvent[] = [];
        for (const { event, data } of batch) {
          if (event === "end") {
            this.deliver(stream, events);
            this.finish(stream, endReason(data));
            return;
          }
          const parsed = event === null ? chatKitEvent(data) : null;
          if (parsed) events.push(parsed);
        }
        this.deliver(stream, events);
      }
    } catch (err) {
      this.fail(stream, `The connection to the Jupyter server broke: ${messageOf(err)}`, {
        allowRetry: true,
      });
      return;
    }
    this.fail(stream, "The connection to the Jupyter server closed before the reply finished.", {
      allowRetry: true,
    });
  }

  private deliver(stream: Followed, events: ChatKitEvent[]): void {
    if (events.length === 0 || !this.live(stream)) return;
    for (const event of events) stream.open.apply(event);
    this.eventListeners.emit(stream.id, events);
  }

  /** A stream that failed still ends like one, with its reason visible (the comm's `fail`). */
  private fail(stream: Followed, message: string, failure: Failure): void {
    const error: ChatKitEvent = {
      type: "error",
      code: "custom",
      message,
      allow_retry: failure.allowRetry,
    };
    if (failure.unsent) error.unsent = true;
    this.deliver(stream, [error]);
    this.finish(stream, "error");
  }

  /** End a stream here, once, and stop reading it. */
  private stop(stream: Followed): void {
    this.finish(stream, "cancelled");
    stream.controller.abort();
  }

  private finish(stream: Followed, reason: EndReason): void {
    if (!this.live(stream)) return; // ended already (or disposed): once per stream
    this.streams.delete(stream.id);
    clearTimeout(stream.cancelTimer);
    this.endListeners.emit(stream.id, reason);
    stream.settle?.(reason);
  }

  private live(stream: Followed): boolean {
    return !this.disposed && this.streams.get(stream.id) === stream;
  }
}

function post(req: ChatKitRequest): RequestInit {
  return {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(req),
  };
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function unreachable(err: unknown): string {
  return `Could not reach the Jupyter server: ${messageOf(err)}`;
}

async function readJson(response: Response): Promise<unknown> {
  let text: string;
  try {
    text = await response.text();
  } catch (err) {
    throw new Error(`The connection to the Jupyter server broke: ${messageOf(err)}`);
  }
  if (!response.ok) throw new Error(refusal(text, response));
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new Error(`The Jupyter server's answer is not JSON (${response.status}).`);
  }
}

/** The message of an error answer: Jupyter's JSON `message` (or `detail`), else its status. */
function refusal(text: string, response: Response): string {
  try {
    const body: unknown = JSON.parse(text);
    if (isRecord(body)) {
      for (const key of ["message", "detail"]) {
        const value = body[key];
        if (typeof value === "string" && value !== "") return value;
      }
    }
  } catch {
    // Not JSON (a proxy's HTML page): the status says enough.
  }
  return `${response.status} ${response.statusText}`.trim();
}

/** Worth sending again: the server was busy or failed, not a request it refuses. */
function retryable(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

function chatKitEvent(data: string): ChatKitEvent | null {
  try {
    const event: unknown = JSON.parse(data);
    if (isRecord(event) && typeof event.type === "string") return event as ChatKitEvent;
  } catch {
    // Reported below, like any other frame that is not an event.
  }
  console.warn("chatkit-widget: skipped a malformed stream frame:", data.slice(0, 200));
  return null;
}

function endReason(data: string): EndReason {
  try {
    const body: unknown = JSON.parse(data);
    if (isRecord(body) && typeof body.reason === "string" && REASONS.has(body.reason)) {
      return body.reason as EndReason;
    }
  } catch {
    // A malformed end frame still ends the stream.
  }
  return "done";
}

function runningStreams(body: unknown): StreamStart[] {
  const streams = isRecord(body) && Array.isArray(body.streams) ? body.streams : [];
  return streams.flatMap((entry: unknown): StreamStart[] => {
    if (!isRecord(entry) || typeof entry.id !== "string" || !isRecord(entry.request)) return [];
    const request = entry.request;
    if (typeof request.type !== "string" || !isRecord(request.params)) return [];
    return [{ id: entry.id, request: request as unknown as ChatKitRequest, replay: true }];
  });
}

/** The ids of the streams this tab started, kept across its reloads (best effort). */
class StartedHere {
  constructor(
    private readonly storage: TabStorage | undefined,
    private readonly key: string,
  ) {}

  add(id: string): void {
    const ids = [...this.read().filter((known) => known !== id), id];
    try {
      this.storage?.setItem(this.key, JSON.stringify(ids.slice(-REMEMBERED_STREAMS)));
    } catch {
      // Storage full or disabled: after a reload this turn is watched, not answered.
    }
  }

  has(id: string): boolean {
    return this.read().includes(id);
  }

  private read(): string[] {
    try {
      const ids: unknown = JSON.parse(this.storage?.getItem(this.key) ?? "[]");
      return Array.isArray(ids) ? ids.filter((id): id is string => typeof id === "string") : [];
    } catch {
      return [];
    }
  }
}

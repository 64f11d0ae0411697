// A `text/event-stream` reader (the WHATWG server-sent events format, minus `id` and `retry`:
// the HTTP transport reattaches by stream id, not by EventSource's Last-Event-ID).

export interface SseEvent {
  /** The `event:` name; null for an unnamed event (EventSource's "message"). */
  event: string | null;
  data: string;
}

/** Splits text into events; the text may arrive cut anywhere, even inside a line ending. */
export class SseParser {
  private partial = "";
  private data: string[] = [];
  private event: string | null = null;
  /** The last piece ended on "\r": a "\n" opening the next one is the same line ending. */
  private skipLf = false;

  /** Feed the next piece of text; returns the events it completed. */
  feed(text: string): SseEvent[] {
    let rest = text;
    if (this.skipLf && rest.startsWith("\n")) rest = rest.slice(1);
    if (text !== "") this.skipLf = rest.endsWith("\r");
    const lines = rest.split(/\r\n|\r|\n/);
    lines[0] = this.partial + lines[0];
    this.partial = lines.pop() ?? "";
    const events: SseEvent[] = [];
    for (const line of lines) this.line(line, events);
    return events;
  }

  private line(line: string, events: SseEvent[]): void {
    if (line === "") {
      // A blank line ends the event; one without data lines is no event (the spec's rule).
      if (this.data.length > 0) events.push({ event: this.event, data: this.data.join("\n") });
      this.data = [];
      this.event = null;
      return;
    }
    if (line.startsWith(":")) return; // a comment: keepalives
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "data") this.data.push(value);
    else if (field === "event") this.event = value === "" ? null : value;
  }
}

/**
 * The events of a `text/event-stream` body, a batch per chunk read (those the chunk completed),
 * so a caller can hand on together what arrived together. An event the body ends inside is
 * dropped, as EventSource does. Stops when `signal` aborts; a body that errors throws.
 */
export async function* readEvents(
  body: ReadableStream<Uint8Array>,
  signal?: AbortSignal,
): AsyncGenerator<SseEvent[]> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const parser = new SseParser();
  // Some fetch wrappers do not tie the body to the signal: stop the read ourselves.
  const stop = () => void reader.cancel().catch(() => {});
  signal?.addEventListener("abort", stop);
  let ended = false;
  try {
    while (!signal?.aborted) {
      const { done, value } = await reader.read();
      ended = done;
      if (done) break;
      const events = parser.feed(decoder.decode(value, { stream: true }));
      if (events.length > 0) yield events;
    }
  } finally {
    signal?.removeEventListener("abort", stop);
    // A caller that stopped early (or a body that failed) lets go of the connection.
    if (!ended) await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}

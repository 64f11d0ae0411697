import assert from "node:assert/strict";
import { test } from "node:test";
import { readEvents, type SseEvent, SseParser } from "../src/transport/sse";

/** A body the test writes into, as a server would, a chunk at a time. */
function pipe() {
  let controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  let cancelled = false;
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
    },
    cancel() {
      cancelled = true;
    },
  });
  const encoder = new TextEncoder();
  return {
    body,
    push: (chunk: string | Uint8Array) =>
      controller?.enqueue(typeof chunk === "string" ? encoder.encode(chunk) : chunk),
    close: () => controller?.close(),
    error: (err: Error) => controller?.error(err),
    get cancelled() {
      return cancelled;
    },
  };
}

function parse(...pieces: string[]): SseEvent[] {
  const parser = new SseParser();
  return pieces.flatMap((piece) => parser.feed(piece));
}

const data = (text: string): SseEvent => ({ event: null, data: text });

test("data lines make events, dispatched on a blank line", () => {
  assert.deepEqual(parse('data: {"type":"a"}\n\ndata: second\n\n'), [
    data('{"type":"a"}'),
    data("second"),
  ]);
  assert.deepEqual(parse("data: no blank line yet\n"), [], "an event ends at a blank line");
});

test("multi-line data joins with \\n; one space after the colon goes, the rest stays", () => {
  assert.deepEqual(parse("data: one\ndata:two\ndata:  three\n\n"), [data("one\ntwo\n three")]);
  assert.deepEqual(parse("data\n\n"), [data("")], "a field without a colon has an empty value");
  assert.deepEqual(parse("data:\ndata:\n\n"), [data("\n")]);
});

test("event names, and the name is reset after each event", () => {
  assert.deepEqual(parse('event: end\ndata: {"reason":"done"}\n\ndata: x\n\n'), [
    { event: "end", data: '{"reason":"done"}' },
    data("x"),
  ]);
});

test("comments, unknown fields and blank lines without data make no event", () => {
  assert.deepEqual(
    parse(": keepalive\n\n", "id: 7\nretry: 100\nfoo: bar\n\n", "\n\n", "data: kept\n\n"),
    [data("kept")],
  );
  assert.deepEqual(parse("data: a\n: a comment between data lines\ndata: b\n\n"), [data("a\nb")]);
  assert.deepEqual(parse("event: end\n\ndata: x\n\n"), [data("x")], "no data: no event");
});

test("LF, CRLF and CR line endings, mixed", () => {
  assert.deepEqual(parse("data: a\r\n\r\ndata: b\r\rdata: c\n\n"), [
    data("a"),
    data("b"),
    data("c"),
  ]);
});

test("a CRLF cut between its CR and LF is one line ending, not two", () => {
  // Two line endings would end the event after "a": it would come out as two events.
  assert.deepEqual(parse("data: a\r", "\ndata: b\r", "\n\r", "\n"), [data("a\nb")]);
  assert.deepEqual(parse("data: a\r", "", "\n", "\r\n"), [data("a")], "an empty piece between");
  assert.deepEqual(parse("data: a\r", "\r"), [data("a")], "CR CR is two line endings");
});

test("any cut gives the same events as the whole text", () => {
  const text =
    ': keepalive\r\ndata: {"type":"x","text":"a b"}\r\n\r\nevent: end\rdata: {"reason":"done"}\r\r' +
    "data: one\ndata:  two\n\n";
  const whole = parse(text);
  assert.equal(whole.length, 3);
  for (let cut = 0; cut <= text.length; cut++) {
    assert.deepEqual(parse(text.slice(0, cut), text.slice(cut)), whole, `cut at ${cut}`);
  }
  assert.deepEqual(parse(...text), whole, "a character at a time");
});

test("readEvents decodes UTF-8 cut inside a character, and yields as the chunks arrive", async () => {
  const { body, push, close } = pipe();
  const events = readEvents(body);
  const bytes = new TextEncoder().encode("data: é🙂\n\n");
  const cut = bytes.indexOf(0xf0) + 2; // inside the 4 bytes of the emoji
  push(bytes.slice(0, 7)); // "data: " and the first byte of "é"
  push(bytes.slice(7, cut));
  push(bytes.slice(cut));
  const first = await events.next();
  assert.deepEqual(first.value, [data("é🙂")], "delivered before the body closes");
  push("data: x\n\ndata: y\n\n");
  assert.deepEqual((await events.next()).value, [data("x"), data("y")], "one chunk, one batch");
  push("data: cut off by the end of the body\n");
  close();
  assert.deepEqual(
    await events.next(),
    { done: true, value: undefined },
    "an unfinished event is dropped",
  );
});

test("readEvents stops when its signal aborts, and lets go of the body", async () => {
  const source = pipe();
  const abort = new AbortController();
  const events = readEvents(source.body, abort.signal);
  source.push("data: a\n\n");
  assert.deepEqual((await events.next()).value, [data("a")]);
  const pending = events.next();
  abort.abort();
  assert.deepEqual(await pending, { done: true, value: undefined });
  assert.equal(source.cancelled, true);
});

test("readEvents throws when the body fails; a reader that stops early cancels the body", async () => {
  const failing = pipe();
  const events = readEvents(failing.body);
  failing.push("data: a\n\n");
  await events.next();
  failing.error(new Error("connection reset"));
  await assert.rejects(events.next(), /connection reset/);

  const early = pipe();
  early.push("data: a\n\ndata: b\n\n");
  for await (const batch of readEvents(early.body)) {
    assert.equal(batch.length, 2);
    break;
  }
  assert.equal(early.cancelled, true);
});

import assert from "node:assert/strict";
import { test } from "node:test";
import { splitBlocks } from "../src/markdown/blocks";

test("blank lines split blocks; the last block stays open", () => {
  const result = splitBlocks("# Title\n\nFirst paragraph\nstill first.\n\nSecond");
  assert.deepEqual(result.settled, ["# Title", "First paragraph\nstill first."]);
  assert.equal(result.open, "Second");
  assert.equal(result.settledLength, "# Title\n\nFirst paragraph\nstill first.\n\n".length);
});

test("a code fence with blank lines inside stays one block", () => {
  const fence = "```python\ndef f():\n\n    return 1\n\n\n```";
  const result = splitBlocks(`Intro\n\n${fence}\n\nAfter`);
  assert.deepEqual(result.settled, ["Intro", fence]);
  assert.equal(result.open, "After");
});

test("an unclosed fence is the open block, whatever blank lines it holds", () => {
  const result = splitBlocks("Intro\n\n~~~\ncode\n\nmore code\n");
  assert.deepEqual(result.settled, ["Intro"]);
  assert.equal(result.open, "~~~\ncode\n\nmore code\n");
});

test("streaming only ever changes the open tail", () => {
  const text = "One.\n\nTwo **bold**.\n\nThree is still ";
  let previous = splitBlocks("");
  for (let end = 1; end <= text.length; end++) {
    const next = splitBlocks(text.slice(0, end));
    // Blocks settled earlier never change; new ones only get added after them.
    assert.deepEqual(next.settled.slice(0, previous.settled.length), previous.settled);
    assert.ok(next.settledLength >= previous.settledLength);
    previous = next;
  }
  assert.deepEqual(previous.settled, ["One.", "Two **bold**."]);
  assert.equal(previous.open, "Three is still ");
});

test("splitting the unsettled tail agrees with splitting the whole text", () => {
  const text = "a\n\n```\nx\n\ny\n```\n\nb\n\nc";
  const whole = splitBlocks(text);
  const first = splitBlocks(text.slice(0, 4));
  const tail = splitBlocks(text.slice(first.settledLength));
  assert.deepEqual([...first.settled, ...tail.settled], whole.settled);
  assert.equal(tail.open, whole.open);
});

test("a trailing newline does not settle a block", () => {
  assert.deepEqual(splitBlocks("Hello\n").settled, []);
  assert.equal(splitBlocks("Hello\n").open, "Hello\n");
  assert.equal(splitBlocks("").open, "");
});

import assert from "node:assert/strict";
import { test } from "node:test";
import { BlockSplitter, splitBlocks } from "../src/markdown/blocks";

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

const LIST_WITH_FENCE =
  "1. Install:\n\n    ```bash\n    pip install x\n\n    pip install y\n    ```\n\n2. Run it.";

test("blank lines inside list items and indented fences do not split", () => {
  const result = splitBlocks(`${LIST_WITH_FENCE}\n\nDone.`);
  assert.deepEqual(result.settled, [LIST_WITH_FENCE]);
  assert.equal(result.open, "Done.");
});

test("only a blank line then an unindented line that is not a list item settles", () => {
  assert.deepEqual(splitBlocks("- a\n\n- b\n\n  more of b\n\n* c\n\n+ d\n\n3) e").settled, []);
  assert.deepEqual(splitBlocks("para\n\n    indented\n\nnext").settled, ["para\n\n    indented"]);
  // An unfinished line that may still become a list marker decides nothing yet.
  assert.deepEqual(splitBlocks("1. a\n\n1").settled, []);
  assert.deepEqual(splitBlocks("1. a\n\n-").settled, []);
  assert.deepEqual(splitBlocks("1. a\n\nN").settled, ["1. a"]);
  assert.deepEqual(splitBlocks("1. a\n\n12 monkeys\n").settled, ["1. a"]);
});

test("a fence closes only with its own char and at least its length", () => {
  const text = "````md\n```\ninner\n~~~~\n````\n\nafter";
  assert.deepEqual(splitBlocks(text).settled, ["````md\n```\ninner\n~~~~\n````"]);
  // Backticks in the info string: inline code, not a fence.
  assert.deepEqual(splitBlocks("``` a ` b\n\nnext").settled, ["``` a ` b"]);
});

test("the incremental splitter agrees with splitting the whole text, char by char", () => {
  const text = `Intro\n\n${LIST_WITH_FENCE}\n\n> quote\n\n\`\`\`py\nx = 1\n\n\`\`\`\n\n- a\n\n- b\n\nEnd`;
  const whole = splitBlocks(text);
  const splitter = new BlockSplitter();
  const settled: string[] = [];
  let last = splitter.push("");
  for (let end = 1; end <= text.length; end++) {
    last = splitter.push(text.slice(0, end));
    settled.push(...last.settled);
    const fresh = splitBlocks(text.slice(0, end));
    assert.deepEqual(settled, fresh.settled, `at ${end}`);
    assert.equal(last.open, fresh.open, `at ${end}`);
  }
  assert.deepEqual(settled, whole.settled);
  assert.equal(whole.settled.at(-1), "```py\nx = 1\n\n```\n\n- a\n\n- b");
  assert.equal(last.open, "End");
});

test("an open top-level fence is reported so it can be shown by appending", () => {
  const text = "Intro\n\n```python\ndef f():\n\n    return 1\n";
  const result = splitBlocks(text);
  assert.deepEqual(result.openFence, {
    contentStart: "Intro\n\n```python\n".length,
    lang: "python",
  });
  assert.equal(splitBlocks(`${text}\`\`\``).openFence, null, "the closing fence arriving");
  assert.equal(splitBlocks(`${text}\`\`\`\n`).openFence, null);
  assert.equal(splitBlocks("```py").openFence, null, "the opening line is not complete");
  assert.equal(splitBlocks("1. x\n    ```\n    code\n").openFence, null, "inside a list item");
});

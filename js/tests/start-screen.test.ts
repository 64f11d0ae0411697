import "./frames";
import assert from "node:assert/strict";
import { test } from "node:test";
import { ThreadState } from "../src/state/thread-state";
import { DEFAULT_GREETING, StartScreen } from "../src/ui/start-screen";
import { Transcript } from "../src/ui/transcript";

const frame = () => new Promise((resolve) => setTimeout(resolve, 5));

function promptButtons(root: Element): HTMLButtonElement[] {
  return [...root.querySelectorAll<HTMLButtonElement>("[role=group] button")];
}

test("the greeting from Python, or the built-in one", () => {
  const screen = new StartScreen(() => {});
  assert.equal(screen.el.querySelector(".ckw-greeting")?.textContent, DEFAULT_GREETING);
  screen.update({ greeting: "Hello, analyst" });
  assert.equal(screen.el.querySelector(".ckw-greeting")?.textContent, "Hello, analyst");
  screen.update({ greeting: "   " });
  assert.equal(screen.el.querySelector(".ckw-greeting")?.textContent, DEFAULT_GREETING);
});

test("starter prompts are buttons that send their prompt", () => {
  const sent: string[] = [];
  const screen = new StartScreen((prompt) => sent.push(prompt));
  screen.update({
    prompts: [
      { label: "count to 3", prompt: "count to 3" },
      { label: "Summarise", prompt: "Summarise the data frame df in three bullets" },
    ],
  });
  const group = screen.el.querySelector("[role=group]");
  assert.equal(group?.getAttribute("aria-label"), "Starter prompts");
  const buttons = promptButtons(screen.el);
  assert.deepEqual(
    buttons.map((b) => b.textContent),
    ["count to 3", "Summarise"],
  );
  assert.equal(buttons[1]?.title, "Summarise the data frame df in three bullets");
  assert.equal(buttons[0]?.type, "button");
  buttons[1]?.click();
  buttons[0]?.click();
  assert.deepEqual(sent, ["Summarise the data frame df in three bullets", "count to 3"]);
});

test("the offline hint shows only when offline and Python gave no prompts", () => {
  const screen = new StartScreen(() => {});
  const hint = () => screen.el.querySelector(".ckw-empty-hint")?.textContent ?? null;
  assert.equal(hint(), null);
  screen.update({ offline: true });
  assert.match(hint() ?? "", /add a task: buy milk/);
  screen.update({ prompts: [{ label: "list tasks", prompt: "list tasks" }] });
  assert.equal(hint(), null, "the prompts already say what to try");
  screen.update({ prompts: [] });
  assert.match(hint() ?? "", /add a task/);
});

test("the transcript shows the start screen on an empty thread, live-updated", async () => {
  const state = new ThreadState();
  const sent: string[] = [];
  const transcript = new Transcript(
    state,
    { retry() {} },
    { loadOlder() {}, sendPrompt: (prompt) => sent.push(prompt) },
  );
  document.body.replaceChildren(transcript.el);
  await frame();
  const empty = transcript.el.querySelector(".ckw-empty") as HTMLElement;
  assert.equal(empty.hidden, false);
  assert.equal(empty.querySelector(".ckw-greeting")?.textContent, DEFAULT_GREETING);

  // The traits change while the view is shown.
  transcript.setStartScreen({
    greeting: "Hello",
    prompts: [{ label: "go", prompt: "count to 3" }],
  });
  assert.equal(empty.querySelector(".ckw-greeting")?.textContent, "Hello");
  promptButtons(empty)[0]?.click();
  assert.deepEqual(sent, ["count to 3"]);

  // A message hides it; a new chat brings it back.
  state.addOptimistic("s1", "count to 3");
  await frame();
  assert.equal(empty.hidden, true);
  state.reset(null);
  await frame();
  assert.equal(empty.hidden, false);
  assert.equal(empty.querySelector(".ckw-greeting")?.textContent, "Hello");

  // While a thread loads it says so instead.
  state.reset("thr_1");
  state.setLoading(true);
  await frame();
  assert.equal(empty.textContent, "Loading conversation…");
  state.setLoading(false);
  await frame();
  assert.equal(empty.querySelector(".ckw-greeting")?.textContent, "Hello");
  transcript.dispose();
});

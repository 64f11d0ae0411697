import "./frames";
import assert from "node:assert/strict";
import { test } from "node:test";
import { ThreadState } from "../src/state/thread-state";
import { DEFAULT_GREETING, OFFLINE_PROMPTS, StartScreen } from "../src/ui/start-screen";
import { Transcript } from "../src/ui/transcript";

const frame = () => new Promise((resolve) => setTimeout(resolve, 5));

function promptButtons(root: Element): HTMLButtonElement[] {
  return [...root.querySelectorAll<HTMLButtonElement>("[role=group] button")];
}

test("the greeting from Python, or the built-in one", () => {
  const screen = new StartScreen({ prompt() {}, resume() {} });
  assert.equal(screen.el.querySelector(".ckw-greeting")?.textContent, DEFAULT_GREETING);
  screen.update({ greeting: "Hello, analyst" });
  assert.equal(screen.el.querySelector(".ckw-greeting")?.textContent, "Hello, analyst");
  screen.update({ greeting: "   " });
  assert.equal(screen.el.querySelector(".ckw-greeting")?.textContent, DEFAULT_GREETING);
});

test("starter prompts are buttons that send their prompt", () => {
  const sent: string[] = [];
  const screen = new StartScreen({ prompt: (prompt) => sent.push(prompt), resume() {} });
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

test("offline without prompts from Python, the demo's phrases are prompt buttons", () => {
  const sent: string[] = [];
  const screen = new StartScreen({ prompt: (prompt) => sent.push(prompt), resume() {} });
  const labels = () => promptButtons(screen.el).map((b) => b.textContent);
  assert.deepEqual(labels(), [], "a real model: nothing to suggest");
  screen.update({ offline: true });
  assert.deepEqual(
    labels(),
    OFFLINE_PROMPTS.map((p) => p.label),
  );
  promptButtons(screen.el)[0]?.click();
  assert.deepEqual(sent, ["add a task: buy milk"]);
  screen.update({ prompts: [{ label: "list tasks", prompt: "list tasks" }] });
  assert.deepEqual(labels(), ["list tasks"], "Python's prompts replace the demo's");
  screen.update({ prompts: [] });
  assert.equal(labels().length, OFFLINE_PROMPTS.length);
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

test("Continue: <title> offers the latest conversation, and opens it", () => {
  const opened: string[] = [];
  const screen = new StartScreen({ prompt() {}, resume: (id) => opened.push(id) });
  assert.equal(screen.el.querySelector(".ckw-resume"), null, "nothing offered by default");
  screen.update({ resume: { threadId: "thr_9", title: "Plot rainfall by month" } });
  const button = screen.el.querySelector<HTMLButtonElement>(".ckw-resume");
  assert.equal(button?.textContent, "Continue:Plot rainfall by month");
  assert.equal(button?.title, "Plot rainfall by month");
  button?.click();
  assert.deepEqual(opened, ["thr_9"]);
  screen.update({ resume: null });
  assert.equal(screen.el.querySelector(".ckw-resume"), null);
});

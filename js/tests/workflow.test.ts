import "./dom";
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Task, ThreadItem } from "../src/chatkit/types";
import { newMeta } from "../src/state/types";
import { WorkflowView } from "../src/ui/items/workflow";

function workflow(tasks: Task[], extra: object = {}): ThreadItem {
  return {
    id: "wf_1",
    type: "workflow",
    workflow: { type: "reasoning", tasks, expanded: false, ...extra },
  };
}

const streaming = { ...newMeta(), done: false };

test("the summary button shows and hides the tasks, with aria-expanded", () => {
  const view = new WorkflowView(workflow([{ type: "thought", content: "Hmm." }]));
  view.update(workflow([{ type: "thought", content: "Hmm." }]), newMeta());
  const button = view.el.querySelector("button");
  const list = view.el.querySelector("ol");
  assert.ok(button && list);
  assert.equal(button.getAttribute("aria-expanded"), "false");
  assert.equal(button.getAttribute("aria-controls"), list.id);
  assert.equal(list.hidden, true);
  button.click();
  assert.equal(button.getAttribute("aria-expanded"), "true");
  assert.equal(list.hidden, false);
  // The user's choice stands when the server later says otherwise.
  view.update(workflow([{ type: "thought", content: "Hmm." }], { expanded: false }), newMeta());
  assert.equal(list.hidden, false);
  button.click();
  assert.equal(list.hidden, true);
});

test("an expanded workflow starts open", () => {
  const item = workflow([{ type: "thought", content: "a" }], { expanded: true });
  const view = new WorkflowView(item);
  view.update(item, newMeta());
  assert.equal(view.el.querySelector("button")?.getAttribute("aria-expanded"), "true");
});

test("the summary line: live status while loading, then the title or the duration", () => {
  const view = new WorkflowView(workflow([]));
  const label = () => view.el.querySelector(".ckw-workflow-label")?.textContent;
  view.update(workflow([{ type: "thought", content: "a" }]), streaming);
  assert.equal(label(), "Thinking…");
  assert.equal(view.el.dataset.status, "pending");
  assert.ok(view.el.querySelector("button .ckw-spinner"));
  const searching: Task = {
    type: "web_search",
    title: "Searching the web",
    status_indicator: "loading",
  };
  view.update(workflow([{ type: "thought", content: "a" }, searching]), streaming);
  assert.equal(label(), "Searching the web…");
  view.update(
    workflow([{ type: "thought", content: "a" }], { summary: { duration: 7 } }),
    newMeta(),
  );
  assert.equal(label(), "Thought for 7s");
  assert.equal(view.el.dataset.status, "success");
  assert.equal(view.el.querySelector("button .ckw-spinner"), null);
  const titled = workflow([], { type: "custom", summary: { title: "Planned the trip" } });
  view.update(titled, newMeta());
  assert.equal(label(), "Planned the trip");
});

test("a stopped workflow stops spinning", () => {
  const view = new WorkflowView(workflow([]));
  const loading: Task = { type: "custom", title: "Step", status_indicator: "loading" };
  view.update(workflow([loading]), { ...newMeta(), done: false, interrupted: true, stopped: true });
  assert.equal(view.el.dataset.status, "error");
  assert.equal(view.el.querySelector(".ckw-spinner"), null);
  assert.equal(view.el.querySelector("li")?.dataset.status, "error");
});

test("a thought re-sent whole per token re-renders only that task, and only its tail", () => {
  const first: Task = { type: "thought", content: "First thought, settled." };
  const view = new WorkflowView(workflow([first]));
  view.update(workflow([first]), streaming);
  const firstRow = view.el.querySelector("li");
  const firstParagraph = firstRow?.querySelector("p");
  assert.equal(firstParagraph?.textContent, "First thought, settled.");

  let text = "Para one.\n\nPara two";
  view.update(workflow([{ ...first }, { type: "thought", content: text }]), streaming);
  const secondRow = view.el.querySelectorAll("li")[1];
  const paraOne = secondRow?.querySelector("p");
  assert.equal(paraOne?.textContent, "Para one.");
  for (const token of [" grows", " and", " grows."]) {
    text += token;
    // New objects each time, as after a workflow.task.updated event.
    view.update(workflow([{ ...first }, { type: "thought", content: text }]), streaming);
  }
  const rows = view.el.querySelectorAll("li");
  assert.equal(rows[0], firstRow);
  assert.equal(rows[0]?.querySelector("p"), firstParagraph, "the unchanged task re-rendered");
  assert.equal(rows[1]?.querySelector("p"), paraOne, "the settled block re-rendered");
  assert.equal(rows[1]?.querySelectorAll("p")[1]?.textContent, "Para two grows and grows.");
});

test("tasks that go away are removed", () => {
  const view = new WorkflowView(workflow([]));
  view.update(
    workflow([
      { type: "custom", title: "a" },
      { type: "custom", title: "b" },
    ]),
    newMeta(),
  );
  assert.equal(view.el.querySelectorAll("li").length, 2);
  view.update(workflow([{ type: "custom", title: "a" }]), newMeta());
  assert.equal(view.el.querySelectorAll("li").length, 1);
});

test("web search sources are links to the web only; files are named", () => {
  const search: Task = {
    type: "web_search",
    title_query: "jupyter widgets",
    queries: ["anywidget", "ipywidgets"],
    sources: [
      { type: "url", title: "anywidget docs", url: "https://anywidget.dev/" },
      { type: "url", title: "Sneaky", url: "javascript:alert(1)" },
    ],
    status_indicator: "complete",
  };
  const file: Task = {
    type: "file",
    sources: [{ type: "file", title: "notes.md", filename: "notes.md" }],
  };
  const item = workflow([search, file], { type: "custom" });
  const view = new WorkflowView(item);
  view.update(item, newMeta());
  const [searchRow, fileRow] = view.el.querySelectorAll("li.ckw-workflow-task");
  assert.equal(
    searchRow?.querySelector(".ckw-workflow-task-title")?.textContent,
    "Searched for “jupyter widgets”",
  );
  const queries = [...(searchRow?.querySelectorAll(".ckw-workflow-queries li") ?? [])];
  assert.deepEqual(
    queries.map((q) => q.textContent),
    ["anywidget", "ipywidgets"],
  );
  const links = searchRow?.querySelectorAll("a") ?? [];
  assert.equal(links.length, 1);
  assert.equal(links[0]?.getAttribute("href"), "https://anywidget.dev/");
  assert.equal(links[0]?.getAttribute("target"), "_blank");
  assert.equal(links[0]?.getAttribute("rel"), "noopener noreferrer");
  assert.match(searchRow?.textContent ?? "", /Sneaky/);
  assert.match(fileRow?.textContent ?? "", /notes\.md/);
  assert.equal(fileRow?.querySelector("a"), null);
});

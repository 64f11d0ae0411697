import type { Task, ThreadItem, Workflow, WorkflowItem } from "../../chatkit/types";
import { MarkdownView } from "../../markdown/render";
import type { ItemMeta, Status } from "../../state/types";
import { h, setFlag } from "../../util/dom";
import { statusIcon } from "../icons";
import { sourceList } from "./sources";
import { taskStatus } from "./task";
import { type ItemView, rowElement } from "./types";

let nextId = 0;

/**
 * A workflow (reasoning or custom steps): a summary button that shows or hides its tasks.
 * Reasoning streams re-send a whole thought per token, so each task keeps its own row and
 * only rows whose task changed render again (a growing thought only renders its tail).
 */
export class WorkflowView implements ItemView {
  readonly el: HTMLDivElement;
  private readonly toggle: HTMLButtonElement;
  private readonly icon = h("span", { class: "ckw-workflow-icon" });
  private readonly label = h("span", { class: "ckw-workflow-label" });
  private readonly list: HTMLOListElement;
  private readonly rows: TaskRow[] = [];
  /** Follows the server's `expanded` until the user toggles. */
  private userChose = false;
  private lastIcon: Status | null = null;

  constructor(item: ThreadItem) {
    this.el = rowElement(item, "ckw-workflow");
    const listId = `ckw-workflow-${++nextId}`;
    this.list = h("ol", { class: "ckw-workflow-tasks", id: listId });
    this.toggle = h(
      "button",
      {
        type: "button",
        class: "ckw-workflow-summary",
        "aria-expanded": "false",
        "aria-controls": listId,
      },
      this.icon,
      this.label,
    );
    this.toggle.addEventListener("click", () => {
      this.userChose = true;
      this.setExpanded(this.toggle.getAttribute("aria-expanded") !== "true");
    });
    this.el.append(this.toggle, this.list);
  }

  update(item: ThreadItem, meta: ItemMeta): void {
    const workflow = (item as WorkflowItem).workflow ?? { type: "custom", tasks: [] };
    const tasks = Array.isArray(workflow.tasks) ? workflow.tasks : [];
    const loading = !meta.done || tasks.some((t) => t.status_indicator === "loading");
    const running = loading && !meta.interrupted;
    const status: Status = running ? "pending" : meta.interrupted && loading ? "error" : "success";
    this.el.dataset.status = status;
    this.el.dataset.workflowType = workflow.type;
    if (!this.userChose) this.setExpanded(workflow.expanded === true);
    this.label.textContent = summaryText(workflow, tasks, running);
    // A running workflow is the turn's progress indicator (the working line hides for it).
    setFlag(this.el, "data-streaming", running);
    if (status !== this.lastIcon) {
      this.icon.replaceChildren(statusIcon(status));
      this.lastIcon = status;
    }
    tasks.forEach((task, index) => {
      let row = this.rows[index];
      if (!row) {
        row = new TaskRow();
        this.rows.push(row);
        this.list.append(row.el);
      }
      row.update(task, meta);
    });
    for (const row of this.rows.splice(tasks.length)) row.el.remove();
  }

  private setExpanded(open: boolean): void {
    this.toggle.setAttribute("aria-expanded", String(open));
    this.list.hidden = !open;
  }
}

function summaryText(workflow: Workflow, tasks: Task[], running: boolean): string {
  if (running) {
    // Live status: the step under way, else what the whole thing is doing.
    const current = [...tasks].reverse().find((t) => t.status_indicator === "loading");
    if (current?.title) return `${current.title}…`;
    return workflow.type === "reasoning" ? "Thinking…" : "Working…";
  }
  const summary = workflow.summary;
  if (summary?.title) return summary.title;
  if (typeof summary?.duration === "number") {
    return `Thought for ${Math.max(0, Math.round(summary.duration))}s`;
  }
  if (workflow.type === "reasoning") return "Thought";
  return tasks.length === 1 ? "1 step" : `${tasks.length} steps`;
}

/** One task in the list; renders again only when its task changed. */
class TaskRow {
  readonly el = h("li", { class: "ckw-workflow-task" });
  private readonly icon = h("span", { class: "ckw-workflow-task-icon" });
  private readonly body = h("div", { class: "ckw-workflow-task-body" });
  private readonly title = h("div", { class: "ckw-workflow-task-title" });
  private readonly extra = h("div", { class: "ckw-workflow-task-extra" });
  private content: MarkdownView | null = null;
  private key = "";
  private extraKey = "";
  private status: Status | null = null;

  constructor() {
    this.body.append(this.title);
    this.el.append(this.icon, this.body);
  }

  update(task: Task, meta: ItemMeta): void {
    let status = taskStatus(task);
    if (status === "pending" && meta.interrupted) status = "error";
    // The task objects are new on every update: compare by value.
    const key = `${status}${meta.done}${JSON.stringify(task)}`;
    if (key === this.key) return;
    this.key = key;
    this.el.dataset.taskType = String(task.type);
    this.el.dataset.status = status;
    if (status !== this.status) {
      this.icon.replaceChildren(
        task.status_indicator === "none" && status !== "error" ? dot() : statusIcon(status),
      );
      this.status = status;
    }
    this.title.textContent = taskTitle(task);
    this.title.hidden = !this.title.textContent;
    // Thoughts stream with no loading indicator: the item being open is what says so.
    this.showContent(task, status === "pending" || !meta.done);
    this.showExtra(task);
  }

  /** Thoughts and custom steps carry markdown; a growing one renders incrementally. */
  private showContent(task: Task, streaming: boolean): void {
    const text = typeof task.content === "string" ? task.content : "";
    if (!text) {
      this.content?.el.remove();
      this.content = null;
      return;
    }
    if (!this.content) {
      this.content = new MarkdownView();
      this.title.after(this.content.el);
    }
    if (streaming) this.content.update(text);
    else this.content.finish(text);
  }

  /** Search queries, sources (links to the web only), file names. */
  private showExtra(task: Task): void {
    const queries = Array.isArray(task.queries) ? task.queries.filter(isString) : [];
    const sources = Array.isArray(task.sources) ? task.sources : [];
    const key = JSON.stringify([queries, sources]);
    if (key === this.extraKey) return;
    this.extraKey = key;
    const parts: HTMLElement[] = [];
    if (queries.length) {
      parts.push(
        h(
          "ul",
          { class: "ckw-workflow-queries", "aria-label": "Searches" },
          ...queries.map((q) => h("li", {}, q)),
        ),
      );
    }
    const list = sourceList(sources);
    if (list) parts.push(list);
    this.extra.replaceChildren(...parts);
    if (parts.length && this.extra.parentNode !== this.body) this.body.append(this.extra);
    else if (!parts.length) this.extra.remove();
  }
}

function taskTitle(task: Task): string {
  if (typeof task.title === "string" && task.title) return task.title;
  if (task.type === "web_search" && typeof task.title_query === "string") {
    return `Searched for “${task.title_query}”`;
  }
  const fallback: Record<string, string> = {
    web_search: "Searched the web",
    file: "Read files",
    image: "Made an image",
  };
  return fallback[task.type] ?? "";
}

function dot(): HTMLSpanElement {
  return h("span", { class: "ckw-workflow-dot", "aria-hidden": "true" });
}

function isString(value: unknown): value is string {
  return typeof value === "string";
}

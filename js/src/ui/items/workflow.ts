import type { Task, ThreadItem, WorkflowItem } from "../../chatkit/types";
import { renderMarkdownInto } from "../../markdown/render";
import type { ItemMeta } from "../../state/types";
import { h } from "../../util/dom";
import { statusIcon } from "../icons";
import { taskStatus } from "./task";
import { type ItemView, rowElement } from "./types";

/** A workflow (reasoning or custom steps): a collapsible box listing its tasks. */
export class WorkflowView implements ItemView {
  readonly el: HTMLDivElement;
  private readonly details = h("details", { class: "ckw-workflow-details" });
  private readonly summary = h("summary", { class: "ckw-workflow-summary" });
  private readonly list = h("ol", { class: "ckw-workflow-tasks" });
  private initialised = false;

  constructor(item: ThreadItem) {
    this.el = rowElement(item, "ckw-workflow");
    this.details.append(this.summary, this.list);
    this.el.append(this.details);
  }

  update(item: ThreadItem, meta: ItemMeta): void {
    const workflow = (item as WorkflowItem).workflow ?? { type: "custom", tasks: [] };
    const tasks = Array.isArray(workflow.tasks) ? workflow.tasks : [];
    const running = !meta.done || tasks.some((t) => t.status_indicator === "loading");
    if (!this.initialised) {
      this.details.open = workflow.expanded === true;
      this.initialised = true;
    }
    this.el.dataset.status = running && !meta.interrupted ? "pending" : "success";
    this.summary.textContent = summaryText(workflow.summary, running && !meta.interrupted);
    this.list.replaceChildren(...tasks.map((task) => taskElement(task, meta.interrupted)));
  }
}

function summaryText(
  summary: { title?: string; duration?: number } | undefined,
  running: boolean,
): string {
  if (summary?.title) return summary.title;
  if (typeof summary?.duration === "number") return `Worked for ${summary.duration}s`;
  return running ? "Working…" : "Worked";
}

function taskElement(task: Task, interrupted: boolean): HTMLLIElement {
  let status = taskStatus(task);
  if (status === "pending" && interrupted) status = "error";
  const li = h("li", {
    class: "ckw-workflow-task",
    "data-task-type": task.type,
    "data-status": status,
  });
  const body = h("div", { class: "ckw-workflow-task-body" });
  if (task.title) body.append(h("div", { class: "ckw-workflow-task-title" }, task.title));
  if ((task.type === "custom" || task.type === "thought") && typeof task.content === "string") {
    const content = h("div", { class: "ckw-markdown" });
    renderMarkdownInto(content, task.content);
    body.append(content);
  }
  if (Array.isArray(task.sources) && task.sources.length) body.append(sourceList(task.sources));
  li.append(statusIcon(status), body);
  return li;
}

function sourceList(sources: NonNullable<Task["sources"]>): HTMLUListElement {
  const list = h("ul", { class: "ckw-sources" });
  for (const source of sources) {
    const url = "url" in source && typeof source.url === "string" ? source.url : null;
    const safe = url && /^https?:\/\//i.test(url) ? url : null;
    const label = source.title || url || "";
    list.append(
      h(
        "li",
        {},
        safe ? h("a", { href: safe, target: "_blank", rel: "noopener noreferrer" }, label) : label,
      ),
    );
  }
  return list;
}

import {
  type ClientToolCallItem,
  isRecord,
  type Task,
  type TaskItem,
  type ThreadItem,
} from "../../chatkit/types";
import { MarkdownView } from "../../markdown/render";
import type { ItemMeta, Status, ToolStatus } from "../../state/types";
import { h, setFlag } from "../../util/dom";
import { statusIcon } from "../icons";
import { ApprovalBar } from "./approval";
import { renderMimeBundle } from "./rich-output";
import { parseToolRow, type ToolRow } from "./tool-row";
import { type ItemView, type RowContext, rowElement } from "./types";

const STATUS_TEXT: Record<ToolStatus, string> = {
  pending: "Running…",
  success: "Done",
  error: "Failed",
  approval: "Waiting for approval",
  denied: "Denied",
};

export function taskStatus(task: Task): Status {
  return task.status_indicator === "loading" ? "pending" : "success";
}

/**
 * A `task` item: a kernel tool row when its content carries the marker, else a plain task.
 * A kernel call waiting for approval offers buttons that decide through `ctx.decide`.
 */
export function createTaskView(item: ThreadItem, ctx?: RowContext): ItemView {
  const task = (item as TaskItem).task;
  return task?.type === "custom" && parseToolRow(task.content)
    ? new ToolRowView(item, (it) => parseToolRow((it as TaskItem).task?.content), ctx)
    : new PlainTaskView(item);
}

/**
 * A client tool call (the notebook runs it): pending, done, or failed on an `{error}` output.
 * The notebook's own functions never wait for approval: no buttons.
 */
export function createClientToolCallView(item: ThreadItem): ItemView {
  return new ToolRowView(item, (it) => clientToolRow(it as ClientToolCallItem));
}

function clientToolRow(call: ClientToolCallItem): ToolRow {
  const done = call.status === "completed";
  const output = call.output;
  // The notebook's failures are exactly `{error}`; a result that merely has an error field
  // succeeded (chat.messages in Python draws the same line).
  const failed = done && isRecord(output) && Object.keys(output).length === 1 && "error" in output;
  return {
    call_id: typeof call.call_id === "string" ? call.call_id : "",
    name: typeof call.name === "string" ? call.name : "tool",
    arguments: isRecord(call.arguments) ? call.arguments : {},
    status: failed ? "error" : done ? "success" : "pending",
    output: failed || output === undefined || output === null ? null : asText(output),
    error: failed ? asText(output.error) : null,
  };
}

function asText(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value, null, 2);
}

class ToolRowView implements ItemView {
  readonly el: HTMLDivElement;
  private readonly details = h("details", { class: "ckw-tool-details" });
  private lastStatus: ToolStatus | null = null;
  private callId = "";
  /** Approve / Deny, while the call waits (and this row can decide). */
  private approval: ApprovalBar | null = null;
  /** The rich result, outside `details` so it shows without expanding. */
  private display: HTMLElement | null = null;
  private displayKey = "";

  constructor(
    item: ThreadItem,
    private readonly read: (item: ThreadItem) => ToolRow | null,
    private readonly ctx?: Pick<RowContext, "decide" | "deciding">,
  ) {
    this.el = rowElement(item, "ckw-tool");
    this.el.append(this.details);
  }

  update(item: ThreadItem, meta: ItemMeta): void {
    const row = this.read(item);
    if (!row) return;
    this.callId = row.call_id;
    const stopped = row.status === "pending" && meta.interrupted;
    const status: ToolStatus = stopped ? "error" : row.status;
    this.el.dataset.status = status;
    this.el.dataset.toolName = row.name;
    const summary = h(
      "summary",
      { class: "ckw-tool-header" },
      statusIcon(status),
      h("code", { class: "ckw-tool-name" }, row.name),
      h("span", { class: "ckw-tool-status" }, stopped ? "Stopped" : STATUS_TEXT[status]),
    );
    const sections = [section("Arguments", JSON.stringify(row.arguments, null, 2))];
    if (row.error !== null) sections.push(section(reasonLabel(status), row.error));
    else if (row.output !== null) sections.push(section("Result", row.output));
    else if (stopped) sections.push(section("Error", "Stopped before it finished."));
    this.details.replaceChildren(summary, h("div", { class: "ckw-tool-body" }, ...sections));
    if (status !== this.lastStatus) {
      // A waiting call opens: its arguments are what the person decides on. Once decided it
      // closes again; a failure opens once. After that, the user's choice stands.
      if (status === "approval" || status === "error") this.details.open = true;
      else if (this.lastStatus === "approval") this.details.open = false;
    }
    this.lastStatus = status;
    this.showApproval(status === "approval" && row.call_id !== "", row, summary);
    this.showDisplay(row.display);
  }

  /**
   * The buttons while the call waits, enabled on every redraw unless a decision on it is on
   * its way: a redraw of a still-waiting row means the last decision did not go through.
   */
  private showApproval(waiting: boolean, row: ToolRow, summary: HTMLElement): void {
    const decide = this.ctx?.decide;
    if (waiting && decide) {
      this.approval ??= new ApprovalBar((decision, options) =>
        decide.call(this.ctx, this.callId, decision, options),
      );
      this.approval.setTool(row.name, row.ask_every_time === true);
      this.approval.setDisabled(this.ctx?.deciding?.(this.callId) ?? false);
      // Right under the header (and the open arguments), above any rich output.
      if (this.approval.el.parentNode !== this.el) this.details.after(this.approval.el);
      return;
    }
    if (!this.approval) return;
    // A decided row drops its buttons; focus on them stays in the row, not on the page.
    const hadFocus = this.approval.el.contains(document.activeElement);
    this.approval.el.remove();
    this.approval = null;
    if (hadFocus) summary.focus();
  }

  private showDisplay(bundle: ToolRow["display"]): void {
    const key = bundle ? JSON.stringify(bundle) : "";
    if (key === this.displayKey) return;
    this.displayKey = key;
    this.display?.remove();
    this.display = bundle ? renderMimeBundle(bundle) : null;
    if (this.display) this.el.append(this.display);
    setFlag(this.el, "data-rich", this.display !== null);
  }
}

/** What a row's `error` text is: a denied call's is the reason a person gave. */
function reasonLabel(status: ToolStatus): string {
  return status === "denied" ? "Reason" : "Error";
}

function section(label: string, text: string): HTMLElement {
  return h(
    "div",
    { class: "ckw-tool-section" },
    h("div", { class: "ckw-tool-label" }, label),
    h("pre", { class: "ckw-pre" }, text),
  );
}

class PlainTaskView implements ItemView {
  readonly el: HTMLDivElement;
  private readonly icon = h("span", { class: "ckw-task-icon" });
  private readonly title = h("span", { class: "ckw-task-title" });
  private readonly body = new MarkdownView();

  constructor(item: ThreadItem) {
    this.el = rowElement(item, "ckw-task");
    this.el.append(h("div", { class: "ckw-task-header" }, this.icon, this.title), this.body.el);
  }

  update(item: ThreadItem, meta: ItemMeta): void {
    const task = (item as TaskItem).task ?? { type: "custom" };
    let status = taskStatus(task);
    if (status === "pending" && meta.interrupted) status = "error";
    this.el.dataset.status = status;
    this.icon.replaceChildren(statusIcon(status));
    this.title.textContent = task.title ?? "";
    const content = typeof task.content === "string" ? task.content : "";
    if (meta.done) this.body.finish(content);
    else this.body.update(content);
  }
}

import { isRecord, type TaskItem, type ThreadItem } from "../../chatkit/types";
import type { ToolStatus } from "../../state/types";
import type { MimeBundle } from "./rich-output";

/** A kernel tool call, as the kernel writes it into a custom task's content. */
export interface ToolRow {
  call_id: string;
  name: string;
  arguments: Record<string, unknown>;
  status: ToolStatus;
  output: string | null;
  /** Why it failed, or, when "denied", the reason given. */
  error: string | null;
  /** What the tool returned as a Jupyter mimebundle, when it was a display object. */
  display?: MimeBundle;
  /** While it waits: approve this call only (no "Always allow": e.g. code to run). */
  ask_every_time?: boolean;
}

/** A person's answer to a call waiting for approval (the `chatkit_widget.approval` action). */
export type Decision = "approve" | "deny";

export interface DecisionOptions {
  /** Approve this tool's calls for the rest of the conversation without asking. */
  always?: boolean;
  /** Why it was denied: shown in the row and told to the model. */
  reason?: string;
}

// The JSON escapes "-->" as "--\u003e", so the first "-->" closes the comment.
const MARKER = /^\s*<!--\s*chatkit-widget:tool\s+([\s\S]*?)\s*-->/;
const STATUSES: ReadonlySet<string> = new Set([
  "pending",
  "success",
  "error",
  "approval",
  "denied",
] satisfies ToolStatus[]);

/** Parse the `<!-- chatkit-widget:tool {...} -->` first line of a task's content. */
export function parseToolRow(content: unknown): ToolRow | null {
  if (typeof content !== "string") return null;
  const json = MARKER.exec(content)?.[1];
  if (json === undefined) return null;
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch {
    return null;
  }
  if (!isRecord(data) || typeof data.name !== "string") return null;
  const status =
    typeof data.status === "string" && STATUSES.has(data.status) ? data.status : "pending";
  const row: ToolRow = {
    call_id: typeof data.call_id === "string" ? data.call_id : "",
    name: data.name,
    arguments: isRecord(data.arguments) ? data.arguments : {},
    status: status as ToolStatus,
    output: asText(data.output),
    error: typeof data.error === "string" ? data.error : null,
  };
  if (isRecord(data.display)) row.display = data.display;
  if (data.ask_every_time === true) row.ask_every_time = true;
  return row;
}

/** The call a task item waits on, by the content it was read from. */
interface Waiting {
  content: unknown;
  callId: string | null;
}

// Asked on every state change that touches a task: each item's content is parsed once.
const waitingByItem = new WeakMap<ThreadItem, Waiting>();

/** The tool calls among `items` that wait for a person's decision: call id -> item id. */
export function waitingCalls(items: Iterable<ThreadItem>): Map<string, string> {
  const calls = new Map<string, string>();
  for (const item of items) {
    if (item.type !== "task") continue;
    const content = (item as TaskItem).task?.content;
    let known = waitingByItem.get(item);
    if (known === undefined || known.content !== content) {
      const row = parseToolRow(content);
      known = { content, callId: row?.status === "approval" && row.call_id ? row.call_id : null };
      waitingByItem.set(item, known);
    }
    if (known.callId !== null) calls.set(known.callId, item.id);
  }
  return calls;
}

function asText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return typeof value === "string" ? value : JSON.stringify(value, null, 2);
}

import { isRecord } from "../../chatkit/types";
import type { Status } from "../../state/types";
import type { MimeBundle } from "./rich-output";

/** A kernel tool call, as the kernel writes it into a custom task's content. */
export interface ToolRow {
  call_id: string;
  name: string;
  arguments: Record<string, unknown>;
  status: Status;
  output: string | null;
  error: string | null;
  /** What the tool returned as a Jupyter mimebundle, when it was a display object. */
  display?: MimeBundle;
}

// The JSON escapes "-->" as "--\u003e", so the first "-->" closes the comment.
const MARKER = /^\s*<!--\s*chatkit-widget:tool\s+([\s\S]*?)\s*-->/;
const STATUSES: ReadonlySet<string> = new Set(["pending", "success", "error"]);

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
    status: status as Status,
    output: asText(data.output),
    error: typeof data.error === "string" ? data.error : null,
  };
  if (isRecord(data.display)) row.display = data.display;
  return row;
}

function asText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return typeof value === "string" ? value : JSON.stringify(value, null, 2);
}
